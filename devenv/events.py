"""Every event the core yields; the CLI renders them (rich, plain lines or JSON lines).

The core (runtime, scaffold, doctor, fixtures) never prints: a command makes one core
call that returns events, and ``devenv.cli.output.emit`` renders each one with the
method its renderer has for its class. JSON output is :meth:`Event.as_dict`, the
class name under ``"event"`` and the fields as they are.

This module imports nothing of devenv, so every package can use it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from devenv.runtime.plan import Action

CheckStatus = Literal["ok", "warn", "fail", "skip"]


@dataclass(frozen=True)
class Event:
    """Base event."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the event type."""
        return {"event": type(self).__name__, **asdict(self)}


@runtime_checkable
class Described(Protocol):
    """An event that says itself in one line (seeding progress); rendered like a :class:`Step`."""

    def describe(self) -> str:
        """The line shown in rich and plain output."""
        ...


# --- generic ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message(Event):
    """A line of plain text for the user: what a command did, what to do next."""

    message: str


@dataclass(frozen=True)
class Step(Event):
    """A phase of the work started or finished ("generated docker-compose.yml", "building api")."""

    message: str


@dataclass(frozen=True)
class Warning(Event):  # shadows the builtin on purpose: the user-facing word
    """Something the user should know that does not stop the work."""

    message: str


@dataclass(frozen=True)
class Output(Event):
    """A line of output from a tool devenv runs (build logs, compose)."""

    source: str
    line: str


@dataclass(frozen=True)
class LogLine(Event):
    """A line of the containers' logs (`devenv logs`), shown as it is."""

    line: str


@dataclass(frozen=True)
class Document(Event):
    """Text a command produces for another program (a diagram, a schema), shown exactly as it is."""

    text: str


@dataclass(frozen=True)
class Graph(Document):
    """`devenv graph`: the project as a Mermaid or Graphviz diagram."""

    format: str = "mermaid"


@dataclass(frozen=True)
class Schema(Document):
    """`devenv schema`: the JSON Schema of devenv.yaml, as indented JSON text."""


@dataclass(frozen=True)
class Manifests(Document):
    """`devenv export k8s --out -`: the Kubernetes manifests as one YAML stream."""


# --- up, status ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanReady(Event):
    """What `up` is about to do, per service."""

    actions: list[Action]


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
    https_url: str | None = None  # its name through the router (devenv/router/)
    note: str | None = None  # e.g. why its localhost port is not bound
    profiles: list[str] = field(default_factory=list)  # a service with profiles and no container is "off"


@dataclass(frozen=True)
class StatusReport(Event):
    """The table at the end of `up`, and the body of `status`."""

    project: str
    services: list[ServiceStatus]
    elapsed: float = 0.0


# --- doctor -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check(Event):
    """One finding of `devenv doctor`."""

    name: str
    status: CheckStatus
    detail: str
    fix: str | None = None


# --- test ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceTestResult(Event):
    """The outcome of one service's tests."""

    __test__ = False  # not a pytest test class

    service: str
    command: list[str]
    passed: bool
    exit_code: int
    seconds: float
    tail: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TestSummary(Event):
    """Every service's outcome: the table at the end of `devenv test`."""

    __test__ = False

    project: str
    results: list[ServiceTestResult]
    skipped: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        """The services whose tests failed."""
        return [r.service for r in self.results if not r.passed]


# --- check (devenv check) ------------------------------------------------------------------------

CheckOutcome = Literal["passed", "failed", "warned", "skipped"]


@dataclass(frozen=True)
class ServiceCheckResult(Event):
    """One check of one service: its counts, what it found, and the outcome under the project's policy."""

    service: str
    kind: str
    outcome: CheckOutcome
    required: bool
    passed: int
    failed: int
    warnings: int
    seconds: float
    command: list[str] = field(default_factory=list)
    exit_code: int | None = None
    findings: list[str] = field(default_factory=list)
    reason: str | None = None  # why it was skipped
    output: list[str] = field(default_factory=list)  # the last lines, for a failed check


@dataclass(frozen=True)
class CheckSummary(Event):
    """Every check of every service: the table at the end of `devenv check`."""

    project: str
    results: list[ServiceCheckResult]
    skipped: list[str] = field(default_factory=list)  # services with nothing to check
    seconds: float = 0.0
    parallel: int = 1

    @property
    def failed(self) -> list[str]:
        """``service/kind`` of every required check that failed."""
        return [f"{r.service}/{r.kind}" for r in self.results if r.outcome == "failed"]


# --- update -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceUpdate(Event):
    """The outcome of `devenv update` for one service."""

    service: str
    status: str  # updated | conflicts | up-to-date | skipped
    template: str | None = None
    old_version: str | None = None
    new_version: str | None = None
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    reason: str | None = None


# --- snapshot -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotEntry:
    """One row of `devenv snapshot list`: one snapshot of one dependency."""

    name: str
    dependency: str
    kind: str
    size_bytes: int
    created_at: str  # ISO 8601, UTC ("" when the kind cannot tell)


@dataclass(frozen=True)
class SnapshotTable(Event):
    """`devenv snapshot list`: the snapshots of the running dependencies, oldest first."""

    project: str
    snapshots: list[SnapshotEntry]
    not_running: list[str] = field(default_factory=list)  # dependencies whose snapshots could not be listed


@dataclass(frozen=True)
class SnapshotDone(Event):
    """A snapshot of one dependency was saved, restored or removed."""

    action: Literal["saved", "restored", "removed"]
    dependency: str
    name: str
    size_bytes: int | None = None
    elapsed: float = 0.0


@dataclass(frozen=True)
class ServicesRestarted(Event):
    """Services that use restored dependencies were restarted and are ready again."""

    services: list[str]
    dependencies: list[str]
    elapsed: float = 0.0


# --- import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedService(Event):
    """`devenv import`: what one compose service became, and everything that did not carry over as such."""

    service: str  # its name in devenv.yaml
    original: str  # its name in the compose file
    became: str  # dependency | build | image | raw
    summary: str  # "dependency (postgres 16)", "service built from ./api (target dev)"
    raw: list[str] = field(default_factory=list)  # keys kept as raw compose keys
    removed: list[str] = field(default_factory=list)  # keys devenv renders that the original has not (raw null)
    kubernetes: list[str] = field(default_factory=list)  # fields `devenv export k8s` does not carry
    added: list[str] = field(default_factory=list)  # what devenv adds ("environment: DATABASE_URL")
    differences: list[str] = field(default_factory=list)  # what Compose reads otherwise than the original
    notes: list[str] = field(default_factory=list)  # interpolated values, renames, missing env files
    settings: int = 0  # the original's keys
    equivalent: int = 0  # those Compose reads the same from the generated file


@dataclass(frozen=True)
class ImportSummary(Event):
    """`devenv import`: the whole project, the files moved and written, and the self-check's count."""

    project: str
    sources: list[str]
    compose_version: str
    services: int
    settings: int
    equivalent: int
    raw: list[str] = field(default_factory=list)  # top-level raw compose keys
    differences: list[str] = field(default_factory=list)  # top-level entries Compose reads otherwise
    added: list[str] = field(default_factory=list)  # top-level entries devenv adds (a dependency's data volume)
    kubernetes: list[str] = field(default_factory=list)  # top-level keys `devenv export k8s` does not carry
    moved: list[str] = field(default_factory=list)  # "docker-compose.yml -> docker-compose.original.yml"
    written: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- trust (the router's CA: devenv/router/trust.py) --------------------------------------------


@dataclass(frozen=True)
class CACertificate(Document):
    """`devenv trust --print-ca`: the devenv CA certificate, PEM."""


# --- delivery (devenv/deliver: build, deploy, history, rollback) --------------------------------


@dataclass(frozen=True)
class ImageBuilt(Event):
    """`devenv build`: one service's production image, with its digest once pushed."""

    service: str
    ref: str
    digest: str | None = None

    def describe(self) -> str:
        """The line shown in rich and plain output."""
        return f"built {self.service}: {self.digest or self.ref + ' (not pushed)'}"


@dataclass(frozen=True)
class RolloutProgress(Event):
    """A workload rolling out (or back): ready pods of the wanted number, or a Job's state."""

    workload: str  # Deployment/api, StatefulSet/db, Job/db-fixtures-1a2b3c4d
    ready: int
    wanted: int
    done: bool = False

    def describe(self) -> str:
        """The line shown in rich and plain output."""
        return f"{self.workload}: {self.ready}/{self.wanted} ready" + (" (done)" if self.done else "")


@dataclass(frozen=True)
class Release:
    """One recorded deploy of an environment (a ConfigMap in its namespace)."""

    revision: int
    commit: str
    tag: str
    time: str
    status: str  # deployed, failed (rolled back), rollback
    digests: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReleaseHistory(Event):
    """`devenv history --env ENV`: the recorded deploys, oldest first."""

    env: str
    namespace: str
    releases: list[Release] = field(default_factory=list)
