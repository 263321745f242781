#!/bin/sh
# Exit 0 when the URL in $1 answers 2xx or 3xx within 4 seconds, with whichever HTTP client
# the image has: curl, wget (GNU or BusyBox), else the Python or Node.js probe beside this file.
url=$1
here=$(dirname "$0")
if command -v curl >/dev/null 2>&1; then
  exec curl -fsS -m 4 -o /dev/null "$url"
elif command -v wget >/dev/null 2>&1; then
  exec wget -q -T 4 -O /dev/null "$url"
elif command -v python3 >/dev/null 2>&1; then
  exec python3 "$here/http_probe.py" "$url"
elif command -v node >/dev/null 2>&1; then
  exec node "$here/http_probe.mjs" "$url"
fi
echo "health check of $url: the image has no curl, wget, python3 or node" >&2
exit 1
