"""Shared helpers of the Kubernetes export tests: the example, edge-case specs, manifest walkers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from devenv.export import build_files
from devenv.spec.loader import load_project

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "shop"
TAG = "0123456789ab"
K8S_VERSIONS = ("1.30", "1.31", "1.32", "1.33", "1.34")

# Edge cases the golden files cover, besides the example.
NO_PUBLIC = """\
name: inner
services:
  api:
    port: 8080
    health: /ready
    depends_on: [cache, docs]
  docs:
    image: ghcr.io/acme/docs:2.1
    port: 8080
dependencies:
  cache: {kind: redis}
images:
  registry: registry.example.com/team
  mirror: {ghcr.io: mirror.example.com/ghcr}
environments:
  prod:
    domain: inner.example.com
    namespace: inner
"""

EXTERNAL = """\
name: shop
services:
  api:
    port: 8000
    public: true
    health: /healthz
    depends_on: [db, queue]
dependencies:
  db: {kind: postgres, version: "16"}
  queue: {kind: rabbitmq}
images: {registry: ghcr.io/acme}
environments:
  production:
    domain: shop.example.com
    replicas: {api: 3}
    dependencies: {db: external}
"""

WORKER_ONLY = """\
name: jobs
services:
  worker:
    template: worker
    command: [python, -m, worker, --queue, "$(QUEUE)"]
    env: {QUEUE: emails, API_TOKEN: dev-token, DEBUG: "1", SMTP_HOST: mail.example.com}
    depends_on: [queue]
    replicas: 2
dependencies:
  queue: {kind: rabbitmq, host_port: 15672}
images: {registry: ghcr.io/acme}
environments:
  prod: {}
"""

FIXTURES = """\
name: shop
services:
  api:
    port: 8000
    health: /healthz
    depends_on: [db, cache, queue]
dependencies:
  db: {kind: postgres}
  cache: {kind: redis}
  queue: {kind: rabbitmq}
fixtures:
  db: fixtures/db
  cache: fixtures/cache
  queue: fixtures/queue
images: {registry: ghcr.io/acme}
environments:
  staging: {fixtures: true}
  production: {fixtures: false}
  managed: {fixtures: true, dependencies: {db: external}}
"""
FIXTURE_FILES = {
    "fixtures/db/001_schema.sql": "CREATE TABLE item (id int PRIMARY KEY, name text);\n",
    "fixtures/db/010_item.csv": "id,name\n1,apple\n",
    "fixtures/db/README.md": "not a fixture\n",
    "fixtures/cache/001_flags.redis": "SET feature:new-checkout on\n",
    "fixtures/queue/definitions.json": "{}\n",
}

EDGE_SPECS = {"no-public": NO_PUBLIC, "external": EXTERNAL, "worker-only": WORKER_ONLY, "fixtures": FIXTURES}
EDGE_DIRS = {
    "no-public": ["services/api"],
    "external": ["services/api"],
    "worker-only": ["services/worker"],
    "fixtures": ["services/api"],
}


@pytest.fixture
def example():
    return load_project(EXAMPLE, environ={})


@pytest.fixture
def edge(make_project, tmp_path):
    """edge("worker-only") -> the loaded project of that edge case."""

    def load(name: str):
        root = make_project(EDGE_SPECS[name], dict.fromkeys(EDGE_DIRS[name], ""), root=tmp_path / name)
        if name == "fixtures":
            for rel, text in FIXTURE_FILES.items():
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(text, encoding="utf-8")
        return load_project(root, environ={})

    return load


@pytest.fixture
def stub_seed_scripts(monkeypatch):
    """Golden files hold a stand-in for the seeding scripts, which the fixtures feature owns and changes."""
    from devenv.render.k8s import dependencies
    from devenv.render.programs import ProgramDir

    def stand_in(kind: str) -> ProgramDir:
        return ProgramDir(f"seed-{kind}", {"seed.sh": f"#!/bin/sh\n# the devenv seeding program for {kind}\n"})

    monkeypatch.setattr(dependencies, "seed_programs", stand_in)


@pytest.fixture
def stub_fixture_files(monkeypatch, stub_seed_scripts):
    """The example's golden files name the sample fixtures (repo-root fixtures/) but not their contents."""
    import devenv.export

    real = devenv.export.read_fixtures

    def read(project):
        return {dep: {name: f"-- {dep}/{name}\n" for name in files} for dep, files in real(project).items()}

    monkeypatch.setattr(devenv.export, "read_fixtures", read)


def files_text(files: dict[str, str]) -> str:
    """All files of an export as one text, for a golden file."""
    return "".join(f"### {path}\n{text}" for path, text in sorted(files.items()))


def documents(files: dict[str, str]) -> list[dict[str, Any]]:
    """Every Kubernetes object in the exported files (kustomization and patch files left out)."""
    out = []
    for path, text in sorted(files.items()):
        if not path.endswith(".yaml") or path.endswith("kustomization.yaml") or "/patches/" in path:
            continue
        out.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return out


def plain_documents(project, env: str, **kwargs) -> list[dict[str, Any]]:
    files, _ = build_files(project, env, TAG, fmt="plain", **kwargs)
    return documents(files)


def pod_spec(doc: dict[str, Any]) -> dict[str, Any] | None:
    if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
        return doc["spec"]["template"]["spec"]
    return None


def containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    pod = pod_spec(doc)
    if pod is None:
        return []
    return pod.get("initContainers", []) + pod["containers"]


def by_key(docs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(doc["kind"], doc["metadata"]["name"]): doc for doc in docs}


def load_yaml(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]
