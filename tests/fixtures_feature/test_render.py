"""The pure compose rendering of fixtures: seed services, their programs as mounted files, ordering."""

from __future__ import annotations

from pathlib import Path

from devenv.fixtures.render import BARRIER, mount_source, render_fixtures, seed_environment
from devenv.kinds.programs import seed_program
from devenv.render.compose import render_compose
from devenv.render.programs import PROGRAMS_DIR
from devenv.spec.loader import load_project

RENDER_TESTS = Path(__file__).resolve().parent.parent / "render"

SPEC = """\
name: shop
services:
  api:
    image: ghcr.io/acme/api:1
    depends_on: [db, cache]
  worker:
    image: ghcr.io/acme/worker:1
    depends_on: [queue]
  tool:
    image: ghcr.io/acme/tool:1
dependencies:
  db: {kind: postgres, version: "15"}
  cache: {kind: redis}
  queue: {kind: rabbitmq}
  plain: {kind: postgres}
fixtures:
  db: fixtures/db
  cache: ./fixtures/cache/
  queue: data/$queue
images:
  mirror: {docker.io: registry.corp.example/hub}
"""


def project_with_fixtures(make_project, spec: str = SPEC):
    root = make_project(spec)
    files = (("fixtures/db", "001.sql"), ("fixtures/cache", "a.redis"), ("data/$queue", "definitions.json"))
    for folder, name in files:
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_text("{}\n" if name.endswith(".json") else "SELECT 1;\n")
    return load_project(root, environ={})


def test_spec_with_fixtures_golden(make_project, golden):
    golden(RENDER_TESTS, "fixtures.compose.yml", render_compose(project_with_fixtures(make_project)).text())


def test_one_seed_service_per_entry_with_the_dependency_image_and_script(make_project):
    services = render_compose(project_with_fixtures(make_project)).data["services"]
    seed = services["db-seed"]
    assert seed["image"] == "registry.corp.example/hub/library/postgres:15"  # the dependency's, mirrored
    assert seed["entrypoint"] == ["sh", "/devenv/seed.sh"]
    assert seed["volumes"] == [f"./{PROGRAMS_DIR}/seed-postgres:/devenv:ro", "./fixtures/db:/fixtures:ro"]
    assert "configs" not in seed
    assert seed["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert seed["labels"]["dev.devenv.role"] == "oneshot"
    assert seed["network_mode"] == "service:db"  # the server is at 127.0.0.1; no network of its own to set up
    assert seed["environment"] == {
        "PGDATABASE": "shop", "PGHOST": "127.0.0.1", "PGPASSWORD": "devenv", "PGPORT": "5432", "PGUSER": "devenv"
    }
    assert services["cache-seed"]["volumes"] == [
        f"./{PROGRAMS_DIR}/seed-redis:/devenv:ro", "./fixtures/cache:/fixtures:ro"
    ]
    assert services["cache-seed"]["environment"] == {"DEVENV_REDIS_HOST": "127.0.0.1", "DEVENV_REDIS_PORT": "6379"}
    assert "plain-seed" not in services


def test_rabbitmq_seed_shares_the_data_volume_and_the_node_gets_a_stable_hostname(make_project):
    services = render_compose(project_with_fixtures(make_project)).data["services"]
    assert services["queue"]["hostname"] == "queue"
    assert services["queue-seed"]["volumes"] == [
        f"./{PROGRAMS_DIR}/seed-rabbitmq:/devenv:ro", "./data/$$queue:/fixtures:ro", "queue-data:/var/lib/rabbitmq"
    ]
    assert services["queue-seed"]["environment"] == {"DEVENV_RABBITMQ_NODE": "rabbit@queue"}
    assert "hostname" not in services["db"] and "hostname" not in services["plain"]


def test_dependents_wait_for_the_seeding_and_a_barrier_waits_for_all(make_project):
    services = render_compose(project_with_fixtures(make_project)).data["services"]
    assert services["api"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "db-seed": {"condition": "service_completed_successfully"},
        "cache": {"condition": "service_healthy"},
        "cache-seed": {"condition": "service_completed_successfully"},
    }
    assert services["worker"]["depends_on"]["queue-seed"] == {"condition": "service_completed_successfully"}
    barrier = services[BARRIER]
    assert barrier["scale"] == 0 and barrier["labels"]["dev.devenv.role"] == "barrier"
    assert list(barrier["depends_on"]) == ["db-seed", "cache-seed", "queue-seed"]
    assert list(services)[:8] == ["db", "cache", "queue", "plain", "db-seed", "cache-seed", "queue-seed", BARRIER]


def test_programs_are_files_mounted_read_only_not_pasted_into_compose(make_project):
    rendered = render_compose(project_with_fixtures(make_project))
    assert "configs" not in rendered.data and "#!/bin/sh" not in rendered.text()
    files = rendered.files()
    for kind in ("postgres", "redis", "rabbitmq"):
        program = seed_program(kind)
        assert {f"{PROGRAMS_DIR}/seed-{kind}/{name}": text for name, text in program.items()}.items() <= files.items()
    seed = rendered.data["services"]["db-seed"]
    assert seed["entrypoint"] == ["sh", "/devenv/seed.sh"]
    assert seed["volumes"][0] == f"./{PROGRAMS_DIR}/seed-postgres:/devenv:ro"


def test_no_fixtures_no_change(make_project):
    spec = SPEC.split("fixtures:")[0] + "images:\n  mirror: {docker.io: registry.corp.example/hub}\n"
    data = render_compose(load_project(make_project(spec), environ={})).data
    assert "configs" not in data
    assert not [name for name in data["services"] if name.endswith("-seed") or name == BARRIER]
    assert "hostname" not in data["services"]["queue"]
    assert render_fixtures(load_project(make_project(spec), environ={})).services == {}


def test_mount_source_is_relative_to_the_project():
    assert mount_source("fixtures/db") == "./fixtures/db"
    assert mount_source("./fixtures/db/") == "./fixtures/db"
    assert mount_source("a/../b") == "./b"
    assert mount_source(".") == "."


def test_seed_environment_defaults_to_the_dependency_host(make_project):
    project = project_with_fixtures(make_project)
    assert seed_environment(project, "db")["PGHOST"] == "db"  # a client elsewhere (the cluster export)
    assert seed_environment(project, "cache", "127.0.0.1")["DEVENV_REDIS_HOST"] == "127.0.0.1"
