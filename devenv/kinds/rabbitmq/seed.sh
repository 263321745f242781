#!/bin/sh
# devenv fixtures for RabbitMQ (see docs/fixtures.md).
# definitions.json (exchanges, queues, bindings, ...) is imported with rabbitmqctl
# from this container: it reads the node's Erlang cookie from the shared data volume
# and reaches rabbit@<dependency> (the dependency's hostname). The checksum is
# recorded as the global parameter devenv_fixtures (and copied into the node's
# database directory, so an unchanged file costs no rabbitmqctl call). Reset deletes the queues and
# exchanges given as arguments (devenv passes those definitions.json declares).
#
# Run as `sh seed.sh [queue|exchange VHOST NAME]...`, with seedlib.sh side by side in
# $DEVENV_PROGRAMS (default: this script's directory); the node in DEVENV_RABBITMQ_NODE
# (default rabbit@localhost), its database directory under RABBITMQ_MNESIA_BASE. The
# arguments name what a reset deletes.
here=${DEVENV_PROGRAMS:-$(dirname "$0")}
programs=$(cd "$here" && pwd) || { printf 'devenv-seed: failed: no seeding programs in %s\n' "$here"; exit 1; }
# shellcheck source=../seedlib.sh
. "$programs/seedlib.sh"
seed_init
node=${DEVENV_RABBITMQ_NODE:-rabbit@localhost}
# A copy of the record in the node's own database directory (it goes when the node is
# reset): when it matches, nothing is asked of the node, which saves the CLI's start-up.
mark=${RABBITMQ_MNESIA_BASE:-/var/lib/rabbitmq/mnesia}/$node/devenv-fixtures
ctl() { rabbitmqctl -q -n "$node" "$@"; }
erl_bin() { printf '<<"%s"/utf8>>' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
remember() { if [ -d "${mark%/*}" ]; then printf '%s %s\n' "$1" "$2" >"$mark" 2>/dev/null || true; fi; }

f=$dir/definitions.json
if [ "$mode" = apply ] && [ -f "$f" ] && [ -f "$mark" ] \
  && grep -qxF -- "$(sha256sum <"$f" | cut -d' ' -f1) definitions.json" "$mark"; then
  say "done: 0 applied, 1 unchanged"
  exit 0
fi

i=0
until ctl list_global_parameters >"$tmp/params" 2>"$tmp/err"; do
  i=$((i + 1))
  if [ "$i" -ge 30 ]; then fail "RabbitMQ node $node does not answer"; fi
  sleep 2
done

if [ "$mode" = reset ]; then
  exchanges=
  while [ $# -ge 3 ]; do
    case $1 in
      queue)
        if ctl delete_queue -p "$2" "$3" >/dev/null 2>&1; then say "reset: deleted queue $3 (vhost $2)"; fi ;;
      exchange)
        exchanges="$exchanges${exchanges:+, }{$(erl_bin "$2"), $(erl_bin "$3")}" ;;
    esac
    shift 3
  done
  if [ -n "$exchanges" ]; then
    ctl eval "[rabbit_exchange:delete(rabbit_misc:r(V, exchange, X), false, <<\"devenv\">>) || {V, X} <- [$exchanges]]." \
      >/dev/null 2>"$tmp/err" || fail "reset: deleting exchanges failed"
    say "reset: deleted the exchanges definitions.json declares"
  fi
  ctl clear_global_parameter devenv_fixtures >/dev/null 2>&1
  rm -f "$mark"
  : >"$tmp/params"
  say "reset: cleared the fixtures record"
fi

# shellcheck disable=SC2043 # one file today; the same loop as the other kinds
for name in definitions.json; do
  f=$dir/$name
  [ -f "$f" ] || continue
  sum=$(sha256sum <"$f" | cut -d' ' -f1)
  if grep -q "^devenv_fixtures[[:space:]].*\"$name\":\"$sum\"" "$tmp/params"; then
    remember "$sum" "$name"
    unchanged=$((unchanged + 1))
    continue
  fi
  ctl import_definitions "$f" >"$tmp/out" 2>"$tmp/err" \
    || fail "$name: $(grep -v '^[[:space:]]*$' "$tmp/err" | grep -v '^Error:$' | head -n 1)"
  ctl set_global_parameter devenv_fixtures "{\"$name\":\"$sum\"}" >/dev/null 2>"$tmp/err" \
    || fail "$name: imported, but recording its checksum failed"
  remember "$sum" "$name"
  say "applied $name"
  applied=$((applied + 1))
done
say "done: $applied applied, $unchanged unchanged"
