#!/bin/sh
# devenv fixtures for MySQL and MariaDB (see docs/fixtures.md).
# *.sql files run with the image's client (DEVENV_MYSQL_CLIENT: mysql, or mariadb) with
# autocommit off, and are committed together with their record in devenv_fixtures; *.csv
# files are loaded with LOAD DATA LOCAL INFILE into the table the file name gives
# (010_users.csv -> users), after their header is checked against the table's columns.
# Reset drops and re-creates the project's database.
#
# Run as `sh seed.sh`, with seedlib.sh, csv_header.awk, client_error.awk and this
# directory's *.sql files side by side in $DEVENV_PROGRAMS (default: this script's
# directory); the server at DEVENV_MYSQL_HOST and DEVENV_MYSQL_PORT, the database
# DEVENV_MYSQL_DATABASE, the user DEVENV_MYSQL_USER, its password in DEVENV_MYSQL_PASSWORD.
here=${DEVENV_PROGRAMS:-$(dirname "$0")}
programs=$(cd "$here" && pwd) || { printf 'devenv-seed: failed: no seeding programs in %s\n' "$here"; exit 1; }
# shellcheck source=../seedlib.sh
. "$programs/seedlib.sh"
seed_init
db=${DEVENV_MYSQL_DATABASE:?}
client=${DEVENV_MYSQL_CLIENT:-mysql}
host=${DEVENV_MYSQL_HOST:-127.0.0.1}
port=${DEVENV_MYSQL_PORT:-3306}
cr=$(printf '\r')

# option_value TEXT: TEXT as a double-quoted option file value
option_value() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
# the credentials in an option file: never on a command line, where ps shows them
{
  printf '[client]\nhost=%s\nport=%s\n' "$(option_value "$host")" "$port"
  printf 'user=%s\npassword=%s\n' "$(option_value "${DEVENV_MYSQL_USER:-devenv}")" "$(option_value "${DEVENV_MYSQL_PASSWORD:-}")"
  printf 'default-character-set=utf8mb4\n'
} >"$tmp/client.cnf"
sq() { "$client" --defaults-extra-file="$tmp/client.cnf" --local-infile=1 "$@"; }

# client_error NAME OFFSET LINES: the client's message as NAME:LINE: ERROR ...
client_error() { awk -v name="$1" -v offset="$2" -v lines="$3" -f "$programs/client_error.awk" "$tmp/err"; }
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }  # text as SQL needs no quoting: UNHEX('...')
# shellcheck disable=SC2016 # the backquotes are MySQL's identifier quotes
ident() { printf '`%s`' "$(printf '%s' "$1" | sed 's/`/``/g')"; }
literal() { printf "'%s'" "$(printf '%s' "$1" | sed "s/\\\\/\\\\\\\\/g; s/'/''/g")"; }

i=0
until sq -N -B -e 'SELECT 1' "$db" >/dev/null 2>"$tmp/err"; do  # `docker compose run` may skip depends_on
  i=$((i + 1))
  if [ "$i" -ge 120 ]; then
    say "failed: the server at $host:$port does not answer for database $db"
    sed 's/^/    /' "$tmp/err"
    exit 1
  fi
  sleep 0.5
done

if [ "$mode" = reset ]; then
  sq -e "DROP DATABASE IF EXISTS $(ident "$db"); CREATE DATABASE $(ident "$db")" </dev/null >/dev/null 2>"$tmp/err" \
    || fail "$(client_error reset 0 0)"
  say "reset: dropped and re-created database $db (its tables, data and the fixtures record)"
fi
sq -N -B -r "$db" <"$programs/records.sql" >"$tmp/recorded" 2>"$tmp/err" || fail "$(client_error devenv_fixtures 0 0)"

# the first line of a file's script: autocommit off, the file's name and checksum for record.sql
preamble() {
  printf "SET autocommit = 0, @devenv_file = CONVERT(UNHEX('%s') USING utf8mb4), @devenv_sum = '%s';\n" "$(hex "$name")" "$sum"
}

apply_sql() {
  lines=$(awk 'END { print NR }' "$f")
  { preamble; cat "$f"; printf '\n'; cat "$programs/record.sql"; } | sq "$db" >/dev/null 2>"$tmp/err" \
    || fail "$(client_error "$name" 1 "$lines")"
  say "applied $name"
}

apply_csv() {
  table=$(printf '%s\n' "${name%.csv}" | sed 's/^[0-9][0-9]*[_-]//')
  [ -n "$table" ] || fail "$name: the file name gives no table name (name it TABLE.csv or NNN_TABLE.csv)"
  { printf "SET @devenv_table = CONVERT(UNHEX('%s') USING utf8mb4);\n" "$(hex "$table")"; cat "$programs/columns.sql"; } \
    | sq -N -B -r "$db" >"$tmp/columns" 2>"$tmp/err" || fail "$(client_error "$name" 0 0)"
  [ -s "$tmp/columns" ] || fail "$name: table $table does not exist (a CSV file loads into the table its name gives: $name -> $table); create it in an earlier .sql file"
  have=$(awk '{ printf "%s%s", (NR > 1 ? ", " : ""), substr($0, 2) }' "$tmp/columns")
  header_status=0
  awk -f "$programs/csv_header.awk" "$f" >"$tmp/header" || header_status=$?
  if [ "$header_status" = 3 ]; then
    fail "$name: a quoted name in the header holds a line break, or its closing quote is missing"
  fi
  [ -s "$tmp/header" ] || fail "$name: no header row (the first line names the columns of table $table: $have)"
  : >"$tmp/seen"
  n=0 vars='' sets='' cols='' updates='' unknown='' header=''
  while IFS= read -r col; do
    if grep -qxF -- "$col" "$tmp/seen"; then fail "$name: column '$col' appears twice in the header"; fi
    printf '%s\n' "$col" >>"$tmp/seen"
    header="${header:+$header, }$col"
    if grep -qxF -- "p$col" "$tmp/columns"; then
      key=yes
    elif grep -qxF -- "c$col" "$tmp/columns"; then
      key=no
    else
      unknown="${unknown:+$unknown, }$col"
      continue
    fi
    n=$((n + 1))
    q=$(ident "$col")
    vars="${vars:+$vars, }@devenv_c$n"
    sets="${sets:+$sets, }$q = NULLIF(@devenv_c$n, '')"  # an empty field is NULL, as in PostgreSQL's CSV
    cols="${cols:+$cols, }$q"
    if [ "$key" = no ]; then updates="${updates:+$updates, }$q = VALUES($q)"; fi
  done <"$tmp/header"
  if [ -n "$unknown" ]; then
    fail "$name: header does not match table $table: no column(s) $unknown in the table (header: $header; table columns: $have)"
  fi
  covered=yes  # the header holds the whole primary key: rows can be merged by it
  sed -n 's/^p//p' "$tmp/columns" >"$tmp/keys"
  [ -s "$tmp/keys" ] || covered=no
  while IFS= read -r key; do grep -qxF -- "$key" "$tmp/seen" || covered=no; done <"$tmp/keys"
  rel=$(ident "$table")
  sq -N -B "$db" -e "SELECT EXISTS (SELECT 1 FROM $rel)" >"$tmp/full" 2>"$tmp/err" || fail "$(client_error "$name" 0 0)"
  ends='\n'
  if head -n 1 "$f" | grep -q "$cr\$"; then ends='\r\n'; fi
  load() {  # LOAD DATA into table $1
    printf "LOAD DATA LOCAL INFILE %s INTO TABLE %s CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY '' LINES TERMINATED BY '%s' IGNORE 1 LINES (%s) SET %s;\n" \
      "$(literal "$dir/$name")" "$1" "$ends" "$vars" "$sets"
    cat "$programs/loaded.sql"
  }
  how=''
  {
    preamble
    if [ "$(cat "$tmp/full")" = 0 ]; then
      load "$rel"
    elif [ "$covered" = yes ]; then
      how=', merged by primary key'
      printf 'CREATE TEMPORARY TABLE devenv_load LIKE %s;\n' "$rel"
      load devenv_load
      first=$(ident "$(head -n 1 "$tmp/keys")")
      printf 'INSERT INTO %s (%s) SELECT %s FROM devenv_load ON DUPLICATE KEY UPDATE %s;\n' \
        "$rel" "$cols" "$cols" "${updates:-$first = $first}"
    else
      how=', replaced the rows of the table'
      printf 'DELETE FROM %s;\n' "$rel"
      load "$rel"
    fi
    cat "$programs/record.sql"
  } >"$tmp/load.sql"
  if ! sq -N -B "$db" <"$tmp/load.sql" >"$tmp/out" 2>"$tmp/err"; then
    warning=$(awk -F '\t' '$1 == "Warning" || $1 == "Error" { print $1 " " $2 ": " $3; exit }' "$tmp/out")
    if [ -n "$warning" ]; then
      : >"$tmp/err"
      fail "$name: $warning (nothing from this file was loaded)"
    fi
    fail "$(client_error "$name" 0 0)"
  fi
  rows=$(sed -n 's/^devenv-rows: //p' "$tmp/out" | head -n 1)
  rows=${rows:-0}
  if [ "$rows" = 1 ]; then word=row; else word=rows; fi
  say "applied $name ($rows $word into $table$how)"
}

while IFS= read -r name; do
  f=$dir/$name
  [ -f "$f" ] || continue
  case $name in .*) continue ;; *.sql|*.csv) ;; *) continue ;; esac
  sum=$(sha256sum <"$f" | cut -d' ' -f1)
  if grep -qxF -- "$sum $name" "$tmp/recorded"; then unchanged=$((unchanged + 1)); continue; fi
  case $name in
    *.sql) apply_sql ;;
    *.csv) apply_csv ;;
  esac
  applied=$((applied + 1))
done <"$tmp/list"
say "done: $applied applied, $unchanged unchanged"
