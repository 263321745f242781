#!/bin/sh
# devenv fixtures for PostgreSQL (see docs/fixtures.md).
# *.sql files run with psql; *.csv files are loaded with \copy into the table the
# file name gives (010_users.csv -> users). One transaction per file, recorded in
# public.devenv_fixtures. Reset drops and re-creates the public schema.
#
# Run as `sh seed.sh`, with seedlib.sh and this directory's *.sql and *.awk files side by
# side in $DEVENV_PROGRAMS (default: this script's directory); connection settings in
# PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD.
here=${DEVENV_PROGRAMS:-$(dirname "$0")}
programs=$(cd "$here" && pwd) || { printf 'devenv-seed: failed: no seeding programs in %s\n' "$here"; exit 1; }
# shellcheck source=../seedlib.sh
. "$programs/seedlib.sh"
seed_init
tab=$(printf '\t')
export PGCLIENTENCODING=UTF8 PGOPTIONS='-c client_min_messages=warning'
pq() { psql -X -v ON_ERROR_STOP=1 "$@"; }

# db_error NAME SOURCE CSV: the database's message about a psql script, as NAME:LINE: ERROR ...
db_error() {
  awk -v src="psql:$2:" -v name="$1" -v csv="$3" -f "$programs/db_error.awk" "$tmp/err"
}

wait_server() {  # only after a first attempt failed: `docker compose run` may skip depends_on
  i=0
  until pg_isready -q -t 2 >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -ge 120 ]; then
      say "failed: PostgreSQL at ${PGHOST:-localhost}:${PGPORT:-5432} does not accept connections"
      exit 1
    fi
    sleep 0.5
  done
}
reset_schema() {
  pq -q -1 -c 'DROP SCHEMA IF EXISTS public CASCADE' -c 'CREATE SCHEMA public' \
    -c 'GRANT USAGE ON SCHEMA public TO PUBLIC' </dev/null >/dev/null 2>"$tmp/err"
}
read_records() {
  pq -q -At -c 'CREATE TABLE IF NOT EXISTS public.devenv_fixtures (file text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())' \
    -c "SELECT checksum || ' ' || file FROM public.devenv_fixtures" </dev/null >"$tmp/recorded" 2>"$tmp/err"
}

if [ "$mode" = reset ]; then
  reset_schema || { wait_server; reset_schema; } || fail "$(db_error reset - 0)"
  say "reset: dropped and re-created schema public (its tables, data and the fixtures record)"
fi
read_records || { wait_server; read_records; } || fail "$(db_error devenv_fixtures - 0)"

apply_sql() {
  pq -q -1 -v devenv_file="$name" -v devenv_sum="$sum" -f "$f" -f "$programs/record.sql" \
    </dev/null >/dev/null 2>"$tmp/err" || fail "$(db_error "$name" "$f" 0)"
  say "applied $name"
}

sql_text() { printf '%s' "$1" | sed "s/'/''/g"; }
sed_text() { sql_text "$1" | sed 's/[\\/&]/\\&/g'; }

apply_csv() {
  table=$(printf '%s\n' "${name%.csv}" | sed 's/^[0-9][0-9]*[_-]//')
  [ -n "$table" ] || fail "$name: the file name gives no table name (name it TABLE.csv or NNN_TABLE.csv)"
  pq -q -At -v t="$table" -f "$programs/columns.sql" </dev/null >"$tmp/columns" 2>"$tmp/err" \
    || fail "$(db_error "$name" "$programs/columns.sql" 1)"
  rel=$(sed -n 's/^r//p' "$tmp/columns")
  [ -n "$rel" ] || fail "$name: table $table does not exist (a CSV file loads into the table its name gives: $name -> $table); create it in an earlier .sql file"
  # the header's names, read as CSV (csv_header.awk stops after the header), then one pass
  # over them and the table's columns
  header_status=0
  awk -f "$programs/csv_header.awk" "$f" >"$tmp/header" || header_status=$?
  if [ "$header_status" = 3 ]; then
    fail "$name: a quoted name in the header holds a line break, or its closing quote is missing"
  fi
  : >"$tmp/seqs"
  awk -v seqs="$tmp/seqs" -f "$programs/csv_shape.awk" "$tmp/columns" "$tmp/header" >"$tmp/shape"
  have='' header='' cols='' unknown='' dup='' keys='' sets='' covered=no
  while IFS="$tab" read -r key value; do
    case $key in
      have) have=$value ;; header) header=$value ;; cols) cols=$value ;; unknown) unknown=$value ;;
      dup) dup=$value ;; keys) keys=$value ;; sets) sets=$value ;; covered) covered=$value ;;
    esac
  done <"$tmp/shape"
  if [ -z "$cols" ]; then
    fail "$name: no header row (the first line names the columns of table $rel: $have)"
  fi
  [ -z "$dup" ] || fail "$name: column '$dup' appears twice in the header"
  if [ -n "$unknown" ]; then
    fail "$name: header does not match table $rel: no column(s) $unknown in the table (header: $header; table columns: $have)"
  fi
  {  # the load script (bulk.sql and drop.sql without their leading comments)
    # fixtures are development data: the commit need not wait for the disk; large sorts in memory
    printf 'SET LOCAL synchronous_commit = off;\nSET LOCAL maintenance_work_mem = %s;\n' "'256MB'"
    printf 'SELECT NOT EXISTS (SELECT 1 FROM %s) AS devenv_empty \\gset\n' "$rel"
    printf '\\if :devenv_empty\n'
    if [ "$(wc -c <"$f")" -ge 1048576 ]; then
      sed -e '/^--/d' -e "s/@REL@/$(sed_text "$rel")/g" "$programs/bulk.sql"
    else
      printf '\\set devenv_bulk false\n'
    fi
    printf '\\if :devenv_bulk\n'
    printf '\\echo devenv-how: indexes built after the load\n'
    sed -e '/^--/d' -e "s/@REL@/$(sed_text "$rel")/g" "$programs/drop.sql"
    printf '\\copy %s (%s) FROM pstdin WITH (FORMAT csv, HEADER true)\n' "$rel" "$cols"
    printf 'SELECT ddl FROM devenv_rebuild ORDER BY step \\gexec\n'
    printf '\\else\n'
    printf '\\copy %s (%s) FROM pstdin WITH (FORMAT csv, HEADER true)\n' "$rel" "$cols"
    printf '\\endif\n'
    printf '\\else\n'
    if [ "$covered" = yes ]; then
      printf '\\echo devenv-how: merged by primary key\n'
      printf 'CREATE TEMP TABLE devenv_load ON COMMIT DROP AS SELECT %s FROM %s WITH NO DATA;\n' "$cols" "$rel"
      printf '\\copy devenv_load (%s) FROM pstdin WITH (FORMAT csv, HEADER true)\n' "$cols"
      if [ -n "$sets" ]; then action="DO UPDATE SET $sets"; else action="DO NOTHING"; fi
      printf 'INSERT INTO %s (%s) SELECT %s FROM devenv_load ON CONFLICT (%s) %s;\n' "$rel" "$cols" "$cols" "$keys" "$action"
    else
      printf '\\echo devenv-how: replaced the rows of the table\n'
      printf 'DELETE FROM %s;\n' "$rel"
      printf '\\copy %s (%s) FROM pstdin WITH (FORMAT csv, HEADER true)\n' "$rel" "$cols"
    fi
    printf '\\endif\n'
    cat "$tmp/seqs"
  } >"$tmp/load.sql"
  if [ "$sum" = later ]; then
    # a new file: its checksum is computed while it loads and read at the end of the transaction
    rm -f "$tmp/sum"
    (sha256sum <"$f" | cut -d' ' -f1 >"$tmp/sum.part"; mv "$tmp/sum.part" "$tmp/sum") &
    # shellcheck disable=SC2016 # the backquotes are psql's (it runs the command), not the shell's
    printf '\\set devenv_sum `while [ ! -f %s/sum ]; do sleep 0.02; done; cat %s/sum`\n' "$tmp" "$tmp" >>"$tmp/load.sql"
  fi
  pq -1 -v devenv_file="$name" -v devenv_sum="$sum" -f "$tmp/load.sql" -f "$programs/record.sql" \
    <"$f" >"$tmp/out" 2>"$tmp/err" || fail "$(db_error "$name" "$tmp/load.sql" 1)"
  wait
  rows=$(sed -n 's/^COPY \([0-9][0-9]*\)$/\1/p' "$tmp/out" | head -n 1)
  rows=${rows:-0}
  if [ "$rows" = 1 ]; then word=row; else word=rows; fi
  how=$(sed -n 's/^devenv-how: /, /p' "$tmp/out")
  say "applied $name ($rows $word into $rel$how)"
}

while IFS= read -r name; do
  f=$dir/$name
  [ -f "$f" ] || continue
  case $name in .*) continue ;; *.sql|*.csv) ;; *) continue ;; esac
  sum=
  case $name in  # a CSV never applied: no need to wait for its checksum to know it is pending
    *.csv) if ! cut -d' ' -f2- "$tmp/recorded" | grep -qxF -- "$name"; then sum=later; fi ;;
  esac
  if [ -z "$sum" ]; then
    sum=$(sha256sum <"$f" | cut -d' ' -f1)
    if grep -qxF -- "$sum $name" "$tmp/recorded"; then unchanged=$((unchanged + 1)); continue; fi
  fi
  case $name in
    *.sql) apply_sql ;;
    *.csv) apply_csv ;;
  esac
  applied=$((applied + 1))
done <"$tmp/list"
say "done: $applied applied, $unchanged unchanged"
