"""Round trip: devenv.yaml -> generate -> import of the generated file -> an equivalent devenv.yaml.

Equivalent means the same render: the compose data of both specs is equal (order aside; the
config-hash labels included), and so is what `docker compose config` makes of both files.
Cluster-only settings (images.registry, environments) are not in a compose file; the
specs here have none.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devenv.importer.compare import compare_configs
from devenv.render.compose import render_compose
from devenv.spec.loader import load_project
from tests.conftest import DOCKERFILE, must
from tests.importer.conftest import compose_config, needs_compose, run_import

pytestmark = needs_compose
ROOT = Path(__file__).resolve().parents[2]

TEMPLATES = """\
name: shop
services:
  api:
    template: backend
    port: 8000
    public: true
    host_port: 18000
    health: /healthz
    env: {LOG_LEVEL: debug, PRICE: "$5", DEBUG: true}
    depends_on: [db, cache]
  worker:
    template: worker
    depends_on: [queue, api]
  web:
    template: frontend
    port: 5173
    public: true
    health: /
    depends_on: [api]
  tool:
    path: services/tool
    dockerfile: docker/Dockerfile.dev
    port: 9000
    health: /ping
    command: [python3, -m, http.server, "9000"]
    develop: {mount: /src, reloader: true, rebuild: [requirements.txt]}
  ext:
    image: ghcr.io/acme/tool:1.2
    compose: {cap_add: [NET_ADMIN], init: true}
dependencies:
  db: {kind: postgres, version: "16"}
  cache: {kind: redis, version: 7-alpine}
  queue: {kind: rabbitmq, host_port: 15672}
  vk: {kind: valkey, image: "registry.corp.example/valkey/valkey:8"}
fixtures: {db: fixtures/db}
ca_certificates: certs/ca.pem
develop: {polling: true}
compose:
  x-team: platform
"""

RAW = """\
name: raw
services:
  api:
    path: api
    port: 8000
    public: true
    env: {A: "1"}
    compose:
      ports: ['0.0.0.0:8000:8000', '9229:9229']
      volumes: ['./api:/app', 'cache:/cache']
      healthcheck: {test: [CMD-SHELL, 'pg_isready || exit 1'], interval: 5s, timeout: 2s, retries: 4, start_period: 9s}
dependencies:
  db:
    kind: postgres
    compose:
      environment: {POSTGRES_PASSWORD: secret}
compose:
  volumes: {cache: {}}
"""


def _project(tmp_path: Path, spec: str) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "devenv.yaml").write_text(spec)
    for name in ("api", "worker", "web"):
        (root / "services" / name).mkdir(parents=True)
        (root / "services" / name / "Dockerfile").write_text(DOCKERFILE)
    (root / "services" / "tool" / "docker").mkdir(parents=True)
    (root / "services" / "tool" / "docker" / "Dockerfile.dev").write_text(DOCKERFILE)
    (root / "api").mkdir()
    (root / "api" / "Dockerfile").write_text(DOCKERFILE)
    (root / "certs").mkdir()
    (root / "certs" / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    (root / "fixtures" / "db").mkdir(parents=True)
    (root / "fixtures" / "db" / "001_schema.sql").write_text("CREATE TABLE t (id int);\n")
    return root


def _round_trip(root: Path) -> tuple[dict, dict]:
    before = render_compose(load_project(root, environ={})).data
    must("-C", root, "generate")
    original = compose_config(root, ["docker-compose.yml"])
    code, out, err = run_import(root, "--force")
    assert code == 0, err
    assert "DIFFERS" not in out
    after = render_compose(load_project(root, environ={})).data
    generated = compose_config(root, ["docker-compose.yml"])
    comparison = compare_configs(original, generated)
    assert comparison.differences() == []
    return before, after


@pytest.mark.parametrize("spec", [TEMPLATES, RAW], ids=["templates-fixtures-ca", "raw-keys"])
def test_import_of_the_generated_file_gives_the_same_render(tmp_path: Path, spec: str):
    root = _project(tmp_path, spec)
    before, after = _round_trip(root)
    assert after == before  # dict equality: the same services, keys and values (and so the same hashes)
    # and again: the import of an imported project's file gives the same devenv.yaml
    first = (root / "devenv.yaml").read_text()
    code, _, err = run_import(root, "--force")
    assert code == 0, err
    assert (root / "devenv.yaml").read_text() == first


def test_templates_come_back_as_templates(tmp_path: Path):
    root = _project(tmp_path, TEMPLATES)
    _round_trip(root)
    spec = load_project(root, environ={}).spec
    assert {name: s.template for name, s in spec.services.items()} == {
        "api": "backend", "ext": None, "tool": None, "web": "frontend", "worker": "worker"
    }  # fmt: skip
    assert spec.services["api"].compose == {} and spec.services["web"].command is None
    assert spec.services["tool"].develop.mount == "/src" and spec.services["tool"].health == "/ping"
    assert spec.fixtures == {"db": "fixtures/db"}
    assert spec.ca_certificates == "certs/ca.pem" and spec.develop.polling
    assert spec.dependencies["vk"].image == "registry.corp.example/valkey/valkey:8"
    assert spec.compose == {"x-team": "platform"}


def test_the_example_round_trips(tmp_path: Path):
    root = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", root, symlinks=False)
    before, after = _round_trip(root)
    assert after == before
    assert sorted(p.name for p in root.iterdir() if "original" in p.name) == ["docker-compose.original.yml"]
