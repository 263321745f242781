-- devenv snapshot list (PostgreSQL): one line per snapshot database devenv_snap_<name>:
-- "<name> TAB <bytes> TAB <created, ISO 8601 UTC>" (the creation time is the database's comment).
--
-- Run by psql in the server's container, connected to the maintenance database postgres:
--   psql -X -q -At -F '<TAB>' -f - < list.sql
\set ON_ERROR_STOP 1
SELECT substr(datname, 13), pg_database_size(oid),
       coalesce(substring(shobj_description(oid, 'pg_database') FROM '"created_at" *: *"([^"]*)"'), '')
  FROM pg_database
 WHERE datname ~ '^devenv_snap_[a-z0-9]'
 ORDER BY datname;
