"""Spec checks of `fixtures`: located, one-line SpecErrors."""

from __future__ import annotations

import pytest

from devenv.errors import SpecError
from devenv.spec.loader import load_project

BASE = """\
name: p
services:
  api:
    image: python:3.11-slim
    depends_on: [db]
dependencies:
  db: {kind: postgres}
  cache: {kind: redis}
  queue: {kind: rabbitmq}
fixtures:
"""


def load(make_project, entries: str, files: dict[str, str] | None = None):
    root = make_project(BASE + entries)
    for rel, text in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return load_project(root, environ={})


def error(make_project, entries: str, files: dict[str, str] | None = None) -> SpecError:
    with pytest.raises(SpecError) as caught:
        load(make_project, entries, files)
    assert "\n" not in str(caught.value)
    return caught.value


def test_valid_fixtures_load(make_project):
    project = load(
        make_project,
        "  db: fixtures/db\n  cache: fixtures/cache\n  queue: fixtures/queue\n",
        {
            "fixtures/db/001.sql": "",
            "fixtures/db/users.csv": "",
            "fixtures/db/README.md": "",
            "fixtures/cache/a.redis": "",
            "fixtures/cache/b.json": "{}",
            "fixtures/queue/definitions.json": "{}",
        },
    )
    assert project.spec.fixtures == {"db": "fixtures/db", "cache": "fixtures/cache", "queue": "fixtures/queue"}


def test_empty_directory_is_fine(make_project):
    root = make_project(BASE + "  db: seed\n")
    (root / "seed").mkdir()
    assert load_project(root, environ={}).spec.fixtures == {"db": "seed"}


def test_unknown_dependency(make_project):
    err = error(make_project, "  dbb: fixtures/db\n", {"fixtures/db/a.sql": ""})
    assert str(err) == "devenv.yaml:11:3: fixtures.dbb: 'dbb' is not a dependency"
    assert err.hint == "did you mean 'db'?"


def test_a_service_is_not_a_dependency(make_project):
    err = error(make_project, "  api: fixtures/db\n", {"fixtures/db/a.sql": ""})
    assert str(err) == (
        "devenv.yaml:11:3: fixtures.api: 'api' is a service; "
        "fixtures seed dependencies (postgres, redis, rabbitmq, valkey, mysql, mariadb)"
    )


def test_a_kind_that_loads_no_fixtures_is_refused(make_project, monkeypatch):
    from devenv import kinds
    from devenv.kinds.base import FixtureFormat
    from devenv.kinds.redis import Redis

    class Plain(Redis):  # a kind without a fixture format, standing in for memcached and the like
        fixtures = FixtureFormat()

    monkeypatch.setitem(kinds.kinds(), "postgres", Plain())
    err = error(make_project, "  db: fixtures/db\n", {"fixtures/db/a.sql": ""})
    assert "fixtures.db: 'db' is a postgres dependency, which loads no fixtures" in str(err)
    assert err.hint == "fixtures seed redis, rabbitmq, valkey, mysql, mariadb"


def test_missing_directory(make_project):
    err = error(make_project, "  db: fixtures/nope\n")
    assert str(err) == "devenv.yaml:11:7: fixtures.db: directory 'fixtures/nope' does not exist"
    assert err.hint == "create it and put the postgres fixtures in it (*.sql and *.csv)"


def test_outside_the_project(make_project):
    err = error(make_project, "  db: ../elsewhere\n")
    assert str(err) == "devenv.yaml:11:7: fixtures.db: '../elsewhere' is outside the project directory"
    err = error(make_project, "  db: /etc\n")
    assert "'/etc' is outside the project directory" in str(err)


def test_kind_mismatch_names_the_file_and_both_kinds(make_project):
    err = error(make_project, "  cache: fixtures/db\n", {"fixtures/db/001_schema.sql": ""})
    assert str(err) == (
        "devenv.yaml:11:10: fixtures.cache: 'fixtures/db' holds 001_schema.sql, a postgres fixture, "
        "but 'cache' is a redis dependency, which loads *.redis and *.json"
    )
    err = error(make_project, "  db: fixtures/cache\n", {"fixtures/cache/catalog.json": "{}"})
    assert (
        "holds catalog.json, a redis fixture, but 'db' is a postgres dependency, which loads *.sql and *.csv"
        in str(err)
    )
    err = error(make_project, "  queue: q\n", {"q/queues.json": "{}"})
    assert (
        "holds queues.json, a redis fixture, but 'queue' is a rabbitmq dependency, which loads definitions.json"
        in str(err)
    )


def test_csv_without_a_table_name(make_project):
    err = error(make_project, "  db: f\n", {"f/010_.csv": ""})
    assert str(err) == "devenv.yaml:11:7: fixtures.db: 'f/010_.csv' gives no table name"


def test_seed_service_name_must_be_free(make_project):
    root = make_project(BASE.replace("services:\n", "services:\n  db-seed: {image: busybox}\n") + "  db: f\n")
    (root / "f").mkdir()
    with pytest.raises(SpecError) as caught:
        load_project(root, environ={})
    assert "run as the one-shot service 'db-seed', which is already a name" in str(caught.value)


def test_field_rules(make_project):
    err = error(make_project, "  db: ''\n")
    assert str(err).startswith("devenv.yaml:11:7: fixtures.db:")
    err = error(make_project, "  Bad_Name: x\n")
    assert "fixtures" in str(err)
