#!/usr/bin/env bash
# Bring up examples/shop and print its URLs.
# Where Docker Hub cannot be reached (air-gapped or proxied machines), build local
# stand-ins for the official images and point devenv at them with a registry mirror:
# the same DEVENV_IMAGES_MIRROR setting a user with a private mirror uses.
set -euo pipefail
VENV=${1:-.venv}
cd "$(dirname "$0")/.."

if [ -z "${DEVENV_CA_CERTIFICATES:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  # Builds trust the host's CA bundle (corporate TLS proxies).
  export DEVENV_CA_CERTIFICATES=/etc/ssl/certs/ca-certificates.crt
fi
if [ -z "${DEVENV_IMAGES_MIRROR:-}" ]; then
  # Docker Hub answers 401 to an anonymous /v2/ request when it is reachable.
  code=$("$VENV/bin/python" - <<'PY'
import urllib.error, urllib.request
try:
    print(urllib.request.urlopen("https://registry-1.docker.io/v2/", timeout=5).status)
except urllib.error.HTTPError as exc:
    print(exc.code)
except Exception:
    print(0)
PY
)
  if [ "$code" != "401" ] && [ "$code" != "200" ]; then
    echo "==> Docker Hub is not reachable here: using local stand-in images (tests/standins)"
    "$VENV/bin/python" tests/standins/build.py postgres redis python caddy
    export DEVENV_IMAGES_MIRROR=docker.io=devenv-local
  fi
fi
"$VENV/bin/devenv" -C examples/shop up --timeout 300
echo
echo "Try:  curl -X POST localhost:8000/api/visits && curl localhost:8000/api/visits"
echo "      https://api.shop.localhost/api/visits in a browser, after \`devenv trust\` (docs/router.md)"
echo "Stop: make demo-down   (data survives; add --volumes to delete it)"
