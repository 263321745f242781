"""Raw compose keys (`compose:`), the dependency `image:` override and the service `dockerfile:`."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from devenv.errors import SpecError
from devenv.export import build_files
from devenv.render.compose import LABEL_HASH, render_compose
from devenv.render.raw import literal, merge_raw
from devenv.spec.loader import load_project

SPEC = """\
name: shop
services:
  api:
    path: services/api
    dockerfile: docker/Dockerfile.dev
    port: 8000
    public: true
    env: {LOG_LEVEL: debug}
    depends_on: [db]
    compose:
      cap_add: [NET_ADMIN]
      environment: [EXTRA=$HOME, LOG_LEVEL=info]
      labels: {team: core}
      init: null
      ports: ['0.0.0.0:8000:8000', '9229:9229']
      depends_on: {db: {condition: service_started}}
      build: {args: {VERSION: '1.2'}}
dependencies:
  db:
    kind: postgres
    version: 16-alpine
    image: registry.corp.example/postgres:16-alpine
    compose:
      volumes: ['pgdata:/var/lib/postgresql/data']
      healthcheck: {interval: 5s}
fixtures: {db: fixtures/db}
images: {registry: registry.example.com/team}
environments: {staging: {}}
compose:
  volumes: {pgdata: {}}
  x-owner: platform
"""


@pytest.fixture
def project(make_project):
    root = make_project(SPEC)
    docker = root / "services" / "api" / "docker"
    docker.mkdir(parents=True)
    (docker / "Dockerfile.dev").write_text("FROM python:3.12 AS dev\n")
    (root / "fixtures" / "db").mkdir(parents=True)
    return load_project(root, environ={})


def test_merge_raw_rules():
    base = {"environment": {"A": "1"}, "ports": ["1:1"], "init": True, "labels": {"x": "y"}}
    raw = {"environment": ["B=2", "A=3", "C"], "ports": ["2:2"], "init": None, "labels": {"z": "$v", "x": None}}
    assert merge_raw(base, raw) == {
        "environment": {"A": "3", "B": "2", "C": None},
        "ports": ["2:2"],
        "labels": {"z": "$$v"},
    }
    assert merge_raw({"environment": {"A": "1"}}, {"environment": {"A": None}}) == {"environment": {}}
    assert merge_raw({"depends_on": {"db": {"condition": "service_healthy"}}}, {"depends_on": ["web"]}) == {
        "depends_on": {"db": {"condition": "service_healthy"}, "web": {"condition": "service_started"}}
    }
    assert merge_raw(base, {}) is base
    assert literal({"a$": ["$x", 1, None]}) == {"a$": ["$$x", 1, None]}


def test_raw_keys_merge_last_and_the_hash_covers_them(project):
    data = render_compose(project).data
    api = data["services"]["api"]
    assert api["cap_add"] == ["NET_ADMIN"]
    assert api["environment"]["LOG_LEVEL"] == "info"  # raw wins over env
    assert api["environment"]["EXTRA"] == "$$HOME"  # literal
    assert "DATABASE_URL" in api["environment"]  # devenv's still there
    assert api["ports"] == ["0.0.0.0:8000:8000", "9229:9229"]  # lists replace
    assert "init" not in api  # null removes
    assert api["depends_on"]["db"] == {"condition": "service_started"}
    assert api["depends_on"]["db-seed"] == {"condition": "service_completed_successfully"}
    assert api["build"] == {
        "context": "services/api",
        "dockerfile": "docker/Dockerfile.dev",
        "args": {"VERSION": "1.2"},
    }
    assert api["labels"]["team"] == "core" and api["labels"]["dev.devenv.role"] == "service"
    assert list(api["labels"])[-1] == LABEL_HASH
    db = data["services"]["db"]
    assert db["image"] == "registry.corp.example/postgres:16-alpine"
    assert db["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert db["healthcheck"]["interval"] == "5s" and db["healthcheck"]["test"][1] == "pg_isready"
    assert data["services"]["db-seed"]["image"] == "registry.corp.example/postgres:16-alpine"
    assert data["volumes"] == {"db-data": {}, "pgdata": {}}
    assert data["x-owner"] == "platform"


def test_changing_a_raw_key_changes_the_hash(project):
    before = render_compose(project).data["services"]["api"]["labels"][LABEL_HASH]
    api = project.spec.services["api"]
    changed = api.model_copy(update={"compose": {**api.compose, "cap_add": ["SYS_PTRACE"]}})
    spec = project.spec.model_copy(update={"services": {"api": changed}})
    after = render_compose(type(project)(root=project.root, spec_path=project.spec_path, spec=spec)).data
    assert after["services"]["api"]["labels"][LABEL_HASH] != before


@pytest.mark.skipif(shutil.which("docker") is None, reason="needs the docker CLI with compose")
def test_compose_reads_the_merged_file(project, tmp_path):
    path = project.root / "docker-compose.yml"
    path.write_text(render_compose(project).text())
    proc = subprocess.run(
        ["docker", "compose", "-f", str(path), "config", "--format", "json"], capture_output=True, text=True
    )
    if "is not a docker command" in proc.stderr:
        pytest.skip("no compose plugin")
    assert proc.returncode == 0, proc.stderr
    assert '"EXTRA": "$$HOME"' in proc.stdout


def test_kubernetes_export_names_every_raw_key_and_uses_the_image(project):
    files, rendered = build_files(project, "staging", "0123456789ab")
    warnings = rendered.warnings
    for key in ("cap_add", "environment", "labels", "init", "ports", "depends_on", "build"):
        assert f"services.api.compose.{key}: not carried to Kubernetes" in warnings
    assert "dependencies.db.compose.volumes: not carried to Kubernetes" in warnings
    assert "compose.x-owner: not carried to Kubernetes" in warnings
    text = files["base/dependency-db.yaml"]
    assert "registry.corp.example/postgres:16-alpine" in text
    assert "app.kubernetes.io/version: 16-alpine" in text


def test_dockerfile_outside_the_project_is_refused(make_project):
    root = make_project(SPEC.replace("docker/Dockerfile.dev", "../../../Dockerfile"))
    (root / "services" / "api").mkdir(parents=True)
    (root / "fixtures" / "db").mkdir(parents=True)
    with pytest.raises(SpecError, match=r"services.api.dockerfile: '../../../Dockerfile' is outside"):
        load_project(root, environ={})


def test_schema_describes_the_raw_keys():
    from devenv.spec.schema import spec_schema

    schema = spec_schema()
    service = schema["$defs"]["Service"]["properties"]
    assert service["compose"]["type"] == "object"
    assert "image" in schema["$defs"]["Dependency"]["properties"]
    assert schema["properties"]["compose"]["type"] == "object"


def test_texts_a_yaml_12_reader_takes_for_numbers_are_quoted():
    from ruamel.yaml import YAML

    from devenv.render.yamlout import FlowMap, dump_yaml

    values = ["08", "1e3", "0o17", "1_000", "0x1F", "12", "v1.2", "3.11-slim"]
    text = dump_yaml({"env": values, "dep": FlowMap(kind="redis", version="7")}, flow_lists=True)
    assert YAML(typ="safe").load(text) == {"env": values, "dep": {"kind": "redis", "version": "7"}}
    assert "dep: {kind: redis, version: '7'}" in text
