#!/bin/sh
# devenv snapshots for RabbitMQ (see docs/snapshots.md): the broker's definitions (vhosts,
# users, permissions, policies, parameters, queues, exchanges, bindings) as JSON files in
# the data volume. Messages are not part of a snapshot.
#
# Sent on standard input and run in the RabbitMQ container as
#   sh -c 'eval "$(cat)"' devenv-snapshot ACTION [NAME] [replace|keep]
# with DEVENV_SNAPSHOTS, the directory of the snapshots (<name>.json), in the data volume.
# ACTION is one of:
#   save NAME replace|keep  rabbitmqctl export_definitions
#   restore NAME            the current definitions are exported to .previous.json; every
#                           vhost is deleted (with its queues, their messages, exchanges,
#                           bindings, policies and permissions), then the snapshot is
#                           imported. When that fails, .previous.json is imported again
#                           (the messages are gone). Users that are not in the snapshot stay.
#   list                    one line per snapshot: NAME TAB BYTES TAB MTIME (epoch seconds)
#   remove NAME             delete it
# Results are lines "devenv-snapshot: ..." on stdout; "devenv-snapshot: failed: WHY" and exit 1.
set -u
action=${1:-}
name=${2:-}
store=${DEVENV_SNAPSHOTS:?}
say() { printf 'devenv-snapshot: %s\n' "$*"; }
fail() {
  say "failed: $*"
  exit 1
}
ctl() { rabbitmqctl -q "$@" </dev/null; }
first_error() { grep -v '^[[:space:]]*$' "$1" | grep -v '^Error:$' | head -n 1; }
snap=$store/$name.json
err=$store/.error

case $action in
  list)
    [ -d "$store" ] || exit 0
    for f in "$store"/*.json; do
      [ -f "$f" ] || continue
      base=${f##*/}
      case $base in .*) continue ;; esac
      printf '%s\t%s\t%s\n' "${base%.json}" "$(stat -c %s "$f")" "$(stat -c %Y "$f")"
    done
    exit 0 ;;
  remove)
    [ -f "$snap" ] || fail "no snapshot $name"
    rm -f "$snap" || fail "cannot delete $snap"
    say removed
    exit 0 ;;
  save)
    if [ -f "$snap" ] && [ "${3:-keep}" != replace ]; then fail "snapshot exists"; fi
    mkdir -p "$store" || fail "cannot create $store"
    part=$store/.$name.part
    ctl export_definitions "$part" >/dev/null 2>"$err" || fail "export_definitions: $(first_error "$err")"
    mv -f "$part" "$snap" || fail "cannot write $snap"
    say "saved $(stat -c %s "$snap")"
    exit 0 ;;
  restore) ;;
  *) fail "unknown action '$action'" ;;
esac

[ -f "$snap" ] || fail "no snapshot $name"
previous=$store/.previous.json
ctl export_definitions "$previous" >/dev/null 2>"$err" || fail "export_definitions: $(first_error "$err")"
# after a vhost is gone, a failure imports the definitions of before again
back() {
  why=$(first_error "$err")
  ctl import_definitions "$previous" >/dev/null 2>&1
  fail "$1: $why (the definitions of before were imported again; the messages of their queues are lost)"
}
ctl -s list_vhosts name >"$store/.vhosts" 2>"$err" || fail "list_vhosts: $(first_error "$err")"
while IFS= read -r vhost; do
  ctl delete_vhost "$vhost" >/dev/null 2>"$err" || back "delete_vhost $vhost"
done <"$store/.vhosts"
ctl import_definitions "$snap" >/dev/null 2>"$err" || back "import_definitions"
# the seeding's copy of its record (see ../seed.sh) may be stale now: the node's own record decides
rm -f "${RABBITMQ_MNESIA_BASE:-/var/lib/rabbitmq/mnesia}"/*/devenv-fixtures
say "restored $(stat -c %s "$snap")"
