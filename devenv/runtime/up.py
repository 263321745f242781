"""`devenv up`: regenerate, check the engine, plan, build, start, wait until healthy.

Compose creates the containers (`docker compose create`); `up` then starts them in
dependency order as soon as what they depend on is ready, probing health itself
(:mod:`devenv.runtime.starter`, :mod:`devenv.runtime.probe`), because the engine's
own checks run only every HEALTH_INTERVAL. The function yields events and raises
:class:`~devenv.errors.DevenvError`s; it never prints. Interrupting it (Ctrl-C) stops
the compose process it started and leaves containers as they are, so the next `up`
converges.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from devenv import kinds
from devenv.errors import ComposeError, EngineError, HealthTimeout
from devenv.generate import generate
from devenv.project import Project
from devenv.router import runtime as router
from devenv.runtime.compose_cli import ComposeCLI, build_failed, last_error_line
from devenv.runtime.engine import ContainerState, Engine
from devenv.runtime.events import Event, Output, PlanReady, ServiceChanged, StatusReport, Step, Warning
from devenv.runtime.plan import Desired, Plan, desired_from_compose, plan_up
from devenv.runtime.ports import bindings, conflicts, holder_of, port_error
from devenv.runtime.probe import Prober
from devenv.runtime.starter import StartOrder
from devenv.runtime.status import is_ready, status_rows

POLL_SECONDS = 0.2
LOG_LINES = 30
STABLE_SECONDS = 1.0  # a service without a health check must stay running this long to count as started


def up(
    project: Project,
    services: list[str] | None = None,
    *,
    build: bool = False,
    timeout: float = 120.0,
    watch: bool = False,
    engine: Engine | None = None,
    profiles: list[str] | None = None,
) -> Iterator[Event]:
    """Bring ``services`` (default: all, but those whose profiles are not in ``profiles``) and what they
    depend on to running and healthy.

    With ``watch``, then run Compose's watch on the rebuild triggers (requirements,
    package.json, ...) until interrupted; code changes reach the containers through the
    bind mounts without it.
    """
    started = time.monotonic()
    result = generate(project)
    if result.changed:
        yield Step(f"wrote {project.compose_path.name}")
    for warning in result.warnings:
        yield Warning(warning)
    engine = engine or Engine.connect()
    desired = desired_from_compose(result.data)
    observed = engine.containers(project.name)
    images = engine.images_present([d.image for d in desired.values() if d.builds])
    plan = plan_up(desired, observed, images, list(services or []), build, list(profiles or []))
    prober = Prober(engine)
    routing = router.settings_for(project)
    rebind = routing is not None and router.needs_create(project, observed)  # no override yet, a port free again
    if not watch and not rebind and _nothing_to_do(project, plan, desired, prober.settle(observed), engine):
        seeded = "seeded, nothing pending"
        kept = [a if a.verb == "keep" else replace(a, verb="keep", reason=seeded) for a in plan.actions]
        yield PlanReady(actions=kept)
        if routing is not None:  # repairs a router removed by hand, drops projects gone meanwhile
            yield from router.attach(project, routing, engine, None)
        yield StatusReport(
            project=project.name,
            services=router.with_urls(project, status_rows(desired, prober.settle(observed))),
            elapsed=round(time.monotonic() - started, 2),
        )
        return
    yield PlanReady(actions=list(plan.actions))
    compose = ComposeCLI.locate(project.root, project.compose_path)
    own_ports = {port for c in observed if c.state == "running" for port in c.ports}
    taken = conflicts(bindings(desired, plan.services), own_ports)
    unbound: dict[str, str] = {}
    if taken:
        listed = engine.raw_containers()
        holders = {b.port: holder_of(b.port, listed) for b in taken}
        errors, unbound = router.route_around(project, taken, holders) if routing else (taken, {})
        if errors:
            raise port_error(errors, holders)
    prepared = None
    if routing is not None:
        prepared = yield from router.prepare(project, result.data, routing, unbound, taken, engine)
        compose = replace(compose, extra_files=(prepared.override,))

    if plan.to_build:
        yield Step("building " + ", ".join(plan.to_build))
        yield from _build(compose, plan.to_build)

    for path in hidden_mount_points(result.data, project.root):
        path.mkdir(parents=True, exist_ok=True)  # ours, not a root-owned directory made by dockerd
    yield Step("starting " + ", ".join(plan.services))
    deadline = time.monotonic() + timeout
    # Compose leaves out services with profiles unless named: name every one the plan starts
    targets = plan.services if any(d.profiles for d in desired.values()) else list(services or [])
    yield from _create(compose, targets, desired, plan.services, engine, project.name)
    if routing is not None:
        yield from router.attach(project, routing, engine, prepared)
    order = StartOrder(desired, plan.services)
    order.keep_running(engine.containers(project.name))
    seen: dict[str, tuple[str, str | None]] = {}
    running_since: dict[str, float] = {}
    while True:
        containers = prober.settle(engine.containers(project.name))
        due = order.due(containers)
        for name in due:
            _start(engine, name, order.to_start(name, containers), desired, containers)
            order.started.add(name)
        if due:
            containers = prober.settle(engine.containers(project.name))
        yield from _changes(containers, plan.services, seen, started)
        live = [name for name in plan.services if name in order.started]  # before its start, a stale exit is no crash
        crashed = _crashed(desired, containers, live)
        if crashed:
            raise _unhealthy(crashed, desired, containers, engine, "exited")
        readiness = _readiness(desired, containers, plan.services)
        ready = {name: ok and name in order.started for name, ok in readiness.items()}
        if all(ready.values()) and _stable(desired, containers, live, running_since):
            break
        if time.monotonic() > deadline:
            waiting = [name for name, ok in ready.items() if not ok]
            raise _timeout(waiting, desired, containers, engine, timeout)
        time.sleep(POLL_SECONDS)
    containers = prober.settle(engine.containers(project.name))
    yield StatusReport(
        project=project.name,
        services=router.with_urls(project, status_rows(desired, containers)),
        elapsed=round(time.monotonic() - started, 2),
    )
    if watch:
        yield from _watch(compose, result.data, plan.services)


def _nothing_to_do(
    project: Project, plan: Plan, desired: dict[str, Desired], containers: list[ContainerState], engine: Engine
) -> bool:
    """Everything runs as the spec says and is ready, and no fixture is pending: `up` has nothing to do.

    Decided from the engine's state and the config-hash labels (the plan) and, for fixture
    seeding that ran before, from the checksums the dependency recorded; anything else
    (a change, a stopped or unhealthy container, a pending fixture) goes the long way.
    """
    if plan.orphans or plan.to_build:
        return False
    seeds: list[str] = []
    for action in plan.actions:
        if action.verb == "keep":
            continue
        if desired[action.service].role == "oneshot" and action.verb == "start":
            seeds.append(action.service)  # an exited one-shot: done, if it succeeded and nothing is pending
            continue
        return False
    ready = _readiness(desired, containers, plan.services)
    if not all(ready.values()):
        return False
    if not seeds:
        return True
    from devenv.fixtures.render import seed_service
    from devenv.fixtures.runtime import fixture_counts

    owners = {seed_service(name): name for name in project.spec.fixtures}
    if any(seed not in owners for seed in seeds):
        return False
    counts = fixture_counts(project, engine, containers, [owners[seed] for seed in seeds])
    return all(found is not None and found.pending == 0 for found in counts.values())


def _create(
    compose: ComposeCLI,
    selected: list[str],
    desired: dict[str, Desired],
    services: list[str],
    engine: Engine,
    project: str,
) -> Iterator[Event]:
    """`docker compose create`: networks, volumes, and the containers (changed ones recreated), none started."""
    running = compose.start("create", "--no-build", "--remove-orphans", *selected, progress="json")
    try:
        while running.poll() is None:
            for message in filter(None, (_compose_error(line) for line in running.new_lines())):
                yield Output(source="compose", line=message)
            time.sleep(0.05)
        code = running.wait()
    finally:
        running.stop()
    if code != 0:
        containers = engine.containers(project)
        raise _compose_failed(running.output, desired, containers, services, engine)


def _start(
    engine: Engine,
    name: str,
    containers: list[ContainerState],
    desired: dict[str, Desired],
    every: list[ContainerState],
) -> None:
    """Start a service's containers, naming the service when the engine refuses."""
    for container in containers:
        try:
            engine.start(container.id)
        except EngineError as exc:
            message = f"{name}: {exc.message.removeprefix('the engine could not start the container: ')}"
            line = json.dumps({"error": True, "message": message})
            raise _compose_failed([line], desired, every, [], engine) from None


def _watch(compose: ComposeCLI, data: dict[str, Any], services: list[str]) -> Iterator[Event]:
    watched = [name for name in services if data["services"][name].get("develop", {}).get("watch")]
    if not watched:
        yield Warning("nothing to watch: no service has rebuild triggers (develop.rebuild)")
        return
    yield Step(f"watching rebuild triggers of {', '.join(watched)} (Ctrl-C stops watching; services keep running)")
    running = compose.start("watch", "--no-up", *watched)
    try:
        while True:
            line = running.lines.get()
            if line is None:
                break
            yield Output(source="watch", line=line)
        code = running.wait()
        if code != 0:
            raise ComposeError(f"docker compose watch failed: {last_error_line(chr(10).join(running.output))}")
    except KeyboardInterrupt:
        yield Step("stopped watching; the services keep running (`devenv down` stops them)")
    finally:
        running.stop()


def hidden_mount_points(data: dict[str, Any], root: Path) -> list[Path]:
    """Host directories that tmpfs mounts inside bind mounts need (e.g. services/web/node_modules).

    Docker creates a missing mount point itself, owned by root, which then breaks a host
    `npm install`; creating it first as the invoking user avoids that. Pure.
    """
    out = []
    for entry in data.get("services", {}).values():
        volumes = [v for v in entry.get("volumes", []) if isinstance(v, dict)]
        binds = [(v["source"], v["target"].rstrip("/")) for v in volumes if v.get("type") == "bind"]
        for volume in volumes:
            if volume.get("type") != "tmpfs":
                continue
            for source, target in binds:
                if volume["target"].startswith(target + "/"):
                    out.append(root / source / volume["target"][len(target) + 1:])
    return out


def _build(compose: ComposeCLI, services: list[str]) -> Iterator[Event]:
    code, output = yield from compose.stream("build", *services, source="build", progress="plain")
    if code != 0:
        raise build_failed(services, output, "devenv up")


def _changes(
    containers: list[ContainerState], services: list[str], seen: dict[str, tuple[str, str | None]], started: float
) -> Iterator[Event]:
    for container in containers:
        if container.service not in services:
            continue
        now = (container.state, container.health)
        if seen.get(container.service) != now:
            seen[container.service] = now
            yield ServiceChanged(
                service=container.service,
                state=container.state,
                health=container.health,
                elapsed=round(time.monotonic() - started, 2),
            )


def _readiness(desired: dict[str, Desired], containers: list[ContainerState], services: list[str]) -> dict[str, bool]:
    by_service: dict[str, list[ContainerState]] = {}
    for container in containers:
        by_service.setdefault(container.service, []).append(container)
    return {name: is_ready(desired[name], by_service.get(name, [])) for name in services}


def _stable(
    desired: dict[str, Desired], containers: list[ContainerState], services: list[str], since: dict[str, float]
) -> bool:
    """Services without a health check have stayed running for STABLE_SECONDS (no crash at start)."""
    now = time.monotonic()
    ok = True
    for container in containers:
        want = desired.get(container.service)
        if container.service not in services or want is None or want.has_health or want.role == "oneshot":
            continue
        if container.state != "running":
            since.pop(container.service, None)
            ok = False
            continue
        first = since.setdefault(container.service, now)
        ok = ok and now - first >= STABLE_SECONDS
    return ok


def _crashed(desired: dict[str, Desired], containers: list[ContainerState], services: list[str]) -> list[str]:
    out = []
    for container in containers:
        if container.service not in services:
            continue
        if desired[container.service].role == "oneshot":
            if container.state in ("exited", "dead") and container.exit_code not in (0, None):
                out.append(container.service)  # a seeding job that failed
        elif container.state in ("exited", "dead") or container.health == "unhealthy":
            out.append(container.service)
    return sorted(set(out))


def _compose_error(line: str) -> str | None:
    try:
        event = json.loads(line)
    except ValueError:
        return None
    if isinstance(event, dict) and event.get("error"):
        return str(event.get("message", "")).strip() or None
    return None


def _compose_failed(
    output: list[str],
    desired: dict[str, Desired],
    containers: list[ContainerState],
    services: list[str],
    engine: Engine,
) -> ComposeError:
    messages = [m for m in (_compose_error(line) for line in output) if m]
    message = messages[-1] if messages else last_error_line("\n".join(output))
    broken = _crashed(desired, containers, services)
    details = _logs_of(broken, containers, engine) if broken else None
    hint = "see the logs above; fix the service and run `devenv up` again" if broken else None
    if any(s in message for s in ("pull access denied", "registry", "manifest unknown", "no such host")):
        hint = (
            "an image could not be pulled: check `images.mirror` (or DEVENV_IMAGES_MIRROR) and your network; "
            "`devenv doctor` checks the mirror"
        )
    if "port is already allocated" in message or "address already in use" in message:
        hint = "another process holds that host port: stop it, or set a different 'host_port' in devenv.yaml"
    return ComposeError(f"docker compose up failed: {message}", hint=hint, details=details)


def _timeout(
    waiting: list[str], desired: dict[str, Desired], containers: list[ContainerState], engine: Engine, timeout: float
) -> HealthTimeout:
    """Name the services that are themselves not healthy; mention those only waiting for them."""
    by_service = {c.service: c for c in containers}
    blocking = [n for n in waiting if n in by_service and by_service[n].state != "created"]
    blocked = [n for n in waiting if n not in blocking]
    if not blocking:
        blocking, blocked = waiting, []
    error = _unhealthy(blocking, desired, containers, engine, f"not healthy after {timeout:g}s")
    if blocked:
        error.message += f" ({', '.join(blocked)} {'waits' if len(blocked) == 1 else 'wait'} for it)"
        error.args = (error.message,)
    return error


def _unhealthy(
    names: list[str], desired: dict[str, Desired], containers: list[ContainerState], engine: Engine, why: str
) -> HealthTimeout:
    listed = ", ".join(names) if names else "(unknown)"
    hint = "read the logs above, fix the cause, and run `devenv up` again (`devenv logs SERVICE` for more)"
    for name in names:  # what the dependency's kind knows about failing to start
        kind = desired[name].kind if name in desired else None
        if kind in kinds.names() and kinds.get(kind).unhealthy_hint:
            hint += f"; {name}: {kinds.get(kind).unhealthy_hint}"
    return HealthTimeout(
        f"{listed} {'is' if len(names) == 1 else 'are'} {why}",
        services=names,
        hint=hint,
        details=_logs_of(names, containers, engine),
    )


def _logs_of(names: list[str], containers: list[ContainerState], engine: Engine) -> str:
    parts = []
    for container in containers:
        if container.service in names:
            health = f", {container.health}" if container.health else ""
            header = f"--- last {LOG_LINES} log lines of {container.service} ({container.state}{health}) ---"
            parts.append(header + "\n" + engine.logs(container.id, LOG_LINES).rstrip())
    created = {c.service for c in containers}
    parts.extend(f"--- {name}: no container was created ---" for name in names if name not in created)
    return "\n".join(parts)
