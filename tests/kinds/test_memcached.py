"""Memcached: the kind's pure parts, and its health check (bash, no client) against a stand-in server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading

import pytest

from devenv.kinds import get
from devenv.kinds.memcached import HEALTH
from devenv.kinds.programs import seed_program


def test_url_and_what_it_does_not_have():
    kind = get("memcached")
    assert kind.image(None) == "memcached:1"
    assert kind.url("cache", "my-shop") == "memcached://cache:11211"
    assert kind.host_url(21211, "x") == "memcached://localhost:21211"
    assert kind.url_env == "MEMCACHED_URL" and kind.cluster.component == "cache"
    assert not kind.seeds and not kind.snapshots and kind.data_path == "" and kind.container_env("x") == {}
    with pytest.raises(ValueError, match="no seeding program"):
        seed_program("memcached")


def serve(reply: bytes) -> tuple[socket.socket, int]:
    """A one-connection TCP server that answers the first line it reads with ``reply``."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def answer() -> None:
        conn, _ = server.accept()
        with conn:
            if conn.recv(64).startswith(b"version\r\n"):
                conn.sendall(reply)

    threading.Thread(target=answer, daemon=True).start()
    return server, server.getsockname()[1]


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("timeout") is None, reason="needs bash and timeout")
@pytest.mark.parametrize(("reply", "healthy"), [(b"VERSION 1.6.18\r\n", True), (b"ERROR\r\n", False)])
def test_health_check_speaks_the_text_protocol(reply, healthy):
    server, port = serve(reply)
    with server:
        proc = subprocess.run(["bash", "-c", HEALTH.format(port=port)], capture_output=True, timeout=10)
    assert (proc.returncode == 0) is healthy


def test_health_check_fails_when_nothing_listens():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, not listening: connection refused
        proc = subprocess.run(["bash", "-c", HEALTH.format(port=port)], capture_output=True, timeout=10)
    assert proc.returncode != 0


def test_fixtures_for_memcached_are_refused(make_project):
    from devenv.errors import DevenvError
    from devenv.spec.loader import load_project

    root = make_project("name: shop\ndependencies:\n  cache: {kind: memcached}\nfixtures:\n  cache: fixtures/cache\n")
    (root / "fixtures" / "cache").mkdir(parents=True)
    with pytest.raises(DevenvError, match="memcached dependency, which loads no fixtures"):
        load_project(root, environ={})
