"""`devenv snapshot` without an engine: target selection (pure) and the commands' flow against a
stand-in engine whose kinds keep their snapshots in a dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from devenv.errors import DevenvError, SnapshotError, UsageError
from devenv.events import ServicesRestarted, SnapshotDone, SnapshotEntry, SnapshotTable, Step, Warning
from devenv.kinds import get
from devenv.kinds.snapshots import SnapshotFailed, SnapshotInfo
from devenv.runtime.engine import ContainerState
from devenv.snapshots import runtime, targets
from devenv.spec.loader import load_project

SPEC = """\
name: my-shop
services:
  api:
    image: python:3.11-slim
    depends_on: [db, cache]
  worker:
    image: python:3.11-slim
    depends_on: [cache]
  web:
    image: python:3.11-slim
    depends_on: [api]
dependencies:
  db: {kind: postgres}
  cache: {kind: redis}
"""


@pytest.fixture
def project(make_project):
    return load_project(make_project(SPEC), environ={})


# --- targets (pure) -----------------------------------------------------------------------------


def test_selected_is_every_dependency_with_snapshots_or_the_named_ones(project):
    dependencies = project.spec.dependencies
    assert targets.selected(dependencies, []) == ["db", "cache"]
    assert targets.selected(dependencies, ["cache"]) == ["cache"]
    with pytest.raises(UsageError, match="'api' is a service, not a dependency") as error:
        targets.selected(dependencies, ["api"], project.spec.services)
    assert error.value.exit_code == 2 and error.value.hint == "dependencies: db, cache"
    with pytest.raises(UsageError, match="'nope' is not a dependency"):
        targets.selected(dependencies, ["nope"])


def test_selected_refuses_a_kind_without_snapshots(project, monkeypatch):
    monkeypatch.setattr(type(get("redis")), "snapshot_description", "")
    with pytest.raises(UsageError, match=r"dependency 'cache' \(redis\) has no snapshots") as error:
        targets.selected(project.spec.dependencies, ["cache"])
    assert error.value.hint == "dependencies with snapshots: db"


def test_users_are_the_direct_dependents_in_spec_order(project):
    assert targets.users(project.spec.services, ["db"]) == ["api"]
    assert targets.users(project.spec.services, ["cache", "db"]) == ["api", "worker"]
    assert targets.users(project.spec.services, []) == []


def test_entries_oldest_first_then_name_then_dependency_order():
    found = {
        "db": [SnapshotInfo("b", 2, "2025-01-02T00:00:00Z"), SnapshotInfo("a", 1, "2025-01-02T00:00:00Z")],
        "cache": [SnapshotInfo("a", 3, "2025-01-02T00:00:00Z"), SnapshotInfo("old", 4, "2024-12-31T00:00:00Z")],
    }
    rows = targets.entries(found, {"db": "postgres", "cache": "redis"})
    assert [(r.name, r.dependency) for r in rows] == [("old", "cache"), ("a", "db"), ("a", "cache"), ("b", "db")]
    assert rows[0] == SnapshotEntry("old", "cache", "redis", 4, "2024-12-31T00:00:00Z")
    assert targets.holders(found, "a") == ["db", "cache"] and targets.holders(found, "zz") == []
    assert targets.known_names(found) == ["a", "b", "old"]


@pytest.mark.parametrize("name", ["Bad", "a_b", "x" * 41])
def test_check_name_is_bad_input(name):
    with pytest.raises(UsageError) as error:
        targets.check_name(name)
    assert error.value.exit_code == 2


# --- the commands against a stand-in engine ------------------------------------------------------


@dataclass
class FakeEngine:
    """Containers of one project; restarts recorded; health checks pass."""

    running: set[str] = field(default_factory=lambda: {"db", "cache", "api", "worker", "web"})
    restarted: list[str] = field(default_factory=list)

    def containers(self, project: str) -> list[ContainerState]:
        return [
            ContainerState(service=s, name=f"{project}-{s}-1", id=f"id-{s}",
                           state="running" if s in self.running else "exited", health="healthy", exit_code=None,
                           labels={})
            for s in ("db", "cache", "api", "worker", "web")
        ]

    def restart(self, container_id: str, stop_timeout: int = 10) -> None:
        self.restarted.append(container_id.removeprefix("id-"))

    def exec_input(self, *args: object, **kwargs: object) -> tuple[int, str, str]:
        raise AssertionError("the kinds are replaced in these tests")

    def health_test(self, container_id: str) -> list[str] | None:
        return None

    def exec(self, container_id: str, argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
        return 0, ""


@pytest.fixture
def store(monkeypatch):
    """{dependency: {name: SnapshotInfo}}, kept by the postgres and redis kinds in place of their servers."""
    kept: dict[str, dict[str, SnapshotInfo]] = {"db": {}, "cache": {}}
    data: dict[str, str] = {"db": "db-now", "cache": "cache-now"}
    failing: set[str] = set()

    def save(self, ctx, name, *, replace=False):
        if name in kept[ctx.dependency] and not replace:
            raise SnapshotFailed(f"saving snapshot {name} failed: snapshot exists")
        created = f"2025-01-0{len(kept[ctx.dependency]) + 1}T00:00:00Z"
        kept[ctx.dependency][name] = SnapshotInfo(name, len(data[ctx.dependency]), created)
        data[f"{ctx.dependency}:{name}"] = data[ctx.dependency]
        return kept[ctx.dependency][name]

    def restore(self, ctx, name):
        if ctx.dependency in failing:
            raise SnapshotFailed(f"restoring snapshot {name} failed: copying the snapshot: disk full", details="ERROR")
        data[ctx.dependency] = data[f"{ctx.dependency}:{name}"]

    def listed(self, ctx):
        return sorted(kept[ctx.dependency].values(), key=lambda info: info.name)

    def remove(self, ctx, name):
        del kept[ctx.dependency][name]

    for kind in ("postgres", "redis"):
        cls = type(get(kind))
        monkeypatch.setattr(cls, "snapshot_save", save)
        monkeypatch.setattr(cls, "snapshot_restore", restore)
        monkeypatch.setattr(cls, "snapshot_list", listed)
        monkeypatch.setattr(cls, "snapshot_remove", remove)
    return kept, data, failing


def run(events):
    return list(events)


def test_save_every_dependency_then_refuse_the_same_name_unless_forced(project, store):
    kept, _, _ = store
    engine = FakeEngine()
    events = run(runtime.save(project, "before-demo", engine=engine))
    assert [type(e).__name__ for e in events] == ["Step", "SnapshotDone", "Step", "SnapshotDone", "Message"]
    assert [(e.dependency, e.size_bytes) for e in events if isinstance(e, SnapshotDone)] == [("db", 6), ("cache", 9)]
    assert events[-1].message == "restore it with: devenv snapshot restore before-demo"
    with pytest.raises(UsageError, match=r"snapshot 'before-demo' exists \(db, cache\)") as error:
        run(runtime.save(project, "before-demo", engine=engine))
    assert "--force" in error.value.hint
    assert [e.action for e in run(runtime.save(project, "before-demo", ["db"], force=True, engine=engine))
            if isinstance(e, SnapshotDone)] == ["saved"]
    assert set(kept["db"]) == {"before-demo"}


def test_save_without_a_name_uses_the_time(project, store, monkeypatch):
    monkeypatch.setattr(runtime, "default_name", lambda: "20250314-093000")
    run(runtime.save(project, None, ["cache"], engine=FakeEngine()))
    assert set(store[0]["cache"]) == {"20250314-093000"}


def test_a_dependency_that_is_not_running_is_named_with_what_to_do(project, store):
    with pytest.raises(SnapshotError, match=r"^db is not running$") as error:
        run(runtime.save(project, "x", engine=FakeEngine(running={"cache"})))
    assert error.value.exit_code == 1 and error.value.hint == "start it first: devenv up db"
    assert store[0] == {"db": {}, "cache": {}}  # nothing saved anywhere


def test_restore_puts_the_data_back_and_restarts_the_services_that_use_it(project, store):
    _, data, _ = store
    engine = FakeEngine()
    run(runtime.save(project, "s1", engine=engine))
    data["db"], data["cache"] = "changed", "changed"
    events = run(runtime.restore(project, "s1", engine=engine))
    assert data["db"] == "db-now" and data["cache"] == "cache-now"
    assert sorted(engine.restarted) == ["api", "worker"]  # web uses api only: it keeps running
    restarted = [e for e in events if isinstance(e, ServicesRestarted)]
    assert restarted == [ServicesRestarted(["api", "worker"], ["db", "cache"], restarted[0].elapsed)]
    assert [e.message for e in events if isinstance(e, Step)] == [
        "db: restoring snapshot s1",
        "cache: restoring snapshot s1",
        "restarting api, worker (to reconnect to db, cache)",
    ]


def test_restore_of_one_dependency_restarts_only_its_users_or_none(project, store):
    engine = FakeEngine()
    run(runtime.save(project, "s1", engine=engine))
    run(runtime.restore(project, "s1", ["db"], engine=engine))
    assert engine.restarted == ["api"]
    engine.restarted.clear()
    run(runtime.restore(project, "s1", restart=False, engine=engine))
    assert engine.restarted == []
    engine.running.discard("api")
    run(runtime.restore(project, "s1", ["db"], engine=engine))
    assert engine.restarted == []  # a stopped service is not started


def test_restore_of_a_name_nobody_has_is_bad_input_and_lists_the_names(project, store):
    engine = FakeEngine()
    with pytest.raises(UsageError, match="there is no snapshot 'nope'") as error:
        run(runtime.restore(project, "nope", engine=engine))
    assert error.value.hint == "there are no snapshots yet: devenv snapshot save [NAME]"
    run(runtime.save(project, "s1", ["db"], engine=engine))
    with pytest.raises(UsageError) as error:
        run(runtime.restore(project, "nope", engine=engine))
    assert error.value.hint == "snapshots: s1 (devenv snapshot list)"
    with pytest.raises(UsageError, match="cache has no snapshot 's1'"):
        run(runtime.restore(project, "s1", ["db", "cache"], engine=engine))
    events = run(runtime.restore(project, "s1", engine=engine))  # not named: the others are left as they are
    assert Warning("cache has no snapshot 's1': its data stays as it is") in events
    assert [e.dependency for e in events if isinstance(e, SnapshotDone)] == ["db"]


def test_a_failed_restore_says_which_dependency_and_what_was_restored_before(project, store):
    _, data, failing = store
    engine = FakeEngine()
    run(runtime.save(project, "s1", engine=engine))
    data["db"], data["cache"] = "changed", "changed"
    failing.add("cache")
    with pytest.raises(SnapshotError) as error:
        run(runtime.restore(project, "s1", engine=engine))
    assert error.value.message == (
        "cache: restoring snapshot s1 failed: copying the snapshot: disk full (db restored already)"
    )
    assert error.value.exit_code == 1 and error.value.details == "ERROR"
    assert "devenv logs cache" in error.value.hint
    assert data["cache"] == "changed" and engine.restarted == []


def test_list_shows_the_running_dependencies_and_warns_about_the_others(project, store):
    engine = FakeEngine()
    run(runtime.save(project, "s1", engine=engine))
    run(runtime.save(project, "s2", ["db"], engine=engine))
    events = run(runtime.list_snapshots(project, engine=engine))
    table = events[-1]
    assert isinstance(table, SnapshotTable) and table.project == "my-shop" and table.not_running == []
    assert [(r.name, r.dependency, r.kind) for r in table.snapshots] == [
        ("s1", "db", "postgres"), ("s1", "cache", "redis"), ("s2", "db", "postgres")
    ]
    engine.running.discard("cache")
    events = run(runtime.list_snapshots(project, engine=engine))
    assert events[0] == Warning("cache is not running: its snapshots are not listed (`devenv up cache` first)")
    assert events[-1].not_running == ["cache"] and {r.dependency for r in events[-1].snapshots} == {"db"}


def test_remove_deletes_the_name_where_it_is(project, store):
    kept, _, _ = store
    engine = FakeEngine()
    run(runtime.save(project, "s1", ["db"], engine=engine))
    run(runtime.save(project, "s2", engine=engine))
    events = run(runtime.remove(project, "s1", engine=engine))
    assert [(e.action, e.dependency) for e in events] == [("removed", "db")]
    assert set(kept["db"]) == {"s2"} and set(kept["cache"]) == {"s2"}
    with pytest.raises(UsageError, match="there is no snapshot 's1'"):
        run(runtime.remove(project, "s1", engine=engine))


def test_down_volumes_question_knows_the_snapshots_when_it_can(project, store, monkeypatch):
    engine = FakeEngine()
    assert runtime.names_in_volumes(project, engine) == {}
    run(runtime.save(project, "s1", ["db"], engine=engine))
    assert runtime.names_in_volumes(project, engine) == {"db": ["s1"]}
    assert runtime.names_in_volumes(project, FakeEngine(running=set())) is None

    def unreachable(cls, timeout=30):
        raise DevenvError("cannot reach the Docker Engine")

    monkeypatch.setattr(runtime.Engine, "connect", classmethod(unreachable))
    assert runtime.names_in_volumes(project) is None


def test_waiting_for_restarted_services_stops_at_a_crash(project):
    engine = FakeEngine()
    crashed = [replace(c, state="exited") if c.service == "api" else c for c in engine.containers("my-shop")]
    engine.containers = lambda project: crashed  # type: ignore[method-assign]
    assert runtime.wait_ready(engine, "my-shop", ["api", "worker"], timeout=30) == ["api"]
    assert runtime.wait_ready(engine, "my-shop", ["worker"], timeout=30) == []
    assert runtime.wait_ready(engine, "my-shop", ["ghost"], timeout=0.01) == ["ghost"]


def test_a_restarted_dependency_is_waited_for_with_its_own_health_check(monkeypatch):
    monkeypatch.setattr(runtime, "HEALTH_POLL_SECONDS", 0)
    answers = [1, 1, 0]

    @dataclass
    class Engine(FakeEngine):
        checks: list[list[str]] = field(default_factory=list)

        def health_test(self, container_id: str) -> list[str] | None:
            return ["CMD-SHELL", "redis-cli ping | grep -q PONG"]

        def exec(self, container_id: str, argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
            self.checks.append(argv)
            return answers.pop(0), ""

    engine = Engine()
    ctx = runtime.EngineContext(engine, "my-shop", "cache", "id-cache", timeout=30)
    ctx.restart()
    assert engine.restarted == ["cache"]
    assert engine.checks == [["/bin/sh", "-c", "redis-cli ping | grep -q PONG"]] * 3
    engine.running.discard("cache")  # it stopped again: no waiting for the timeout
    answers.extend([1] * 5)
    with pytest.raises(SnapshotFailed, match="cache is not healthy 30s after its restart"):
        ctx.restart()
