-- devenv snapshot rm (PostgreSQL): drop the snapshot database devenv_snap_<name>.
--
-- Run by psql in the server's container, connected to the maintenance database postgres:
--   psql -X -q -At -v snap=devenv_snap_<name> -v name=<name> -f - < remove.sql
-- Prints "devenv-snapshot: removed", or "devenv-snapshot: failed: no snapshot <name>".
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT 1 AS locked FROM pg_advisory_lock(hashtext('devenv snapshot')) \gset
SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'snap') AS has_snap \gset
\if :has_snap
\else
  \echo 'devenv-snapshot: failed: no snapshot' :name
  \quit
\endif
DROP DATABASE :"snap";
\echo 'devenv-snapshot: removed'
