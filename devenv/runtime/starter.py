"""Which service to start next during `up`, from depends_on conditions and observed state. Pure.

`up` lets Compose create the containers (`docker compose create`: networks, volumes,
recreation of changed services) and then starts them itself, in dependency order, as
soon as what they depend on is ready: running, healthy (by the engine's word or by
devenv's own probe, :mod:`devenv.runtime.probe`) or, for one-shot services such as
fixture seeding, exited with 0 after this `up` started them. Compose's own `up` would
wait for the engine's next health check, which runs only every HEALTH_INTERVAL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from devenv.runtime.engine import ContainerState
from devenv.runtime.plan import Desired


def by_service(containers: Iterable[ContainerState]) -> dict[str, list[ContainerState]]:
    """Containers grouped by compose service."""
    out: dict[str, list[ContainerState]] = {}
    for container in containers:
        out.setdefault(container.service, []).append(container)
    return out


def condition_met(condition: str, want: Desired, have: list[ContainerState], started: bool) -> bool:
    """Whether one depends_on condition holds for the dependency ``want``.

    ``started``: this `up` has started the dependency (or found it running and kept it).
    """
    if want.role == "barrier":
        return True
    if not have:
        return False
    if condition == "service_completed_successfully":
        return started and all(c.state == "exited" and c.exit_code == 0 for c in have)
    running = all(c.state == "running" for c in have)
    if condition == "service_healthy" and want.has_health:
        return running and all(c.health == "healthy" for c in have)
    return running


@dataclass
class StartOrder:
    """The services `up` brings up, and which of them it has started so far."""

    desired: dict[str, Desired]
    services: list[str]  # in start order (dependencies first)
    started: set[str] = field(default_factory=set)

    def keep_running(self, containers: list[ContainerState]) -> None:
        """Services already running (and not one-shots) count as started: `up` keeps them."""
        grouped = by_service(containers)
        for name in self.services:
            have = grouped.get(name, [])
            runs = self.desired[name].role not in ("oneshot", "barrier")
            if runs and have and all(c.state == "running" for c in have):
                self.started.add(name)

    def due(self, containers: list[ContainerState]) -> list[str]:
        """Services not started yet whose dependencies are all ready now, in start order."""
        grouped = by_service(containers)
        out = []
        for name in self.services:
            want = self.desired[name]
            if name in self.started or want.role == "barrier":
                continue
            if all(
                condition_met(condition, self.desired[dep], grouped.get(dep, []), dep in self.started)
                for dep, condition in want.conditions
                if dep in self.desired
            ):
                out.append(name)
        return out

    def to_start(self, name: str, containers: list[ContainerState]) -> list[ContainerState]:
        """The containers of ``name`` that are not running."""
        return [c for c in by_service(containers).get(name, []) if c.state != "running"]
