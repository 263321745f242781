#!/bin/sh
# Same behaviour as the official memcached image entrypoint:
# `docker run IMAGE -m 64` means memcached -m 64.
set -e

if [ "${1#-}" != "$1" ]; then
	set -- memcached "$@"
fi

exec "$@"
