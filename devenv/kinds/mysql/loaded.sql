GET DIAGNOSTICS @devenv_rows = ROW_COUNT, @devenv_warnings = NUMBER;
SHOW WARNINGS LIMIT 3;
SELECT CONCAT('devenv-rows: ', @devenv_rows);
SET @devenv_sum = IF(@devenv_warnings = 0, @devenv_sum, NULL);
-- Right after a LOAD DATA LOCAL INFILE: its row count and warnings. With LOCAL the server cannot
-- stop the client's upload, so a value that does not fit its column, a NULL for a NOT NULL column
-- or a duplicate key is a warning, not an error; any warning leaves @devenv_sum NULL, which makes
-- record.sql fail before its COMMIT: nothing of the file is kept, and seed.sh names the warning.
