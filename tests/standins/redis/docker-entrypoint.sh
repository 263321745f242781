#!/bin/sh
# Same behaviour as the official redis image entrypoint.
set -e

# `docker run IMAGE --appendonly yes` or `docker run IMAGE /path/redis.conf`
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

# Run the server as the redis user (data in /data owned by it).
if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then
	find . \! -user redis -exec chown redis '{}' +
	exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

um="$(umask)"
if [ "$um" = '0022' ]; then
	umask 0077
fi

# Without a config file that says otherwise, turn protected mode off so
# other containers can connect (the official image does the same).
if [ "$1" = 'redis-server' ]; then
	doProtectedMode=1
	configFile=
	if [ -f "${2:-}" ]; then
		configFile="$2"
		if grep -q '^protected-mode' "$configFile"; then
			doProtectedMode=
		fi
	fi
	if [ "$doProtectedMode" ]; then
		shift # redis-server
		if [ "$configFile" ]; then
			shift
		fi
		set -- --protected-mode no "$@"
		if [ "$configFile" ]; then
			set -- "$configFile" "$@"
		fi
		set -- redis-server "$@"
	fi
fi

exec "$@"
