"""devenv's own health probing while it waits: the container's health check, run now.

Compose files run health checks at a relaxed interval (``HEALTH_INTERVAL``) so an idle
environment costs almost nothing; Engine 20.10 has no faster rate for the start-up
(``start_interval`` needs Engine 25). So while ``up`` waits, and when ``status`` looks,
devenv runs a container's own health check (as the engine would: the same command,
in the container) for containers the engine still reports as ``starting``; one that
passes counts as healthy. The engine's own status catches up at its next check.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from devenv.runtime.engine import ContainerState

MIN_GAP = 0.5  # seconds between two probes of one container


class ProbeEngine(Protocol):
    """What probing needs of the engine facade."""

    def health_test(self, container_id: str) -> list[str] | None: ...

    def exec(self, container_id: str, argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str]: ...


def check_argv(test: Sequence[str] | None) -> list[str] | None:
    """The argv of an engine health check (``["CMD", ...]`` or ``["CMD-SHELL", "..."]``), or None for none."""
    if not test or test[0] == "NONE":
        return None
    if test[0] == "CMD":
        return list(test[1:]) or None
    if test[0] == "CMD-SHELL" and len(test) > 1:
        return ["/bin/sh", "-c", test[1]]
    return None


@dataclass
class Prober:
    """Probes containers the engine reports as starting, at most every MIN_GAP seconds each."""

    engine: ProbeEngine
    clock: Callable[[], float] = time.monotonic
    _tests: dict[str, list[str] | None] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)
    _passed: set[str] = field(default_factory=set)

    def settle(self, containers: list[ContainerState]) -> list[ContainerState]:
        """The containers, with ``starting`` turned ``healthy`` for those whose check passes now."""
        return [self._settle(container) for container in containers]

    def _settle(self, container: ContainerState) -> ContainerState:
        if container.state != "running" or container.health != "starting":
            self._passed.discard(container.id)
            return container
        if container.id in self._passed:  # passed once: healthy until the engine says otherwise
            return replace(container, health="healthy")
        now = self.clock()
        if now - self._last.get(container.id, -MIN_GAP) < MIN_GAP:
            return container
        self._last[container.id] = now
        if container.id not in self._tests:
            self._tests[container.id] = check_argv(self.engine.health_test(container.id))
        argv = self._tests[container.id]
        if argv is None:
            return container
        code, _ = self.engine.exec(container.id, argv)
        if code != 0:
            return container
        self._passed.add(container.id)
        return replace(container, health="healthy")
