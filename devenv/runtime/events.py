"""Events the runtime yields; the CLI renders them (rich, plain lines or JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """Base event."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the event type."""
        return {"event": type(self).__name__, **asdict(self)}


@dataclass(frozen=True)
class Step(Event):
    """A phase of the work started or finished ("generated docker-compose.yml", "building api")."""

    message: str


@dataclass(frozen=True)
class Warning(Event):  # noqa: A001 - the user-facing word
    """Something the user should know that does not stop the work."""

    message: str


@dataclass(frozen=True)
class PlanReady(Event):
    """What `up` is about to do, per service."""

    actions: list[dict[str, str]]


@dataclass(frozen=True)
class Output(Event):
    """A line of output from a tool devenv runs (build logs, compose)."""

    source: str
    line: str


@dataclass(frozen=True)
class ServiceChanged(Event):
    """A service's container changed state or health."""

    service: str
    state: str
    health: str | None
    elapsed: float


@dataclass(frozen=True)
class ServiceStatus:
    """One row of the final status table."""

    service: str
    role: str  # "service" | "dependency" | "oneshot"
    state: str  # running, exited, missing, ...
    health: str | None
    urls: list[str] = field(default_factory=list)
    ready: bool = False


@dataclass(frozen=True)
class StatusReport(Event):
    """The table at the end of `up`, and the body of `status`."""

    project: str
    services: list[ServiceStatus]
    elapsed: float = 0.0
