"""devenv/reload/files.py: which files are watched, snapshots, what changed."""

from __future__ import annotations

import os
from pathlib import Path

from devenv.reload.files import IGNORED_DIRS, Tree, changed_files


def tree(root: Path) -> Tree:
    return Tree([str(root)], ["*.py"], list(IGNORED_DIRS))


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
    assert changed_files(before, after) == [str(path)]
    assert changed_files(after, tree(tmp_path).snapshot()) == []


def test_added_and_removed_files_are_changes(tmp_path):
    (tmp_path / "a.py").write_text("a")
    before = tree(tmp_path).snapshot()
    (tmp_path / "a.py").unlink()
    (tmp_path / "b.py").write_text("b")
    assert changed_files(before, tree(tmp_path).snapshot()) == [str(tmp_path / "a.py"), str(tmp_path / "b.py")]
