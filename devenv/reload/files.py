"""The watched files: which count, their snapshots, and what changed between two snapshots."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import time
from typing import TYPE_CHECKING

IGNORED_DIRS = (
    ".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv", ".tox", ".nox", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".hypothesis", "build", "dist", "*.egg-info", ".devenv",
)
RACY_NS = 3_000_000_000  # files changed this recently are also compared by content (mtime is coarse)

if TYPE_CHECKING:  # for the type checker only: containers may run Python 3.9 (no X | None at runtime)
    from typing import TypeAlias

    Entry: TypeAlias = tuple[int, int, int, str | None]  # (mtime_ns, size, inode, digest or None)
    Snapshot: TypeAlias = dict[str, Entry]  # path -> Entry


class Tree:
    """The watched files: under ``roots``, matching ``include``, outside ignored directories."""

    def __init__(self, roots: list[str], include: list[str], ignore: list[str]):
        self.roots = [os.path.abspath(root) for root in roots]
        self.include = include
        self.ignore = ignore

    def wanted_dir(self, name: str) -> bool:
        return not any(fnmatch.fnmatchcase(name, pattern) for pattern in self.ignore)

    def wanted_file(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.include)

    def wanted_path(self, path: str) -> bool:
        """A file path under a root, in no ignored directory, matching ``include``."""
        for root in self.roots:
            rel = os.path.relpath(path, root)
            if rel.startswith(".."):
                continue
            parts = rel.split(os.sep)
            return self.wanted_file(parts[-1]) and all(self.wanted_dir(part) for part in parts[:-1])
        return False

    def dirs(self, top: str | None = None) -> list[str]:
        """Every directory to watch (under ``top``, default: all roots)."""
        out: list[str] = []
        stack = [top] if top else list(self.roots)
        while stack:
            path = stack.pop()
            out.append(path)
            try:
                with os.scandir(path) as entries:
                    for entry in entries:
                        if entry.is_dir(follow_symlinks=False) and self.wanted_dir(entry.name):
                            stack.append(entry.path)
            except OSError:
                continue
        return out

    def snapshot(self, top: str | None = None) -> Snapshot:
        """{path: (mtime_ns, size, inode, digest or None)}; files changed within RACY_NS get a digest."""
        now = time.time_ns()
        out: Snapshot = {}
        for directory in self.dirs(top):
            try:
                with os.scandir(directory) as entries:
                    for entry in entries:
                        if not self.wanted_file(entry.name):
                            continue
                        try:
                            if not entry.is_file():
                                continue
                            st = entry.stat()
                        except OSError:
                            continue
                        digest = _digest(entry.path) if now - st.st_mtime_ns < RACY_NS else None
                        out[entry.path] = (st.st_mtime_ns, st.st_size, st.st_ino, digest)
            except OSError:
                continue
        return out


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    except OSError:
        return None


def changed_files(before: Snapshot, after: Snapshot) -> list[str]:
    """Paths added, removed or changed between two snapshots (content compared for racy entries)."""
    out = []
    for path in before.keys() | after.keys():
        old, new = before.get(path), after.get(path)
        if (old is None or new is None or old[:3] != new[:3]) or (
            old[3] is not None and (new[3] or _digest(path)) != old[3]
        ):
            out.append(path)
    return sorted(out)


def under(path: str, roots: list[str]) -> bool:
    """Whether ``path`` is one of ``roots`` (absolute paths) or inside one."""
    path = os.path.abspath(path)
    return any(path == root or path.startswith(root + os.sep) for root in roots)
