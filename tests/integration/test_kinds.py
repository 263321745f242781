"""The newer dependency kinds on the real engine, each from its stand-in image (tests/standins/).

For each: the dependency comes up healthy, a service reaches it with the URL variable it is
given (tests/integration/kind_client.py, run inside the service container), fixtures seed
once and then never again (where the kind seeds), and data survives `down`/`up` (where the
kind keeps any). MongoDB has no stand-in: tests/render/k8s/test_every_kind.py and
tests/kinds/test_mongodb.py cover it by rendering and validation (docs/testing.md).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.integration import conftest
from tests.integration.conftest import MIRROR_PREFIX, _load_standins

pytestmark = pytest.mark.docker

COMPOSE = ["docker", "compose", "-f"]
CLIENT = (Path(__file__).parent / "kind_client.py").read_text()
APP = """\
services:
  app:
    image: python:3.11-slim
    command: [python3, -m, http.server, "8000"]
    depends_on: [{deps}]
"""


def standins(*names: str) -> None:
    _load_standins().ensure_images([*names, "python"], prefix=MIRROR_PREFIX)


def client(project: conftest.TestProject, variable: str, protocol: str, *args: str) -> str:
    """kind_client.py in the app container: what a service sees through its URL variable."""
    compose = [*COMPOSE, str(project.root / "docker-compose.yml")]
    proc = subprocess.run(
        [*compose, "exec", "-T", "app", "python3", "-", variable, protocol, *args],
        input=CLIENT,
        capture_output=True,
        text=True,
        env={**os.environ, "COMPOSE_BAKE": "false"},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.rstrip("\n")


def up(cli, project: conftest.TestProject) -> str:
    code, out, err = cli("-C", project.root, "--output", "plain", "up", "--timeout", "240")
    assert code == 0, out + err
    return out


def down(cli, project: conftest.TestProject) -> None:
    code, out, err = cli("-C", project.root, "down")
    assert code == 0, out + err


# --- memcached ---------------------------------------------------------------------------------


def test_memcached_serves_the_service_and_starts_empty_after_down(project, cli):
    standins("memcached")
    project.write(APP.format(deps="cache") + "dependencies:\n  cache: {kind: memcached}\n")
    out = up(cli, project)
    assert "cache: running (healthy)" in out and "app: running" in out
    assert client(project, "MEMCACHED_URL", "memcached", "set", "greeting", "hello") == "STORED"
    assert client(project, "CACHE_URL", "memcached", "get", "greeting") == "hello"
    assert project.volumes() == []  # in memory only: no data volume
    down(cli, project)
    up(cli, project)
    assert client(project, "MEMCACHED_URL", "memcached", "get", "greeting") == ""  # a cache starts empty


# --- valkey --------------------------------------------------------------------------------------


def seed_counts(cli, project: conftest.TestProject) -> dict[str, tuple[int, int]]:
    """{seed service: (applied, pending)} as `devenv status` counts them."""
    code, out, err = cli("-C", project.root, "status", "--json")
    assert code == 0, err
    return {
        row["service"]: (row["fixtures_applied"], row["fixtures_pending"])
        for row in json.loads(out)["services"]
        if row["service"].endswith("-seed")
    }


def seed_log(project: conftest.TestProject, service: str) -> list[str]:
    return project.compose("logs", "--no-log-prefix", service).stdout.strip().splitlines()


def test_valkey_seeds_once_serves_redis_url_keeps_data_and_snapshots(project, cli):
    standins("valkey")
    fixtures = project.root / "fixtures" / "cache"
    fixtures.mkdir(parents=True)
    (fixtures / "001_flags.redis").write_text('SET feature:new-checkout on\nHSET product:1 sku "MUG-0001-S"\n')
    (fixtures / "010_catalog.json").write_text('{"catalog:categories": ["mugs", "shirts"], "visits": 0}\n')
    spec = "dependencies:\n  cache: {kind: valkey}\nfixtures: {cache: fixtures/cache}\n"
    project.write(APP.format(deps="cache") + spec)
    out = up(cli, project)
    assert "cache: running (healthy)" in out and "cache-seed: exited" in out
    assert seed_log(project, "cache-seed")[-1] == "devenv-seed: done: 2 applied, 0 unchanged"
    assert client(project, "REDIS_URL", "redis", "PING") == "PONG"
    assert client(project, "REDIS_URL", "redis", "INFO", "server").count("valkey_version:8.") == 1
    assert client(project, "CACHE_URL", "redis", "GET", "feature:new-checkout") == "on"
    assert client(project, "REDIS_URL", "redis", "LRANGE", "catalog:categories", "0", "-1") == "mugs\nshirts"
    assert client(project, "REDIS_URL", "redis", "HGET", "product:1", "sku") == "MUG-0001-S"
    assert seed_counts(cli, project) == {"cache-seed": (2, 0)}
    # the service writes; seeding again (up, then the seeding program itself) applies nothing, resets nothing
    assert client(project, "REDIS_URL", "redis", "INCR", "visits") == "1"
    out = up(cli, project)
    again = project.compose("run", "--rm", "--no-deps", "-T", "cache-seed").stdout.strip().splitlines()
    assert again[-1] == "devenv-seed: done: 0 applied, 2 unchanged"
    assert client(project, "REDIS_URL", "redis", "GET", "visits") == "1"
    # data survives down/up (the volume on /data)
    down(cli, project)
    assert project.volumes() == [f"{project.name}_cache-data"]
    up(cli, project)
    assert client(project, "REDIS_URL", "redis", "GET", "visits") == "1"
    assert seed_counts(cli, project) == {"cache-seed": (2, 0)}
    # Redis's snapshot program, run with valkey-cli
    code, out, err = cli("-C", project.root, "snapshot", "save", "before")
    assert code == 0, out + err
    assert client(project, "REDIS_URL", "redis", "INCR", "visits") == "2"
    code, out, err = cli("-C", project.root, "snapshot", "restore", "before")
    assert code == 0, out + err
    assert client(project, "REDIS_URL", "redis", "GET", "visits") == "1"


# --- any image (generic) ---------------------------------------------------------------------------


def test_any_image_from_the_spec_is_healthy_in_status_serves_its_url_and_keeps_its_data(project, cli):
    standins("redis")  # the Redis stand-in, run as an image devenv knows nothing about
    spec = (
        "dependencies:\n"
        "  store:\n"
        "    image: redis:7\n"
        "    port: 6379\n"
        "    health_command: redis-cli -h 127.0.0.1 ping | grep -q PONG\n"
        "    data: /data\n"
        "    url: redis://{host}:{port}/0\n"
    )
    project.write(APP.format(deps="store") + spec)
    out = up(cli, project)
    assert "store: running (healthy)" in out and "app: running" in out
    code, out, err = cli("-C", project.root, "status", "--json")
    assert code == 0, err
    row = next(r for r in json.loads(out)["services"] if r["service"] == "store")
    assert (row["state"], row["health"]) == ("running", "healthy")
    assert client(project, "STORE_URL", "redis", "SET", "visits", "41") == "OK"
    assert client(project, "STORE_URL", "redis", "INCR", "visits") == "42"
    down(cli, project)
    assert project.volumes() == [f"{project.name}_store-data"]
    up(cli, project)
    assert client(project, "STORE_URL", "redis", "GET", "visits") == "42"
