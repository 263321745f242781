REPLACE INTO devenv_fixtures (file, checksum, applied_at) VALUES (@devenv_file, @devenv_sum, CURRENT_TIMESTAMP);
COMMIT;
-- Records an applied fixture file (user variables devenv_file, devenv_sum) and commits it with the
-- file's statements (autocommit is off). A NULL @devenv_sum (a CSV load with warnings) fails the
-- insert (checksum is NOT NULL), so the client stops before COMMIT and nothing is kept.
