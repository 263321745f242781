"""Snapshots in the kinds: names, results, and each kind's methods against a stand-in container.

The programs themselves run against real servers in tests/integration/test_snapshots.py and,
for the shell ones, against stand-in clients in tests/kinds/test_snapshot_programs.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from devenv import kinds
from devenv.kinds import get
from devenv.kinds.programs import seed_program
from devenv.kinds.snapshots import (
    SH_STDIN,
    ExecResult,
    SnapshotFailed,
    SnapshotInfo,
    checked,
    default_name,
    name_problem,
    parse_table,
    program,
    reported_size,
)


@dataclass
class FakeContext:
    """A container that answers each run with the next of ``answers`` (exit 0, no output when none is left)."""

    answers: list[ExecResult] = field(default_factory=list)
    project: str = "my-shop"
    dependency: str = "dep"
    calls: list[tuple[list[str], str | None, dict[str, str] | None]] = field(default_factory=list)
    restarts: int = 0

    def run(self, argv: list[str], *, stdin: str | None = None, env: dict[str, str] | None = None) -> ExecResult:
        self.calls.append((argv, stdin, env))
        return self.answers.pop(0) if self.answers else ExecResult(0, "")

    def restart(self) -> None:
        self.restarts += 1


# --- names and results ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "before-demo", "20250314-093000", "x1", "a" * 40, "1-2-3"])
def test_good_names(name):
    assert name_problem(name) is None


@pytest.mark.parametrize(
    "name", ["", "A", "Before", "-a", "a-", "a_b", "a.b", "a/b", "a b", "é", "a" * 41, "..", "a\n", "$(x)"]
)
def test_bad_names_say_the_rule(name):
    problem = name_problem(name)
    assert problem is not None and "lower-case letters, digits and '-'" in problem


def test_default_name_is_the_utc_time_and_a_good_name():
    assert default_name(0) == "19700101-000000"
    assert default_name(1741944600) == "20250314-093000"
    assert name_problem(default_name()) is None


def test_marks_failure_and_error_line():
    result = ExecResult(0, "noise\ndevenv-snapshot: saved 12\r\ndevenv-snapshot: failed: snapshot exists\n")
    assert result.marks() == ["saved 12", "failed: snapshot exists"]
    assert result.failure() == "snapshot exists"
    assert result.error_line() == "snapshot exists"
    stderr = 'psql:<stdin>:12: ERROR:  database "x" is being accessed by other users\nDETAIL:  1 session\n'
    psql = ExecResult(3, "", stderr)
    assert psql.failure() is None
    assert psql.error_line() == 'database "x" is being accessed by other users'
    assert ExecResult(-1, "", "the exec did not run: No such container: abc").error_line() == (
        "the exec did not run: No such container: abc"
    )
    assert ExecResult(137, "", "").error_line() == "exit 137"


def test_checked_passes_success_and_raises_the_one_line():
    ok = ExecResult(0, "devenv-snapshot: saved 5\n")
    assert checked(ok, "saving") is ok
    assert reported_size(ok, "saved") == 5
    with pytest.raises(SnapshotFailed, match="did not say 'restored'"):
        reported_size(ok, "restored")
    with pytest.raises(SnapshotFailed) as missing:
        checked(ExecResult(0, "devenv-snapshot: failed: no snapshot x\n"), "restoring snapshot x")
    assert missing.value.message == "restoring snapshot x failed: no snapshot x" and missing.value.missing
    assert missing.value.details is None  # the one line is the message, not repeated as details
    with pytest.raises(SnapshotFailed) as crashed:
        checked(ExecResult(2, "", "psql: error: connection refused\n"), "listing snapshots")
    assert crashed.value.message == "listing snapshots failed: psql: error: connection refused"
    assert not crashed.value.missing and crashed.value.details == "psql: error: connection refused"


def test_parse_table_reads_epoch_or_iso_and_skips_what_is_not_a_snapshot():
    text = "b\t20\t0\na\t10\t2025-03-14T09:30:00Z\nBad_Name\t1\t0\nc\tx\t0\nnot a row\n"
    assert parse_table(text) == [
        SnapshotInfo("a", 10, "2025-03-14T09:30:00Z"),
        SnapshotInfo("b", 20, "1970-01-01T00:00:00Z"),
    ]
    assert parse_table("") == []


# --- the protocol -------------------------------------------------------------------------------


def test_the_three_kinds_have_snapshots():
    assert [name for name, kind in kinds.kinds().items() if kind.snapshots][:3] == ["postgres", "redis", "rabbitmq"]


@pytest.mark.parametrize("name", [name for name, kind in kinds.kinds().items() if kind.snapshots])
def test_a_kind_with_snapshots_implements_the_four_methods_and_keeps_its_programs_apart(name):
    kind = get(name)
    cls = type(kind)
    for method in ("snapshot_save", "snapshot_restore", "snapshot_list", "snapshot_remove"):
        assert getattr(cls, method) is not getattr(kinds.DependencyKind, method), f"{name} lacks {method}"
    programs = sorted(path.name for path in (kind.program_home / "snapshot").iterdir() if path.is_file())
    assert programs, f"{name} has no snapshot/ programs"
    # a sub-directory: not part of the seeding program, so its digest (and every golden file) stays
    if kind.seeds:
        assert not set(programs) & set(seed_program(name)) - {"seed.sh"}


def test_snapshot_programs_are_not_in_the_seeding_program():
    assert "save.sql" not in seed_program("postgres") and "snapshot.sh" not in seed_program("redis")


# --- PostgreSQL: template databases ------------------------------------------------------------


def test_postgres_save_sends_save_sql_to_psql_on_the_maintenance_database():
    ctx = FakeContext([ExecResult(0, "devenv-snapshot: saved 8232295\n")])
    info = get("postgres").snapshot_save(ctx, "before-demo", replace=True)
    assert info.name == "before-demo" and info.size_bytes == 8232295 and info.created_at.endswith("Z")
    (argv, stdin, env), = ctx.calls
    assert argv[:2] == ["psql", "-X"] and argv[-2:] == ["-f", "-"]
    assert argv[argv.index("-d") + 1] == "postgres"
    variables = dict(argv[i + 1].split("=", 1) for i, word in enumerate(argv) if word == "-v")
    assert variables == {"db": "my_shop", "snap": "devenv_snap_before-demo", "name": "before-demo", "replace": "true"}
    assert stdin == program(get("postgres").home, "save.sql") and "STRATEGY FILE_COPY" in stdin
    assert env == {"PGPASSWORD": "devenv", "PGCONNECT_TIMEOUT": "10"}


def test_postgres_never_connects_to_the_database_it_copies():
    ctx = FakeContext([ExecResult(0, "")], project="postgres")
    get("postgres").snapshot_list(ctx)
    argv = ctx.calls[0][0]
    assert argv[argv.index("-d") + 1] == "template1"


def test_postgres_restore_list_and_remove():
    kind = get("postgres")
    ctx = FakeContext([
        ExecResult(0, "devenv-snapshot: restored 10\n"),
        ExecResult(0, "before-demo\t8232295\t2025-03-14T09:30:00Z\n"),
        ExecResult(0, "devenv-snapshot: failed: no snapshot gone\n"),
    ])
    kind.snapshot_restore(ctx, "before-demo")
    assert ctx.calls[0][1] == program(kind.home, "restore.sql")
    assert kind.snapshot_list(ctx) == [SnapshotInfo("before-demo", 8232295, "2025-03-14T09:30:00Z")]
    with pytest.raises(SnapshotFailed) as failed:
        kind.snapshot_remove(ctx, "gone")
    assert failed.value.missing and failed.value.message == "removing snapshot gone failed: no snapshot gone"
    assert ctx.restarts == 0  # clients reconnect; the server keeps running


def test_postgres_programs_keep_the_project_database_safe():
    home = get("postgres").home
    restore = program(home, "restore.sql")
    # the copy is made before the project's database is touched, and the swap is one transaction
    assert restore.index("CREATE DATABASE devenv_restoring TEMPLATE") < restore.index("ALLOW_CONNECTIONS false")
    assert restore.index("BEGIN;") < restore.index('RENAME TO devenv_replaced') < restore.index("COMMIT;")
    save = program(home, "save.sql")
    assert save.count("ALLOW_CONNECTIONS true") == 1
    assert save.index("CREATE DATABASE devenv_saving") < save.index("ALLOW_CONNECTIONS true")
    for text in (save, restore, program(home, "remove.sql")):
        assert "pg_advisory_lock(hashtext('devenv snapshot'))" in text  # one snapshot operation at a time
    assert "'^devenv_snap_[a-z0-9]'" in program(home, "list.sql")  # never the scratch databases


# --- Redis: RDB files ---------------------------------------------------------------------------


def test_redis_runs_its_script_from_stdin_with_the_snapshot_directory_in_the_volume():
    kind = get("redis")
    ctx = FakeContext([ExecResult(0, "devenv-snapshot: saved 1734\n")])
    assert kind.snapshot_save(ctx, "s1").size_bytes == 1734
    (argv, stdin, env), = ctx.calls
    assert argv == [*SH_STDIN, "devenv-snapshot", "save", "s1", "keep"]
    assert stdin == program(kind.home, "snapshot.sh")
    assert env == {"DEVENV_SNAPSHOTS": "/data/devenv-snapshots", "DEVENV_REDIS_PORT": "6379"}


def test_redis_restore_swaps_the_file_then_shuts_down_without_saving_and_restarts():
    ctx = FakeContext([ExecResult(0, "devenv-snapshot: ready 1734\n"), ExecResult(-1, "")])
    get("redis").snapshot_restore(ctx, "s1")
    assert ctx.calls[0][0][-2:] == ["restore", "s1"]
    assert ctx.calls[1][0][-2:] == ["SHUTDOWN", "NOSAVE"]
    assert ctx.restarts == 1


def test_redis_restore_that_fails_before_the_swap_stops_nothing():
    ctx = FakeContext([ExecResult(1, "devenv-snapshot: failed: snapshot s1 is not a valid RDB file\n")])
    with pytest.raises(SnapshotFailed, match="not a valid RDB file"):
        get("redis").snapshot_restore(ctx, "s1")
    assert len(ctx.calls) == 1 and ctx.restarts == 0


# --- RabbitMQ: definitions ----------------------------------------------------------------------


def test_rabbitmq_restore_checks_the_file_before_anything_is_deleted():
    kind = get("rabbitmq")
    for text, why in (("{broken", "not JSON"), ("[]", "no definitions"), ('{"queues": []}', "no definitions")):
        ctx = FakeContext([ExecResult(0, text)])
        with pytest.raises(SnapshotFailed, match=why):
            kind.snapshot_restore(ctx, "s1")
        assert [call[0][0] for call in ctx.calls] == ["cat"]  # the script never ran
    ctx = FakeContext([ExecResult(1, "", "cat: no such file")])
    with pytest.raises(SnapshotFailed) as missing:
        kind.snapshot_restore(ctx, "s1")
    assert missing.value.missing
    good = json.dumps({"vhosts": [{"name": "/"}], "queues": []})
    ctx = FakeContext([ExecResult(0, good), ExecResult(0, "devenv-snapshot: restored 30\n")])
    kind.snapshot_restore(ctx, "s1")
    assert ctx.calls[0][0] == ["cat", "/var/lib/rabbitmq/devenv-snapshots/s1.json"]
    assert ctx.calls[1][0][-2:] == ["restore", "s1"] and ctx.calls[1][1] == program(kind.home, "snapshot.sh")
