"""`devenv snapshot` in the CLI: help, bad input (exit 2, one line, before any engine call), the text
of its events, the core calls it makes, and what `down --volumes` asks."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from devenv.cli.commands.down import _question
from devenv.cli.render import text
from devenv.events import Event, SnapshotDone

SPEC = """\
name: shop
dependencies:
  db: {kind: postgres}
  cache: {kind: redis}
"""


@pytest.fixture
def shop(make_project):
    return make_project(SPEC)


def test_help_says_where_snapshots_live_and_what_each_kind_keeps(cli):
    code, out, _ = cli("snapshot", "--help")
    assert code == 0
    words = " ".join(out.split())
    assert "outside the project tree" in words and "devenv down --volumes" in words
    for kind in ("postgres", "redis", "rabbitmq"):
        assert f"\n    {kind:10} " in out
    assert "devenv snapshot restore before-demo" in out
    for command in ("save", "restore", "list", "rm"):
        code, out, _ = cli("snapshot", command, "--help")
        assert code == 0 and "Examples:" in out
    code, out, _ = cli("--help")
    assert "snapshot" in out


def test_down_help_says_volumes_take_the_snapshots(cli):
    code, out, _ = cli("down", "--help")
    assert code == 0 and "snapshots" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["save", "Bad_Name"], "error: 'Bad_Name' is not a snapshot name (1 to 40 characters"),
        (["restore", "x" * 41], "error: '" + "x" * 41 + "' is not a snapshot name"),
        (["rm", "a.b"], "error: 'a.b' is not a snapshot name"),
        (["save", "ok", "nope"], "error: 'nope' is not a dependency"),
        (["list", "nope"], "error: 'nope' is not a dependency"),
    ],
)
def test_bad_input_is_one_line_and_exit_2_without_the_engine(args, message, cli, shop, monkeypatch):
    def no_engine(*_: object, **__: object) -> None:
        raise AssertionError("no engine call for bad input")

    monkeypatch.setattr("devenv.runtime.engine.Engine.connect", no_engine)
    code, out, err = cli("-C", shop, "snapshot", *args)
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("error:") == 1


def test_each_command_is_one_core_call_with_its_flags(cli, shop, monkeypatch):
    calls: list[tuple[str, tuple[object, ...], dict[str, object]]] = []

    def fake(name: str):
        def call(*args: object, **kwargs: object) -> Iterator[Event]:
            calls.append((name, args[1:], kwargs))
            yield SnapshotDone("saved", "db", "x", 1, 0.1)

        return call

    for name in ("save", "restore", "list_snapshots", "remove"):
        monkeypatch.setattr(f"devenv.snapshots.runtime.{name}", fake(name))
    assert cli("-C", shop, "snapshot", "save")[0] == 0
    assert cli("-C", shop, "snapshot", "save", "s1", "db", "--force", "--timeout", "5")[0] == 0
    assert cli("-C", shop, "snapshot", "restore", "s1", "--no-restart")[0] == 0
    assert cli("-C", shop, "snapshot", "list", "cache")[0] == 0
    code, out, _ = cli("-C", shop, "--output", "plain", "snapshot", "rm", "s1", "cache")
    assert code == 0 and out == "db: saved snapshot x (1 B, 0.10s)\n"
    assert calls == [
        ("save", (None, []), {"force": False, "timeout": 600.0}),
        ("save", ("s1", ["db"]), {"force": True, "timeout": 5.0}),
        ("restore", ("s1", []), {"restart": False, "timeout": 600.0}),
        ("list_snapshots", (["cache"],), {}),
        ("remove", ("s1", ["cache"]), {}),
    ]


def test_down_volumes_question_names_the_snapshots_that_go():
    assert _question("shop", None) == "Delete the containers AND the data volumes of 'shop' (with their snapshots)?"
    assert _question("shop", {}) == "Delete the containers AND the data volumes of 'shop'?"
    assert _question("shop", {"db": ["a", "b"], "cache": ["a"]}) == (
        "Delete the containers AND the data volumes of 'shop', with their snapshots (db: a, b; cache: a)?"
    )


def test_down_volumes_without_a_terminal_refuses_and_mentions_snapshots(cli, shop):
    code, _, err = cli("-C", shop, "down", "--volumes")
    assert code == 2 and "snapshots included; confirm with --yes" in err


@pytest.mark.parametrize(
    ("size", "shown"),
    [(None, "?"), (0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (97631591, "93.1 MiB"), (5 * 1024**4, "5120.0 GiB")],
)
def test_human_size(size, shown):
    assert text.human_size(size) == shown


def test_created_times_are_shown_in_local_time(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        assert text.local_time("2025-03-14T09:30:00Z") == "2025-03-14 10:30:00"
        assert text.local_time("") == "-"
        assert text.local_time("yesterday") == "yesterday"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
