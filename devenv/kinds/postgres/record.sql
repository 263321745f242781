INSERT INTO public.devenv_fixtures (file, checksum, applied_at) VALUES (:'devenv_file', :'devenv_sum', now())
  ON CONFLICT (file) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = EXCLUDED.applied_at;
-- Records an applied fixture file (psql variables devenv_file, devenv_sum), in the file's transaction.
-- (Notes at the end: psql reports errors by line, so the statements start on line 1.)
