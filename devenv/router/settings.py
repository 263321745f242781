"""Where the router keeps its files, which ports and image it uses: read from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devenv.errors import UsageError

DEFAULT_NAME = "devenv-router"
DEFAULT_IMAGE = "caddy:2"
DEFAULT_HTTPS_PORT = 443
FALLBACK_HTTPS_PORT = 8443
DEFAULT_HTTP_PORT = 80
FALLBACK_HTTP_PORT = 8080
DOMAIN = "localhost"

OFF = ("0", "false", "no", "off")


def data_home(environ: Mapping[str, str] | None = None) -> Path:
    """devenv's per-user data directory: $DEVENV_HOME, else $XDG_DATA_HOME/devenv, else ~/.local/share/devenv."""
    env = os.environ if environ is None else environ
    if env.get("DEVENV_HOME", "").strip():
        return Path(env["DEVENV_HOME"]).expanduser()
    xdg = env.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg) if xdg else Path(env.get("HOME") or Path.home()) / ".local" / "share"
    return base / "devenv"


def _port(env: Mapping[str, str], key: str) -> int | None:
    raw = env.get(key, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise UsageError(f"{key}: '{raw}' is not a port number", hint=f"for example {key}=8443")
    return int(raw)


@dataclass(frozen=True)
class RouterSettings:
    """The router of this machine as the environment describes it.

    ``DEVENV_ROUTER=0`` turns it off for every project (the spec's ``router: false`` for
    one); ``DEVENV_ROUTER_HTTPS_PORT`` / ``DEVENV_ROUTER_HTTP_PORT`` choose the host ports
    (default 443 and 80; when another program holds one, 8443 and 8080);
    ``DEVENV_ROUTER_NAME`` names the container (tests run their own router);
    ``DEVENV_ROUTER_IMAGE`` the image (default ``caddy:2``, through the images mirror).
    """

    enabled: bool
    name: str
    image: str
    home: Path
    https_port: int | None  # None: 443, else 8443 if something else holds 443
    http_port: int | None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> RouterSettings:
        """Read the DEVENV_ROUTER* variables."""
        env = os.environ if environ is None else environ
        return cls(
            enabled=env.get("DEVENV_ROUTER", "").strip().lower() not in OFF,
            name=env.get("DEVENV_ROUTER_NAME", "").strip() or DEFAULT_NAME,
            image=env.get("DEVENV_ROUTER_IMAGE", "").strip() or DEFAULT_IMAGE,
            home=data_home(env),
            https_port=_port(env, "DEVENV_ROUTER_HTTPS_PORT"),
            http_port=_port(env, "DEVENV_ROUTER_HTTP_PORT"),
        )

    @property
    def ca_dir(self) -> Path:
        """The user's certificate authority (key mode 0600)."""
        return self.home / "ca"

    @property
    def state_dir(self) -> Path:
        """The router's files: mounted at /etc/caddy in its container (Caddyfile, certs/), and routes/."""
        return self.home / "router" / self.name


def hostname(service: str, project: str) -> str:
    """``api``, ``shop`` -> ``api.shop.localhost``."""
    return f"{service}.{project}.{DOMAIN}"


def https_url(host: str, port: int) -> str:
    """``https://api.shop.localhost`` (the port only when it is not 443)."""
    return f"https://{host}" + ("" if port == 443 else f":{port}")
