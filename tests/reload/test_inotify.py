"""devenv/reload/inotify.py: inotify(7) watches over a tree."""

from __future__ import annotations

import os
import time

from devenv.reload.inotify import Inotify

from .test_files import tree


def _events(watcher: Inotify, timeout: float = 2.0) -> set[str]:
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
    watcher = Inotify(tree(tmp_path))
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
