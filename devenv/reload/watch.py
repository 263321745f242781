"""Change tracking for the supervisor: inotify (or polling) over the watched tree, the
changes not loaded yet, and when they are due (debounced)."""

from __future__ import annotations

import os
import selectors
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .files import Tree, changed_files
from .inotify import Inotify
from .log import log

if TYPE_CHECKING:
    from .files import Snapshot


class Watch:
    """What changed under the tree since the last reload, seen by inotify events or by polling."""

    def __init__(self, tree: Tree, selector: selectors.BaseSelector, polling: bool, poll_s: float, debounce_s: float):
        self.tree = tree
        self.roots = tree.roots
        self.selector = selector
        self.polling = polling
        self.poll_s = poll_s
        self.debounce_s = debounce_s
        self.watcher: Inotify | None = None
        self.snapshot: Snapshot = {}
        self.dirty: set[str] = set()  # changed, not loaded yet
        self.dirty_since: float | None = None
        self.last_event = 0.0
        self.last_poll = 0.0

    def start(self) -> None:
        """Watch with inotify (registered on the selector as "inotify") unless polling; take the first snapshot."""
        if not self.polling:
            try:
                self.watcher = Inotify(self.tree)
                self.selector.register(self.watcher, selectors.EVENT_READ, "inotify")
            except OSError as exc:
                log("warning", "inotify unavailable; polling instead", error=str(exc))
                self.polling = True
        self.snapshot = self.tree.snapshot()

    def describe(self) -> str:
        return f"polling every {round(self.poll_s * 1000)} ms" if self.polling else "inotify"

    def on_events(self) -> None:
        """The inotify file descriptor is readable."""
        if self.watcher is None:  # never: the selector only reports it while it is registered
            return
        try:
            changed, rescan = self.watcher.read()
        except OSError as exc:  # e.g. out of inotify watches (fs.inotify.max_user_watches)
            log("warning", "inotify failed; polling instead", error=str(exc))
            self.selector.unregister(self.watcher)
            self.watcher.close()
            self.watcher = None
            self.polling = True
            changed, rescan = set(), True
        if rescan:
            changed.update(self.rescan())
        self.mark(changed)

    def poll(self, now: float) -> None:
        """When polling and the poll period is over, compare the files with the last snapshot."""
        if self.polling and now >= self.last_poll + self.poll_s:
            self.mark(self.rescan())

    def rescan(self) -> set[str]:
        self.last_poll = time.monotonic()
        fresh = self.tree.snapshot()
        changed = set(changed_files(self.snapshot, fresh))
        self.snapshot = fresh
        return changed

    def mark(self, changed: set[str]) -> None:
        if not changed:
            return
        self.dirty.update(changed)
        self.last_event = time.monotonic()
        if self.dirty_since is None:
            self.dirty_since = self.last_event

    def due(self) -> float:
        """When the changes should be loaded: after a quiet debounce period (at most 10 debounce
        periods after the first change)."""
        return min(self.last_event + self.debounce_s, (self.dirty_since or self.last_event) + 10 * self.debounce_s)

    def take(self) -> list[str]:
        """The changes, now being loaded."""
        changed = sorted(self.dirty)
        self.dirty.clear()
        self.dirty_since = None
        return changed

    def refresh(self) -> Snapshot:
        """A new snapshot, taken just before a child is forked."""
        self.snapshot = self.tree.snapshot()
        return self.snapshot

    def recheck(self, since: Snapshot) -> None:
        """After a reload: did anything change since ``since`` (the fork's snapshot) that no event reported?"""
        fresh = self.tree.snapshot()
        missed = set(changed_files(since, fresh)) - self.dirty
        if self.polling:
            self.snapshot = fresh
        if missed:
            if not self.dirty:
                log("info", "files changed during the reload; reloading again", changed=self.rel(missed))
            self.mark(missed)

    def rel(self, paths: Iterable[str]) -> list[str]:
        """Up to 20 paths, relative to their root, for the log."""
        out = []
        for path in sorted(paths)[:20]:
            rel = next((os.path.relpath(path, r) for r in self.roots if path.startswith(r + os.sep)), path)
            out.append(rel)
        return out

    def close(self) -> None:
        """In a forked child: let go of the inotify descriptor."""
        if self.watcher is not None:
            self.watcher.close()
