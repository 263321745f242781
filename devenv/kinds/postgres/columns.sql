SELECT 'r' || c.oid::regclass::text FROM pg_class c WHERE c.oid = to_regclass(:'t');
SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY (i.indkey)) THEN 'p' ELSE 'c' END
    || CASE WHEN pg_get_serial_sequence(a.attrelid::regclass::text, a.attname) IS NULL THEN '-' ELSE 's' END || a.attname
  FROM pg_attribute a WHERE a.attrelid = to_regclass(:'t') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum;
-- The table a CSV loads into (psql variable t): `r` and its name as a literal, then one line per
-- column: `p` (in the primary key) or `c`, `s` (fed by a sequence) or `-`, and the column's name.
-- (Notes at the end: psql reports errors by line, so the statements start on line 1.)
