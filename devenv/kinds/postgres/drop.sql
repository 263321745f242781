-- Before a bulk load (see bulk.sql): keeps the DDL that re-creates the table's primary key,
-- unique constraints and plain indexes in devenv_rebuild, then drops them. seed.sh replaces
-- each REL placeholder (between at signs) with the table's name as a literal.
CREATE TEMP TABLE devenv_rebuild ON COMMIT DROP AS
  SELECT 0 AS step, format('ALTER TABLE %s ADD CONSTRAINT %I %s', k.conrelid::regclass, k.conname, pg_get_constraintdef(k.oid)) AS ddl
    FROM pg_constraint k WHERE k.conrelid = '@REL@'::regclass AND k.contype IN ('p', 'u')
  UNION ALL
  SELECT 1, pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = '@REL@'::regclass
     AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid);
SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', k.conrelid::regclass, k.conname)
  FROM pg_constraint k WHERE k.conrelid = '@REL@'::regclass AND k.contype IN ('p', 'u') \gexec
SELECT format('DROP INDEX %s', i.indexrelid::regclass) FROM pg_index i WHERE i.indrelid = '@REL@'::regclass
   AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid) \gexec
