"""Status of a project: desired services joined with observed containers. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from devenv import kinds
from devenv.events import ServiceStatus, StatusReport
from devenv.runtime.engine import ContainerState, Engine
from devenv.runtime.plan import Desired

if TYPE_CHECKING:
    from devenv.fixtures.formats import FixtureCount
    from devenv.project import Project


@dataclass(frozen=True)
class SeedStatus(ServiceStatus):
    """The row of a ``<dependency>-seed`` one-shot, with its dependency's fixture files.

    HEALTH shows ``N applied, M pending`` (a one-shot has no health check of its own).
    """

    fixtures_applied: int | None = None
    fixtures_pending: int | None = None


def urls(want: Desired) -> list[str]:
    """Host URLs of published ports: http for services; for dependencies, the URL its kind's tools take."""
    out = []
    for port in want.ports:
        parts = str(port).split(":")
        if len(parts) < 2 or not parts[-2]:  # not published, or on a port the engine picks
            continue
        host_port = parts[-2]
        host = parts[0] if len(parts) == 3 else "localhost"
        host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "") else host
        if want.role in ("service", "dashboard"):
            out.append(f"http://{host}:{host_port}")
        elif want.host_url and host == "localhost":
            out.append(want.host_url)
        elif want.kind in kinds.names() and host == "localhost" and host_port.isdigit():
            out.append(kinds.get(want.kind).host_url(int(host_port), want.project))
        else:
            out.append(f"{host}:{host_port}")
    return out


def is_ready(want: Desired, have: list[ContainerState]) -> bool:
    """Running and healthy (or running without a health check); one-shots: exited with 0."""
    if want.role == "barrier":  # fixtures' scale-0 service: never has a container
        return True
    if not have:
        return False
    if want.role == "oneshot":
        return all(c.state == "exited" and c.exit_code == 0 for c in have)
    if not all(c.state == "running" for c in have):
        return False
    if want.has_health:
        return all(c.health == "healthy" for c in have)
    return True


def status_rows(
    desired: dict[str, Desired], observed: list[ContainerState], only: list[str] | None = None
) -> list[ServiceStatus]:
    """One row per desired service (in compose order), plus containers of services no longer desired."""
    by_service: dict[str, list[ContainerState]] = {}
    for container in observed:
        by_service.setdefault(container.service, []).append(container)
    rows = []
    for name, want in desired.items():
        if (only and name not in only) or want.role == "barrier":
            continue
        have = by_service.get(name, [])
        state = have[0].state if have else ("off" if want.profiles else "missing")
        if have and state == "exited" and have[0].exit_code is not None:
            state = f"exited ({have[0].exit_code})"
        health = have[0].health if have else None
        found = urls(want)
        if not found and want.role == "dashboard" and have:  # a host port the engine picked
            found = [f"http://localhost:{port}" for port in have[0].ports]
        rows.append(
            ServiceStatus(
                service=name,
                role=want.role,
                state=state,
                health=health,
                urls=found,
                ready=is_ready(want, have),
                profiles=list(want.profiles),
            )
        )
    for name in sorted(set(by_service) - set(desired)):
        have = by_service[name]
        rows.append(ServiceStatus(service=name, role="orphan", state=have[0].state, health=have[0].health))
    return rows


def with_fixture_counts(rows: list[ServiceStatus], counts: Mapping[str, FixtureCount | None]) -> list[ServiceStatus]:
    """Rows with the fixture counts ({seed service: FixtureCount or None}) on the seed rows."""
    out: list[ServiceStatus] = []
    for row in rows:
        found = counts.get(row.service)
        if found is None:
            out.append(row)
            continue
        fields = {**asdict(row), "health": found.describe()}
        out.append(SeedStatus(**fields, fixtures_applied=found.applied, fixtures_pending=found.pending))
    return out


def project_status(project: Project, engine: Engine | None = None) -> StatusReport:
    """The StatusReport of a project right now (no changes made)."""
    from devenv.render.compose import render_compose
    from devenv.runtime.plan import desired_from_compose
    from devenv.runtime.probe import Prober

    engine = engine or Engine.connect()
    desired = desired_from_compose(render_compose(project).data)
    # a container the engine has not checked since it started: its check, run now, decides
    containers = Prober(engine).settle(engine.containers(project.name))
    from devenv.router.runtime import with_urls

    rows = with_urls(project, status_rows(desired, containers))
    if getattr(project.spec, "fixtures", None):
        from devenv.fixtures.render import seed_service
        from devenv.fixtures.runtime import fixture_counts

        counts = fixture_counts(project, engine, containers)
        rows = with_fixture_counts(rows, {seed_service(name): found for name, found in counts.items()})
    return StatusReport(project=project.name, services=rows)
