"""devenv's reloader (devenv/reload/reloader.py) on the host: file tracking, inotify, and
`run` mode end to end (a fork-server around a small script). `serve` mode needs uvicorn,
which lives in the service images: tests/integration/test_hot_reload.py covers it."""

from __future__ import annotations

import os
import py_compile
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devenv.reload import RELOADER
from devenv.reload import reloader as rl

SCRIPT = """\
import signal, sys, time
from helper import VERSION
open("seen.txt", "a").write(f"{VERSION}\\n")
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while True:
    time.sleep(0.02)
"""


def tree(root: Path) -> rl.Tree:
    return rl.Tree([str(root)], ["*.py"], list(rl.IGNORED_DIRS))


def test_snapshot_follows_included_files_outside_ignored_dirs(tmp_path):
    (tmp_path / "a.py").write_text("a")
    (tmp_path / "notes.txt").write_text("n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "b.py").write_text("b")
    for ignored in ("__pycache__", "node_modules", ".git", "x.egg-info"):
        (tmp_path / ignored).mkdir()
        (tmp_path / ignored / "c.py").write_text("c")
    assert sorted(tree(tmp_path).snapshot()) == [str(tmp_path / "a.py"), str(tmp_path / "pkg" / "b.py")]


def test_changes_with_the_same_size_and_mtime_are_seen_by_content(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("VERSION = 1\n")
    before = tree(tmp_path).snapshot()
    stat = path.stat()
    path.write_text("VERSION = 2\n")  # same size; put the mtime back (a coarse clock does that)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after = tree(tmp_path).snapshot()
    assert before[str(path)][:2] == after[str(path)][:2]
    assert rl.changed_files(before, after) == [str(path)]
    assert rl.changed_files(after, tree(tmp_path).snapshot()) == []


def test_added_and_removed_files_are_changes(tmp_path):
    (tmp_path / "a.py").write_text("a")
    before = tree(tmp_path).snapshot()
    (tmp_path / "a.py").unlink()
    (tmp_path / "b.py").write_text("b")
    assert rl.changed_files(before, tree(tmp_path).snapshot()) == [str(tmp_path / "a.py"), str(tmp_path / "b.py")]


def _events(watcher: rl.Inotify, timeout: float = 2.0) -> set[str]:
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while time.monotonic() < deadline:
        changed, rescan = watcher.read()
        assert not rescan
        seen |= changed
        if seen:
            time.sleep(0.05)
            changed, _ = watcher.read()
            return seen | changed
        time.sleep(0.01)
    return seen


def test_inotify_reports_writes_renames_and_files_in_new_directories(tmp_path):
    (tmp_path / "a.py").write_text("a")
    (tmp_path / "__pycache__").mkdir()
    watcher = rl.Inotify(tree(tmp_path))
    try:
        (tmp_path / "a.py").write_text("a2")
        assert _events(watcher) == {str(tmp_path / "a.py")}
        (tmp_path / ".b.py.tmp").write_text("b")  # an editor's atomic save
        os.rename(tmp_path / ".b.py.tmp", tmp_path / "b.py")
        assert _events(watcher) == {str(tmp_path / "b.py")}
        (tmp_path / "notes.txt").write_text("n")
        (tmp_path / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"x")
        assert _events(watcher, timeout=0.3) == set()
        (tmp_path / "pkg" / "sub").mkdir(parents=True)
        (tmp_path / "pkg" / "sub" / "c.py").write_text("c")
        assert str(tmp_path / "pkg" / "sub" / "c.py") in _events(watcher)
        (tmp_path / "pkg" / "sub" / "c.py").write_text("c2")  # the new directory is watched now
        assert _events(watcher) == {str(tmp_path / "pkg" / "sub" / "c.py")}
    finally:
        watcher.close()


def test_arguments():
    opts = rl.parse_args(["serve", "app.main:app", "--port", "9000", "--log-config", "logging.json", "--no-access-log"])
    assert (opts.app, opts.port, opts.host, opts.log_config, opts.no_access_log) == (
        "app.main:app", 9000, "0.0.0.0", "logging.json", True,
    )  # fmt: skip
    opts = rl.parse_args(["run", "--stop-timeout", "5", "-m", "worker", "--flag"])
    assert (opts.module, opts.args, opts.stop_timeout, opts.stop_signal) == ("worker", ["--flag"], 5.0, signal.SIGTERM)
    opts = rl.parse_args(["run", "job.py", "a"])
    assert (opts.module, opts.args) == (None, ["job.py", "a"])


def test_errors_are_shown_from_the_first_frame_in_the_apps_code(tmp_path):
    (tmp_path / "mod.py").write_text("def f():\n    raise ValueError('boom')\n")
    sys.path.insert(0, str(tmp_path))
    try:
        import mod

        try:
            mod.f()
        except ValueError as exc:
            text = rl.format_error(exc, [str(tmp_path)])
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("mod", None)
    assert "test_reloader.py" not in text and "mod.py" in text and "ValueError: boom" in text


class Running:
    """The reloader in `run` mode around SCRIPT, in ``root``; SCRIPT appends each VERSION it starts with."""

    def __init__(self, root: Path, *extra: str, env: dict | None = None):
        self.root = root
        (root / "job.py").write_text(SCRIPT)
        self.log = open(root / "reloader.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, str(RELOADER), "run", "--stop-timeout", "5", *extra, "job.py"],
            cwd=root,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})},
        )

    def seen(self) -> list[str]:
        path = self.root / "seen.txt"
        return path.read_text().split() if path.exists() else []

    def wait_for(self, version: str, timeout: float = 15.0) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.seen() and self.seen()[-1] == version:
                return time.monotonic() - started
            assert self.proc.poll() is None, self.output()
            time.sleep(0.01)
        raise AssertionError(f"version {version} never ran; ran {self.seen()}\n{self.output()}")

    def output(self) -> str:
        return (self.root / "reloader.log").read_text()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(15)
        finally:
            self.log.close()


@pytest.fixture
def running(tmp_path):
    made: list[Running] = []

    def start(*extra: str, env: dict | None = None) -> Running:
        (tmp_path / "helper.py").write_text("VERSION = 1\n")
        made.append(Running(tmp_path, *extra, env=env))
        made[-1].wait_for("1")
        return made[-1]

    yield start
    for item in made:
        if item.proc.poll() is None:
            item.proc.kill()
            item.proc.wait()
        item.log.close()


def test_run_restarts_on_each_change(running, tmp_path):
    job = running()
    for version in range(2, 6):
        (tmp_path / "helper.py").write_text(f"VERSION = {version}\n")
        job.wait_for(str(version))
    assert job.seen() == ["1", "2", "3", "4", "5"]
    assert '"msg": "reloaded"' in job.output() and "helper.py" in job.output()


def test_no_edit_is_lost_in_a_burst(running, tmp_path):
    job = running()
    for version in range(10, 30):
        (tmp_path / "helper.py").write_text(f"VERSION = {version}\n")
        time.sleep(0.004)
    job.wait_for("29")
    time.sleep(1.5)  # and nothing after it
    assert job.seen()[-1] == "29"


def test_a_broken_edit_waits_for_the_fix(running, tmp_path):
    job = running()
    (tmp_path / "helper.py").write_text("VERSION = (\n")
    deadline = time.monotonic() + 10
    while "SyntaxError" not in job.output():
        assert time.monotonic() < deadline, job.output()
        time.sleep(0.05)
    assert "reloader.py" not in job.output().split("SyntaxError")[0].split("Traceback")[-1]
    (tmp_path / "helper.py").write_text("VERSION = 7\n")
    job.wait_for("7")


def test_a_stale_pycache_never_masks_an_edit(running, tmp_path):
    job = running()
    path = tmp_path / "helper.py"
    path.write_text("VERSION = 8\n")
    job.wait_for("8")
    stat = path.stat()
    py_compile.compile(str(path), cfile=str(tmp_path / "__pycache__" / f"helper.{sys.implementation.cache_tag}.pyc"))
    path.write_text("VERSION = 9\n")  # same size and (restored) mtime: the .pyc would be taken for valid
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    job.wait_for("9")


def test_polling_mode(running, tmp_path):
    job = running(env={"DEVENV_POLLING": "1", "DEVENV_RELOAD_POLL_MS": "100"})
    assert "polling every 100 ms" in job.output()
    (tmp_path / "helper.py").write_text("VERSION = 3\n")
    job.wait_for("3")


def test_sigterm_stops_the_process_and_the_reloader(running):
    job = running()
    child_pids = [line for line in job.output().splitlines() if '"msg": "started"' in line]
    assert child_pids
    assert job.stop() == 0
