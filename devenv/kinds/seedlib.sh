# shellcheck shell=sh
# The shared part of devenv's seeding scripts (see docs/fixtures.md). Each kind's seed.sh
# finds its programs, sources this file and calls seed_init:
#
#   here=${DEVENV_PROGRAMS:-$(dirname "$0")}
#   programs=$(cd "$here" && pwd) || ...
#   . "$programs/seedlib.sh"
#   seed_init
#
# The protocol every kind follows:
# - DEVENV_FIXTURES_MODE: apply (default) applies new and changed files; reset first
#   removes what fixtures made, then applies everything.
# - Files are applied in name order (LC_ALL=C) from DEVENV_FIXTURES_DIR (default
#   /fixtures, read-only).
# - Each applied file is recorded with its SHA-256 inside the dependency; a file whose
#   checksum is recorded is skipped.
# - Every result is one line `devenv-seed: applied|failed|reset|done ...` that
#   devenv.fixtures.runtime turns into events (keep them byte for byte); the database's
#   own messages follow a failure line, indented. Exit 1 on the first failure.
#
# Keep it POSIX sh (dash, busybox ash and bash run it) and free of tabs.

# say WORDS...: one protocol line.
say() { printf 'devenv-seed: %s\n' "$*"; }

# fail MESSAGE: the failure line, then what the last client command wrote to $tmp/err, indented.
fail() {
  say "failed $1"
  if [ -s "$tmp/err" ]; then sed 's/^/    /' "$tmp/err"; fi
  exit 1
}

# seed_init: sets dir (the fixtures), mode, tmp (a scratch directory removed on exit),
# applied=0 and unchanged=0; writes the names in $dir, sorted, to $tmp/list; and changes
# to $dir (so psql's \i and \copy of relative names work). Exits 2 on a bad mode.
seed_init() {
  set -u
  export LC_ALL=C
  dir=${DEVENV_FIXTURES_DIR:-/fixtures}
  mode=${DEVENV_FIXTURES_MODE:-apply}
  tmp=$(mktemp -d) || exit 1
  trap 'wait; rm -rf "$tmp"' EXIT
  : >"$tmp/err"
  case $mode in
    apply|reset) ;;
    *) say "failed: DEVENV_FIXTURES_MODE must be apply or reset, not '$mode'"; exit 2 ;;
  esac
  # shellcheck disable=SC2012 # the fixture names are plain file names; ls -A | sort is the same in busybox
  ls -A "$dir" 2>/dev/null | sort >"$tmp/list"
  cd "$dir" 2>/dev/null || true
  # shellcheck disable=SC2034 # the counters belong to the seed.sh that sources this file
  applied=0 unchanged=0
}
