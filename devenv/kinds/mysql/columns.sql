SELECT CONCAT(IF(COLUMN_KEY = 'PRI', 'p', 'c'), COLUMN_NAME) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @devenv_table AND EXTRA NOT LIKE '%GENERATED%' ORDER BY ORDINAL_POSITION;
-- The columns of the table a CSV loads into (user variable devenv_table), one line each: `p` (in
-- the primary key) or `c`, and the column's name. Generated columns cannot be loaded: left out.
