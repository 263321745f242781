-- devenv snapshot restore (PostgreSQL): the project's database replaced by a copy of the
-- snapshot database devenv_snap_<name>, which stays as it is.
--
-- Run by psql in the server's container, connected to the maintenance database postgres:
--   psql -X -q -At -v db=<project database> -v snap=devenv_snap_<name> -v name=<name> -f - < restore.sql
-- Prints "devenv-snapshot: restored <bytes>", or "devenv-snapshot: failed: <why>".
-- 1. The snapshot is copied into devenv_restoring (nobody connects to a snapshot); a
--    failure here leaves the project's database untouched.
-- 2. The project's database refuses new connections, open ones are ended, and in one
--    transaction it is renamed devenv_replaced and the copy takes its name. When that
--    fails, the rename is rolled back and connections are allowed again.
-- 3. devenv_replaced is dropped.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT 1 AS locked FROM pg_advisory_lock(hashtext('devenv snapshot')) \gset
SELECT current_setting('server_version_num')::int >= 150000 AS file_copy,
       EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') AS has_db,
       EXISTS (SELECT 1 FROM pg_database WHERE datname = :'snap') AS has_snap \gset
\if :has_snap
\else
  \echo 'devenv-snapshot: failed: no snapshot' :name
  \quit
\endif
DROP DATABASE IF EXISTS devenv_restoring;
DROP DATABASE IF EXISTS devenv_replaced;

\set ON_ERROR_STOP 0
\if :file_copy
  CREATE DATABASE devenv_restoring TEMPLATE :"snap" STRATEGY FILE_COPY;
\else
  CREATE DATABASE devenv_restoring TEMPLATE :"snap";
\endif
\if :ERROR
  \echo 'devenv-snapshot: failed: copying the snapshot:' :LAST_ERROR_MESSAGE
  \quit
\endif

-- From here the project's database refuses connections: allow them again unless it was replaced.
\if :has_db
  ALTER DATABASE :"db" WITH ALLOW_CONNECTIONS false;
  SELECT count(pg_terminate_backend(pid)) AS ended FROM pg_stat_activity
   WHERE datname = :'db' AND pid <> pg_backend_pid() \gset
\endif
\set swapped false
BEGIN;
\if :has_db
  ALTER DATABASE :"db" RENAME TO devenv_replaced;
\endif
\if :ERROR
\else
  ALTER DATABASE devenv_restoring RENAME TO :"db";
  \if :ERROR
  \else
    \set swapped true
  \endif
\endif
\set why :LAST_ERROR_MESSAGE
COMMIT;
\if :swapped
\else
  \if :has_db
    ALTER DATABASE :"db" WITH ALLOW_CONNECTIONS true;
  \endif
  DROP DATABASE IF EXISTS devenv_restoring;
  \echo 'devenv-snapshot: failed: replacing the database:' :why
  \quit
\endif
\set ON_ERROR_STOP 1
DROP DATABASE IF EXISTS devenv_replaced;
SELECT 'devenv-snapshot: restored ' || pg_database_size(:'db') AS line \gset
\echo :line
