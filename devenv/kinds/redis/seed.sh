#!/bin/sh
# devenv fixtures for Redis (see docs/fixtures.md).
# *.redis files: redis-cli commands, one per line, run as one MULTI/EXEC block;
# *.json files: {key: value} (text/number -> SET, object -> hash, array -> list).
# Checksums are recorded in the hash devenv:fixtures. Reset is FLUSHDB.
#
# Run as `sh seed.sh`, with seedlib.sh, json.lua and quotes.awk side by side in
# $DEVENV_PROGRAMS (default: this script's directory); the server at DEVENV_REDIS_HOST
# (default 127.0.0.1) and DEVENV_REDIS_PORT (default 6379), reached with the client
# DEVENV_REDIS_CLI names (default redis-cli; Valkey's image runs this script with valkey-cli).
here=${DEVENV_PROGRAMS:-$(dirname "$0")}
programs=$(cd "$here" && pwd) || { printf 'devenv-seed: failed: no seeding programs in %s\n' "$here"; exit 1; }
# shellcheck source=../seedlib.sh
. "$programs/seedlib.sh"
seed_init
client=${DEVENV_REDIS_CLI:-redis-cli}
rc() { "$client" -h "${DEVENV_REDIS_HOST:-127.0.0.1}" -p "${DEVENV_REDIS_PORT:-6379}" "$@"; }
i=0
until [ "$(rc PING 2>/dev/null)" = PONG ]; do
  i=$((i + 1))
  if [ "$i" -ge 120 ]; then
    say "failed: Redis at ${DEVENV_REDIS_HOST:-127.0.0.1}:${DEVENV_REDIS_PORT:-6379} does not answer PING"
    exit 1
  fi
  sleep 0.5
done

if [ "$mode" = reset ]; then
  rc FLUSHDB >/dev/null 2>"$tmp/err" || fail "reset: FLUSHDB failed"
  say "reset: flushed database 0 (every key, and the fixtures record)"
fi
rc --raw HGETALL devenv:fixtures 2>"$tmp/err" | awk 'NR % 2 == 1 { f = $0; next } { print $0 " " f }' >"$tmp/recorded"

# the script *.json files run inside Redis (EVAL), one argument
lua=$(cat "$programs/json.lua")

apply_redis() {
  awk -v lines="$tmp/lines" '{ sub(/\r$/, "") } /^[[:space:]]*(#|$)/ { next } { print NR > lines; print }' "$f" >"$tmp/cmds"
  : >>"$tmp/lines"
  n=$(wc -l <"$tmp/cmds")
  # redis-cli skips a line it cannot split (unclosed quotes) and runs the rest: check first
  bad=$(awk -f "$programs/quotes.awk" "$tmp/cmds")
  if [ -n "$bad" ]; then
    fail "$name:$(sed -n "${bad}p" "$tmp/lines"): unbalanced quotes (nothing from this file was applied)"
  fi
  esc=$(printf '%s' "$name" | sed 's/\\/\\\\/g; s/"/\\"/g')
  { echo MULTI; cat "$tmp/cmds"; printf 'HSET devenv:fixtures "%s" %s\n' "$esc" "$sum"; echo EXEC; } \
    | rc --no-raw >"$tmp/out" 2>"$tmp/err" || fail "$name: $client failed"
  bad=$(awk -v n="$n" 'NR >= 2 && NR <= n + 1 && $0 != "QUEUED" { print NR - 1; exit }' "$tmp/out")
  if [ -n "$bad" ]; then
    line=$(sed -n "${bad}p" "$tmp/lines")
    msg=$(sed -n "$((bad + 1))p" "$tmp/out" | sed 's/^(error) //')
    if grep -q '^(error) EXECABORT' "$tmp/out"; then fail "$name:$line: $msg (nothing from this file was applied)"; fi
    rc HDEL devenv:fixtures "$name" >/dev/null 2>&1
    fail "$name:$line: $msg (the file's other commands took effect)"
  fi
  bad=$(awk -v n="$n" 'NR > n + 1 && /^[0-9]+\) \(error\)/ { sub(/\).*/, ""); print; exit } NR > n + 1 && /^\(error\)/ { print 0; exit }' "$tmp/out")
  if [ -n "$bad" ]; then
    rc HDEL devenv:fixtures "$name" >/dev/null 2>&1
    msg=$(grep -m 1 '(error)' "$tmp/out" | sed 's/^.*(error) //')
    line=$(sed -n "${bad}p" "$tmp/lines")
    fail "$name:${line:-?}: $msg (Redis does not roll back: the file's other commands took effect)"
  fi
  rm -f "$tmp/lines"
  if [ "$n" = 1 ]; then word='command'; else word='commands'; fi
  say "applied $name ($n $word)"
}

apply_json() {
  rc --no-raw -x EVAL "$lua" 0 "$name" "$sum" <"$f" >"$tmp/out" 2>"$tmp/err" || fail "$name: $client failed"
  if grep -q '(error)' "$tmp/out"; then
    fail "$name: $(head -n 1 "$tmp/out" | sed 's/^(error) //')"
  fi
  n=$(sed 's/^(integer) //' "$tmp/out")
  if [ "$n" = 1 ]; then word=key; else word=keys; fi
  say "applied $name ($n $word)"
}

while IFS= read -r name; do
  f=$dir/$name
  [ -f "$f" ] || continue
  case $name in .*) continue ;; *.redis|*.json) ;; *) continue ;; esac
  sum=$(sha256sum <"$f" | cut -d' ' -f1)
  if grep -qxF -- "$sum $name" "$tmp/recorded"; then unchanged=$((unchanged + 1)); continue; fi
  case $name in
    *.redis) apply_redis ;;
    *.json) apply_json ;;
  esac
  applied=$((applied + 1))
done <"$tmp/list"
say "done: $applied applied, $unchanged unchanged"
