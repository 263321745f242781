"""Integration fixtures: a real engine, stand-in images, isolated projects.

Every test project gets a unique name (so a unique Compose project, network and
volumes) and free host ports, and is removed afterwards, volumes and images too.
Official images are reached through `images.mirror` (docker.io -> devenv-local),
the same feature a user with a private mirror uses; builds trust the host CA
bundle through `ca_certificates`, the same feature a user behind a TLS proxy uses.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The per-machine router (devenv/router/) is off unless a test turns it on with its own
# container name, ports and data directory (tests/integration/test_router.py): tests never
# touch a user's router, CA or port 443.
os.environ.setdefault("DEVENV_ROUTER", "0")
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
MIRROR_PREFIX = "devenv-local"


def _load_standins():
    spec = importlib.util.spec_from_file_location("standins_build", ROOT / "tests" / "standins" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["standins_build"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def engine():
    """The real engine; fail (not skip) when docker-marked tests run without one."""
    from devenv.runtime.engine import Engine

    try:
        return Engine.connect()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"integration tests need a Docker Engine: {exc} (run `make engine`)")


@pytest.fixture(scope="session")
def standins(engine):
    """Build (or reuse, cached by tag and content hash) the stand-in images."""
    return _load_standins().ensure_images(["postgres", "redis", "python"], prefix=MIRROR_PREFIX)


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A loopback port free now, below the kernel's ephemeral range (32768+ here).

    Ports the kernel picks for port 0 come from that range, and so do the ones the engine
    picks for a container published without a host port: a port taken from it could be
    given to something else before the test binds it. Never the same port twice in a run.
    """
    while True:
        port = random.randrange(20000, 32000)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port


class TestProject:
    """A throw-away project directory with a unique name."""

    def __init__(self, root: Path, name: str):
        self.root = root
        self.name = name

    def write(self, spec: str, mirror: str = MIRROR_PREFIX) -> None:
        header = textwrap.dedent(
            f"""\
            name: {self.name}
            images:
              mirror: {{docker.io: {mirror}}}
            """
        )
        if (self.root / "certs" / "ca.pem").exists():
            header += "ca_certificates: certs/ca.pem\n"
        (self.root / "devenv.yaml").write_text(header + textwrap.dedent(spec))

    def compose(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", "compose", "-f", str(self.root / "docker-compose.yml"), *args],
            capture_output=True,
            text=True,
            env={**__import__("os").environ, "COMPOSE_BAKE": "false"},
        )

    def volumes(self) -> list[str]:
        out = subprocess.run(
            ["docker", "volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={self.name}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return sorted(out.stdout.split())


@pytest.fixture
def project(tmp_path, standins):
    """A fresh project; torn down with its volumes and images afterwards."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    root = tmp_path / name
    root.mkdir()
    if HOST_CA.is_file():
        (root / "certs").mkdir()
        shutil.copy(HOST_CA, root / "certs" / "ca.pem")
    made = TestProject(root, name)
    yield made
    remove_project(name)


def remove_project(name: str) -> None:
    """Remove a test project's containers, volumes and images, and those of its
    `-test` / `-check` / `-prod` companions (devenv test, devenv check, prod image checks),
    whatever state it is in."""
    for project in (name, f"{name}-test", f"{name}-check", f"{name}-prod"):
        subprocess.run(
            ["docker", "compose", "-p", project, "down", "--volumes", "--remove-orphans", "--timeout", "2"],
            capture_output=True,
        )
    images = subprocess.run(
        ["docker", "images", "-q", "--filter", f"reference={name}-*"], capture_output=True, text=True
    ).stdout.split()
    if images:
        subprocess.run(["docker", "rmi", "-f", *sorted(set(images))], capture_output=True)


def copy_example_api(root: Path) -> None:
    shutil.copytree(ROOT / "examples" / "shop" / "services" / "api", root / "services" / "api")


def http(method: str, url: str, timeout: float = 10) -> tuple[int, dict]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def until(check: Any, timeout: float, what: str, interval: float = 0.02) -> Any:
    """Poll ``check()`` until it returns something truthy (returned); OSError counts as not yet."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except OSError as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"{what} within {timeout}s (last: {last!r})")


def wait_http(url: str, timeout: float = 60) -> None:
    """Until ``url`` answers 200."""
    until(lambda: http("GET", url, timeout=2)[0] == 200, timeout, f"{url} answering 200", interval=0.3)


def init_project(parent: Path, suffix: int = 10) -> tuple[Path, str]:
    """`devenv init` of a uniquely named project that reaches the stand-ins through images.mirror
    and trusts the host CA (node stand-in ensured for frontend templates). Returns (root, name)."""
    from tests.conftest import must

    _load_standins().ensure_images(["node"], prefix=MIRROR_PREFIX)
    name = f"t-{uuid.uuid4().hex[:suffix]}"
    root = parent / name
    must("init", root, "--name", name)
    extra = f"images:\n  mirror: {{docker.io: {MIRROR_PREFIX}}}\n"
    if HOST_CA.is_file():
        (root / "certs").mkdir()
        shutil.copy(HOST_CA, root / "certs" / "ca.pem")
        extra += "ca_certificates: certs/ca.pem\n"
    with (root / "devenv.yaml").open("a") as handle:
        handle.write(extra)
    return root, name


def scaffold_stack(parent: Path) -> tuple[Path, str, int, int]:
    """`devenv init` + PostgreSQL + Redis + backend, worker and frontend, as a user would type it.

    The project reaches the stand-ins through images.mirror and trusts the host CA.
    Returns (root, name, api host port, web host port).
    """
    from tests.conftest import must

    root, name = init_project(parent)
    api_port, web_port = free_port(), free_port()
    must("-C", root, "add", "dependency", "postgres", "--version", "15")
    must("-C", root, "add", "dependency", "redis", "--version", "7")
    must("-C", root, "add", "service", "api", "--template", "backend", "--host-port", api_port)
    must("-C", root, "add", "service", "worker", "--template", "worker", "--queue", "redis")
    must("-C", root, "add", "service", "web", "--template", "frontend", "--host-port", web_port)
    return root, name, api_port, web_port
