"""The router fixture of the real-engine router tests: a router of the test's own, and HTTPS by name.

Each test runs its own router (container name, host ports and data directory of its own,
through DEVENV_ROUTER_NAME, DEVENV_ROUTER_HTTPS_PORT/HTTP_PORT and DEVENV_HOME), so no
user's router, CA or port 443 is touched. Names are resolved the way ``curl --resolve``
does: connect to 127.0.0.1, send the name as SNI and Host (glibc on this machine has no
nss-myhostname; docs/router.md says what users need).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.conftest import MIRROR_PREFIX, _load_standins, free_port, remove_project


@dataclass
class Router:
    name: str
    https: int
    http: int
    home: Path

    @property
    def ca(self) -> str:
        return str(self.home / "ca" / "ca.pem")


def https_get(host: str, port: int, path: str = "/who", cafile: str | None = None) -> tuple[int, str]:
    """GET https://host:port/path with the name resolved to 127.0.0.1 (SNI and Host: the name)."""
    context = ssl.create_default_context(cafile=cafile) if cafile else ssl.create_default_context()
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn = http.client.HTTPSConnection(host, port, context=context, timeout=10)
    try:
        conn.sock = context.wrap_socket(raw, server_hostname=host)
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode().strip()
    finally:
        conn.close()
        raw.close()


def http_get(host: str, port: int, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Host": f"{host}:{port}"})
    return conn.getresponse()


@pytest.fixture(name="router")
def router_fixture(tmp_path, monkeypatch, engine):
    """A router of the test's own (name, ports, data directory), removed with its network afterwards."""
    _load_standins().ensure_images(["caddy", "python"], prefix=MIRROR_PREFIX)
    made = Router(f"t-router-{uuid.uuid4().hex[:8]}", free_port(), free_port(), tmp_path / "devenv-home")
    monkeypatch.setenv("DEVENV_ROUTER", "1")
    monkeypatch.setenv("DEVENV_HOME", str(made.home))
    monkeypatch.setenv("DEVENV_ROUTER_NAME", made.name)
    monkeypatch.setenv("DEVENV_ROUTER_HTTPS_PORT", str(made.https))
    monkeypatch.setenv("DEVENV_ROUTER_HTTP_PORT", str(made.http))
    yield made
    subprocess.run(["docker", "rm", "-f", "-v", made.name], capture_output=True)
    subprocess.run(["docker", "network", "rm", made.name], capture_output=True)  # the router's own network


def remove_routed(router: Router, project: str) -> None:
    """Remove a test project the router may still be attached to (else Compose cannot remove its network)."""
    subprocess.run(["docker", "network", "disconnect", "-f", f"{project}_default", router.name], capture_output=True)
    remove_project(project)
