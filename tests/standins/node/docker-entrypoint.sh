#!/bin/sh
# Same as the official node image: `docker run IMAGE app.js` or
# `docker run IMAGE --version` run node; any command is run as given.
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
	set -- node "$@"
fi
exec "$@"
