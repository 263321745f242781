CREATE TABLE IF NOT EXISTS devenv_fixtures (file VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY, checksum CHAR(64) CHARACTER SET ascii NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
SELECT CONCAT(checksum, ' ', file) FROM devenv_fixtures;
-- The records of applied fixture files (created on the first run), then `<sha256> <file>` lines.
-- (Notes at the end: the client reports errors by line, so the statements start on line 1.)
