#!/bin/sh
# devenv snapshots for Redis (see docs/snapshots.md): RDB files in the data volume.
#
# Sent on standard input and run in the Redis container as
#   sh -c 'eval "$(cat)"' devenv-snapshot ACTION [NAME] [replace|keep]
# with DEVENV_SNAPSHOTS, the directory of the snapshots (<name>.rdb), in the data volume, and
# DEVENV_REDIS_CLI, the client (default redis-cli; valkey-cli in Valkey's image, whose
# check tool is then valkey-check-rdb).
# ACTION is one of:
#   save NAME replace|keep  SAVE (a point-in-time copy of the dataset), then the RDB file
#                           is hard-linked (Redis replaces dump.rdb by rename, never in place)
#   restore NAME            check the snapshot with redis-check-rdb, stop automatic saves, put
#                           the snapshot in place of dump.rdb; the caller then runs SHUTDOWN
#                           NOSAVE and starts the container again, which loads it
#   list                    one line per snapshot: NAME TAB BYTES TAB MTIME (epoch seconds)
#   remove NAME             delete it
# Results are lines "devenv-snapshot: ..." on stdout; "devenv-snapshot: failed: WHY" and exit 1
# on failure, which leaves the server and its data as they were.
set -u
action=${1:-}
name=${2:-}
store=${DEVENV_SNAPSHOTS:?}
say() { printf 'devenv-snapshot: %s\n' "$*"; }
fail() {
  say "failed: $*"
  exit 1
}
client=${DEVENV_REDIS_CLI:-redis-cli}
check_rdb=${client%-cli}-check-rdb
cli() { "$client" -h 127.0.0.1 -p "${DEVENV_REDIS_PORT:-6379}" "$@" </dev/null; }
setting() { cli --raw CONFIG GET "$1" | sed -n 2p; }
snap=$store/$name.rdb

case $action in
  list)
    [ -d "$store" ] || exit 0
    for f in "$store"/*.rdb; do
      [ -f "$f" ] || continue
      base=${f##*/}
      printf '%s\t%s\t%s\n' "${base%.rdb}" "$(stat -c %s "$f")" "$(stat -c %Y "$f")"
    done
    exit 0 ;;
  remove)
    [ -f "$snap" ] || fail "no snapshot $name"
    rm -f "$snap" || fail "cannot delete $snap"
    say removed
    exit 0 ;;
  save | restore) ;;
  *) fail "unknown action '$action'" ;;
esac

dir=$(setting dir)
[ -n "$dir" ] || fail "Redis does not answer (CONFIG GET dir)"
rdb=$dir/$(setting dbfilename)

if [ "$action" = save ]; then
  if [ -f "$snap" ] && [ "${3:-keep}" != replace ]; then fail "snapshot exists"; fi
  # SAVE is refused while a background save runs: wait for it (at most 60 s)
  i=0
  until out=$(cli SAVE 2>&1) && [ "$out" = OK ]; do
    i=$((i + 1))
    [ "$i" -lt 600 ] || fail "SAVE: $out"
    sleep 0.1
  done
  mkdir -p "$store" || fail "cannot create $store"
  part=$store/.$name.part
  rm -f "$part"
  ln "$rdb" "$part" 2>/dev/null || cp "$rdb" "$part" || fail "cannot copy $rdb"
  touch "$part"
  mv -f "$part" "$snap" || fail "cannot write $snap"
  say "saved $(stat -c %s "$snap")"
  exit 0
fi

# restore
[ -f "$snap" ] || fail "no snapshot $name"
[ "$(setting appendonly)" != yes ] || fail "appendonly is on: the server would load its AOF, not the snapshot"
if command -v "$check_rdb" >/dev/null 2>&1; then
  "$check_rdb" "$snap" >/dev/null 2>&1 || fail "snapshot $name is not a valid RDB file ($check_rdb)"
fi
next=$dir/.devenv-restore.rdb
rm -f "$next"
ln "$snap" "$next" 2>/dev/null || cp "$snap" "$next" || fail "cannot copy $snap"
saves=$(setting save)
cli CONFIG SET save "" >/dev/null || fail "CONFIG SET save failed"
# a background save that finishes now would rename its file over ours: wait for it (at most 60 s)
i=0
while cli INFO persistence | grep -q '^rdb_bgsave_in_progress:1'; do
  i=$((i + 1))
  if [ "$i" -ge 600 ]; then
    cli CONFIG SET save "$saves" >/dev/null
    rm -f "$next"
    fail "a background save does not finish"
  fi
  sleep 0.1
done
if [ -f "$rdb" ] && [ "$(stat -c %i "$next")" = "$(stat -c %i "$rdb")" ]; then
  rm -f "$next"  # dump.rdb is the snapshot's file already (no save since)
elif ! mv -f "$next" "$rdb"; then
  cli CONFIG SET save "$saves" >/dev/null
  rm -f "$next"
  fail "cannot replace $rdb"
fi
say "ready $(stat -c %s "$rdb")"
