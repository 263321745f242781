-- devenv snapshot save (PostgreSQL): the project's database copied into the database
-- devenv_snap_<name> in the same server, as a template (a file copy, no SQL dump).
--
-- Run by psql in the server's container, connected to the maintenance database postgres:
--   psql -X -q -At -v db=<project database> -v snap=devenv_snap_<name> -v replace=true|false -f - < save.sql
-- Prints "devenv-snapshot: saved <bytes>", or "devenv-snapshot: failed: <why>" and leaves
-- everything as it was. A copy needs the source without sessions: new connections are
-- refused and open ones ended for the time of the copy (clients reconnect); the copy is
-- then a consistent database, whatever was being written. The snapshot refuses connections
-- too (ALLOW_CONNECTIONS false), so nothing changes it. The creation time is its comment.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT 1 AS locked FROM pg_advisory_lock(hashtext('devenv snapshot')) \gset
SELECT current_setting('server_version_num')::int >= 150000 AS file_copy,
       EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') AS has_db,
       EXISTS (SELECT 1 FROM pg_database WHERE datname = :'snap') AS has_snap \gset
\if :has_db
\else
  \echo 'devenv-snapshot: failed: the server has no database' :db
  \quit
\endif
\if :has_snap
  \if :replace
  \else
    \echo 'devenv-snapshot: failed: snapshot exists'
    \quit
  \endif
\endif
DROP DATABASE IF EXISTS devenv_saving;

-- From here the project's database refuses connections: allow them again whatever happens.
\set ON_ERROR_STOP 0
ALTER DATABASE :"db" WITH ALLOW_CONNECTIONS false;
SELECT count(pg_terminate_backend(pid)) AS ended FROM pg_stat_activity
 WHERE datname = :'db' AND pid <> pg_backend_pid() \gset
\if :file_copy
  CREATE DATABASE devenv_saving TEMPLATE :"db" STRATEGY FILE_COPY ALLOW_CONNECTIONS false;
\else
  CREATE DATABASE devenv_saving TEMPLATE :"db" ALLOW_CONNECTIONS false;
\endif
\set copy_failed :ERROR
\set why :LAST_ERROR_MESSAGE
ALTER DATABASE :"db" WITH ALLOW_CONNECTIONS true;
\if :copy_failed
  DROP DATABASE IF EXISTS devenv_saving;
  \echo 'devenv-snapshot: failed: copying the database:' :why
  \quit
\endif
\set ON_ERROR_STOP 1

-- The copy takes the snapshot's name (an older snapshot of that name goes, with --force).
DROP DATABASE IF EXISTS devenv_replaced;
BEGIN;
\if :has_snap
  ALTER DATABASE :"snap" RENAME TO devenv_replaced;
\endif
ALTER DATABASE devenv_saving RENAME TO :"snap";
SELECT format('COMMENT ON DATABASE %I IS %L', :'snap',
              json_build_object('created_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                'database', :'db')) \gexec
COMMIT;
DROP DATABASE IF EXISTS devenv_replaced;
SELECT 'devenv-snapshot: saved ' || pg_database_size(:'snap') AS line \gset
\echo :line
