#!/bin/sh
# Same behaviour as the official valkey image entrypoint.
set -e

# `docker run IMAGE --appendonly yes` or `docker run IMAGE /path/valkey.conf`
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- valkey-server "$@"
fi

# Run the server as the valkey user (data in /data owned by it).
if [ "$1" = 'valkey-server' ] && [ "$(id -u)" = '0' ]; then
	find . \! -user valkey -exec chown valkey '{}' +
	exec setpriv --reuid=valkey --regid=valkey --init-groups "$0" "$@"
fi

um="$(umask)"
if [ "$um" = '0022' ]; then
	umask 0077
fi

# The official image builds valkey-server with protected mode off by default;
# Debian's keeps it on, so say it here (a config file can still turn it on).
if [ "$1" = 'valkey-server' ]; then
	doProtectedMode=1
	configFile=
	if [ -f "${2:-}" ]; then
		configFile="$2"
		if grep -q '^protected-mode' "$configFile"; then
			doProtectedMode=
		fi
	fi
	if [ "$doProtectedMode" ]; then
		shift # valkey-server
		if [ "$configFile" ]; then
			shift
		fi
		set -- --protected-mode no "$@"
		if [ "$configFile" ]; then
			set -- "$configFile" "$@"
		fi
		set -- valkey-server "$@"
	fi
fi

exec "$@"
