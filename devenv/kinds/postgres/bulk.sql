-- Sets devenv_bulk: may a large CSV loading into the empty table drop its primary key, unique
-- constraints and plain indexes, COPY, and build them again, in the same transaction (as
-- pg_restore does)? Not when anything depends on them (foreign keys of other tables, views),
-- nor for partitioned or inherited tables. seed.sh replaces each REL placeholder (between
-- at signs) with the table's name as a literal.
SELECT c.relkind = 'r' AND NOT c.relhassubclass
   AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = c.oid)
   AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid)
   AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND (i.indisclustered OR i.indisreplident))
   AND NOT EXISTS (
     SELECT 1 FROM pg_depend d WHERE d.deptype = 'n' AND (
       (d.refclassid = 'pg_constraint'::regclass
         AND d.refobjid IN (SELECT k.oid FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype IN ('p', 'u')))
       OR (d.refclassid = 'pg_class'::regclass
         AND d.refobjid IN (SELECT i.indexrelid FROM pg_index i WHERE i.indrelid = c.oid))))
  AS devenv_bulk FROM pg_class c WHERE c.oid = '@REL@'::regclass \gset
