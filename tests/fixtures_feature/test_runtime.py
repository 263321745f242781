"""The pure parts of `devenv seed` and of the fixture counts in `devenv status`."""

from __future__ import annotations

import pytest

from devenv.errors import UsageError
from devenv.fixtures.formats import FixtureCount
from devenv.fixtures.runtime import (
    FixtureApplied,
    FixturesDone,
    FixturesReset,
    _failed,
    failure_file,
    parse_line,
    selected,
)
from devenv.runtime.engine import ContainerState
from devenv.runtime.events import ServiceStatus
from devenv.runtime.plan import Desired
from devenv.runtime.status import SeedStatus, is_ready, status_rows, with_fixture_counts
from devenv.spec.loader import load_project

SPEC = """\
name: my-shop
dependencies:
  db: {kind: postgres}
  cache: {kind: redis}
  queue: {kind: rabbitmq}
  other: {kind: redis}
fixtures:
  db: f/db
  cache: f/cache
  queue: f/queue
"""


@pytest.fixture
def project(make_project):
    root = make_project(SPEC)
    for sub in ("db", "cache", "queue"):
        (root / "f" / sub).mkdir(parents=True)
    return load_project(root, environ={})


def test_parse_seed_lines():
    assert parse_line("db", "devenv-seed: applied 010_users.csv (200 rows into users)") == FixtureApplied(
        dependency="db", file="010_users.csv", detail="200 rows into users"
    )
    assert parse_line("db", "devenv-seed: applied 001_schema.sql") == FixtureApplied("db", "001_schema.sql", "")
    assert parse_line("db", "devenv-seed: reset: dropped and re-created schema public") == FixturesReset(
        "db", "dropped and re-created schema public"
    )
    assert parse_line("db", "devenv-seed: done: 2 applied, 3 unchanged") == FixturesDone("db", 2, 3, 0.0)
    failed = parse_line("db", "devenv-seed: failed 040_bad.sql:5: ERROR: syntax error")
    assert failed == "040_bad.sql:5: ERROR: syntax error"
    assert parse_line("db", "    psql:/fixtures/040_bad.sql:5: ERROR:  syntax error") is None


def test_failure_names_file_and_line_and_keeps_database_lines_as_details():
    output = [
        "devenv-seed: applied 001.sql",
        "devenv-seed: failed 040_bad.sql:5: ERROR: syntax error at or near \"INSERTT\"",
        "    psql:/fixtures/040_bad.sql:5: ERROR:  syntax error at or near \"INSERTT\"",
        "    LINE 1: INSERTT 3;",
    ]
    err = _failed("db", parse_line("db", output[1]), output, [], 1)
    assert err.message == 'seeding db failed: 040_bad.sql:5: ERROR: syntax error at or near "INSERTT"'
    assert err.exit_code == 1 and err.file == "040_bad.sql" and err.dependency == "db"
    assert err.details.splitlines()[1] == "    LINE 1: INSERTT 3;"
    assert "devenv seed db" in err.hint
    assert failure_file("RabbitMQ node rabbit@q does not answer") is None
    crashed = _failed("db", None, [], ["Error response from daemon: no such image"], 1)
    assert crashed.message == "seeding db failed (exit 1): no such image"


def test_events_describe_themselves():
    assert FixtureApplied("db", "a.csv", "3 rows into a").describe() == "db: applied a.csv (3 rows into a)"
    assert FixturesDone("db", 1, 4, 0.93).describe() == "db: 1 file applied, 4 unchanged (0.9s)"
    assert FixturesReset("cache", "flushed").describe() == "cache: reset: flushed"
    assert FixtureApplied("db", "a.csv", "x").as_dict()["event"] == "FixtureApplied"


def test_selected_dependencies(project):
    assert selected(project, []) == ["db", "cache", "queue"]
    assert selected(project, ["queue", "db"]) == ["db", "queue"]
    with pytest.raises(UsageError, match="dependency 'other' has no fixtures"):
        selected(project, ["other"])
    with pytest.raises(UsageError, match="'nope' is not a dependency with fixtures"):
        selected(project, ["nope"])


def test_no_fixtures_is_a_usage_error(make_project):
    project = load_project(make_project("name: p\ndependencies:\n  db: {kind: postgres}\n"), environ={})
    with pytest.raises(UsageError, match="has no 'fixtures'"):
        selected(project, [])


def _desired(name: str, role: str) -> Desired:
    return Desired(name=name, role=role, image="i", builds=False, config_hash="h", depends_on=(), has_health=False)


def test_barrier_is_always_ready_and_not_listed():
    desired = {"db-seed": _desired("db-seed", "oneshot"), "fixtures-seeded": _desired("fixtures-seeded", "barrier")}
    assert is_ready(desired["fixtures-seeded"], [])
    exited = ContainerState("db-seed", "p-db-seed-1", "id", "exited", None, 0, {})
    assert [row.service for row in status_rows(desired, [exited])] == ["db-seed"]


def test_seed_rows_carry_fixture_counts():
    rows = [
        ServiceStatus(service="db", role="dependency", state="running", health="healthy", ready=True),
        ServiceStatus(service="db-seed", role="oneshot", state="exited (0)", health=None, ready=True),
        ServiceStatus(service="cache-seed", role="oneshot", state="missing", health=None),
    ]
    out = with_fixture_counts(rows, {"db-seed": FixtureCount(3, 1, ("b.csv",)), "cache-seed": None})
    assert out[0] == rows[0] and out[2] == rows[2]
    assert isinstance(out[1], SeedStatus)
    status = out[1]
    assert (status.health, status.fixtures_applied, status.fixtures_pending, status.ready) == (
        "3 applied, 1 pending", 3, 1, True
    )
