"""`devenv snapshot save|restore|list|rm` on the real engine.

Each command checks its input first (the name, the dependencies, that they run, that the
snapshot exists or not), then asks each dependency's kind to do the work through an
:class:`EngineContext` bound to the dependency's running container: programs go in on an
exec's standard input (``Engine.exec_input``), a restart goes through ``Engine.restart``.
After a restore, the running services that depend on a restored dependency are restarted
and waited for, so they come back with fresh connections to the restored data. Like the
rest of the runtime, nothing here prints: the functions yield events and raise
:class:`~devenv.errors.DevenvError`s (2 for bad input, 1 when the engine or a program fails).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from devenv.errors import DevenvError, EngineError, SnapshotError, UsageError
from devenv.events import (
    Event,
    Message,
    ServicesRestarted,
    SnapshotDone,
    SnapshotTable,
    Step,
    Warning,
)
from devenv.fixtures.cache import forget_records
from devenv.kinds import kind_of
from devenv.kinds.snapshots import ExecResult, SnapshotFailed, SnapshotInfo, default_name
from devenv.project import Project
from devenv.runtime.engine import ContainerState, Engine
from devenv.runtime.probe import Prober, check_argv
from devenv.snapshots.targets import check_name, entries, holders, known_names, selected, users

POLL_SECONDS = 0.1
HEALTH_POLL_SECONDS = 0.05  # a restarted dependency's health check, run by devenv
RESTART_STOP_SECONDS = 3  # a restarted service's time to stop before SIGKILL
T = TypeVar("T")


@dataclass
class EngineContext:
    """A dependency's running container, as its kind's snapshot methods use it (``SnapshotContext``)."""

    engine: Engine
    project: str
    dependency: str
    container: str
    timeout: float

    def run(self, argv: list[str], *, stdin: str | None = None, env: dict[str, str] | None = None) -> ExecResult:
        """Run ``argv`` in the container, ``stdin`` on its standard input."""
        code, out, err = self.engine.exec_input(self.container, argv, stdin or "", env, self.timeout)
        return ExecResult(code=code, stdout=out, stderr=err)

    def restart(self) -> None:
        """Restart the container and wait until its health check passes."""
        try:
            self.engine.restart(self.container)
        except EngineError as exc:
            raise SnapshotFailed(exc.message) from None
        if not self._healthy_again():
            raise SnapshotFailed(f"{self.dependency} is not healthy {self.timeout:g}s after its restart")

    def _healthy_again(self) -> bool:
        """Run the container's own health check every HEALTH_POLL_SECONDS until it passes (or it stops)."""
        argv = check_argv(self.engine.health_test(self.container))
        if argv is None:
            return not wait_ready(self.engine, self.project, [self.dependency], self.timeout)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.engine.exec(self.container, argv)[0] == 0:
                return True
            if not any(c.id == self.container and c.state == "running" for c in self.engine.containers(self.project)):
                return False
            time.sleep(HEALTH_POLL_SECONDS)
        return False


def wait_ready(engine: Engine, project: str, services: list[str], timeout: float) -> list[str]:
    """Wait until every container of ``services`` runs and is healthy (devenv probes it itself);
    the services still not ready after ``timeout`` seconds, or at once when one stops."""
    prober = Prober(engine)
    deadline = time.monotonic() + timeout
    while True:
        containers = [c for c in prober.settle(engine.containers(project)) if c.service in services]
        missing = set(services) - {c.service for c in containers}
        late = sorted({c.service for c in containers if not _ready(c)} | missing)
        stopped = any(c.state in ("exited", "dead") for c in containers)
        if not late or stopped or time.monotonic() > deadline:
            return late
        time.sleep(POLL_SECONDS)


def _ready(container: ContainerState) -> bool:
    return container.state == "running" and container.health in (None, "healthy")


# --- the commands --------------------------------------------------------------------------------


def save(
    project: Project,
    name: str | None = None,
    dependencies: list[str] | None = None,
    *,
    force: bool = False,
    timeout: float = 600.0,
    engine: Engine | None = None,
) -> Iterator[Event]:
    """Save the data of ``dependencies`` (default: every one with snapshots) as snapshot ``name``."""
    name = check_name(name) if name is not None else default_name()
    targets = selected(project.spec.dependencies, list(dependencies or []), project.spec.services)
    engine = engine or Engine.connect()
    contexts = _contexts(engine, project, targets, timeout)
    if not force:
        taken = holders(_inventory(project, contexts), name)
        if taken:
            raise UsageError(
                f"snapshot '{name}' exists ({', '.join(taken)})",
                hint=f"choose another name, or replace it: devenv snapshot save {name} --force",
            )
    for dependency, ctx in contexts.items():
        kind = kind_of(project.spec.dependencies[dependency])
        yield Step(f"{dependency}: saving snapshot {name}")
        started = time.monotonic()
        info = _attempt(dependency, partial(kind.snapshot_save, ctx, name, replace=force))
        yield SnapshotDone("saved", dependency, name, info.size_bytes, round(time.monotonic() - started, 3))
    yield Message(f"restore it with: devenv snapshot restore {name}")


def restore(
    project: Project,
    name: str,
    dependencies: list[str] | None = None,
    *,
    restart: bool = True,
    timeout: float = 600.0,
    engine: Engine | None = None,
) -> Iterator[Event]:
    """Replace the data of the dependencies that have snapshot ``name`` by it; restart the services using them."""
    check_name(name)
    named = list(dependencies or [])
    targets = selected(project.spec.dependencies, named, project.spec.services)
    engine = engine or Engine.connect()
    contexts = _contexts(engine, project, targets, timeout)
    found = _inventory(project, contexts)
    have = holders(found, name)
    _check_exists(name, have, found)
    lacking = [dependency for dependency in contexts if dependency not in have]
    if named and lacking:
        raise UsageError(f"{', '.join(lacking)} {_has(lacking)} no snapshot '{name}'", hint=_known_hint(found))
    for dependency in lacking:
        yield Warning(f"{dependency} has no snapshot '{name}': its data stays as it is")
    done: list[str] = []
    for dependency in have:
        ctx = contexts[dependency]
        kind = kind_of(project.spec.dependencies[dependency])
        yield Step(f"{dependency}: restoring snapshot {name}")
        started = time.monotonic()
        forget_records(project.root, project.name, [dependency])  # its record of applied fixtures changes too
        _attempt(dependency, partial(kind.snapshot_restore, ctx, name), done)
        done.append(dependency)
        size = next(info.size_bytes for info in found[dependency] if info.name == name)
        yield SnapshotDone("restored", dependency, name, size, round(time.monotonic() - started, 3))
    if restart:
        yield from restart_users(engine, project, done, timeout)


def list_snapshots(
    project: Project,
    dependencies: list[str] | None = None,
    *,
    timeout: float = 60.0,
    engine: Engine | None = None,
) -> Iterator[Event]:
    """The snapshots of the running dependencies (a warning for each one that is not running)."""
    targets = selected(project.spec.dependencies, list(dependencies or []), project.spec.services)
    engine = engine or Engine.connect()
    running = _running(engine, project.name, targets)
    not_running = [name for name in targets if name not in running]
    for name in not_running:
        yield Warning(f"{name} is not running: its snapshots are not listed (`devenv up {name}` first)")
    contexts = {name: EngineContext(engine, project.name, name, running[name].id, timeout) for name in running}
    found = _inventory(project, contexts)
    kinds = {name: project.spec.dependencies[name].kind for name in found}
    yield SnapshotTable(project=project.name, snapshots=entries(found, kinds), not_running=not_running)


def remove(
    project: Project,
    name: str,
    dependencies: list[str] | None = None,
    *,
    timeout: float = 600.0,
    engine: Engine | None = None,
) -> Iterator[Event]:
    """Delete snapshot ``name`` from the dependencies that have it."""
    check_name(name)
    targets = selected(project.spec.dependencies, list(dependencies or []), project.spec.services)
    engine = engine or Engine.connect()
    contexts = _contexts(engine, project, targets, timeout)
    found = _inventory(project, contexts)
    have = holders(found, name)
    _check_exists(name, have, found)
    for dependency in have:
        kind = kind_of(project.spec.dependencies[dependency])
        _attempt(dependency, partial(kind.snapshot_remove, contexts[dependency], name))
        size = next(info.size_bytes for info in found[dependency] if info.name == name)
        yield SnapshotDone("removed", dependency, name, size)


def restart_users(engine: Engine, project: Project, restored: list[str], timeout: float) -> Iterator[Event]:
    """Restart the running services that depend on ``restored`` dependencies (together); wait until ready.

    Their stop is short (RESTART_STOP_SECONDS, then SIGKILL): they are about to talk to other data anyway,
    and a dev server that runs as PID 1 without an init ignores SIGTERM.
    """
    names = users(project.spec.services, restored)
    running = [c for c in engine.containers(project.name) if c.service in names and c.state == "running"]
    services = sorted({c.service for c in running}, key=names.index)
    if not services:
        return
    used = [d for d in restored if any(d in project.spec.services[s].depends_on for s in services)]
    yield Step(f"restarting {', '.join(services)} (to reconnect to {', '.join(used)})")
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=min(8, len(running))) as pool:
        failures = [
            f"{container.service}: {error}"
            for container, error in zip(running, pool.map(partial(_restart, engine), running), strict=True)
            if error
        ]
    if failures:
        raise SnapshotError(f"{'; '.join(failures)} (the data was restored)")
    late = wait_ready(engine, project.name, services, timeout)
    if late:
        raise SnapshotError(
            f"{', '.join(late)} {'is' if len(late) == 1 else 'are'} not ready after the restart "
            "(the data was restored)",
            hint=f"see `devenv logs {late[0]}`; `devenv up` starts what is stopped",
        )
    yield ServicesRestarted(services=services, dependencies=used, elapsed=round(time.monotonic() - started, 3))


def _restart(engine: Engine, container: ContainerState) -> str | None:
    """Restart one container: None, or the engine's reason."""
    try:
        engine.restart(container.id, stop_timeout=RESTART_STOP_SECONDS)
    except EngineError as exc:
        return exc.message
    return None


def names_in_volumes(project: Project, engine: Engine | None = None) -> dict[str, list[str]] | None:
    """{dependency: snapshot names} of the running dependencies, for `down --volumes`' question; None when
    that cannot be known cheaply (no engine, nothing running)."""
    try:
        targets = selected(project.spec.dependencies, [])
        engine = engine or Engine.connect(timeout=5)
        running = _running(engine, project.name, targets)
        if not running:
            return None
        contexts = {name: EngineContext(engine, project.name, name, running[name].id, 10.0) for name in running}
        found = _inventory(project, contexts)
    except DevenvError:
        return None
    return {name: [info.name for info in infos] for name, infos in found.items() if infos}


# --- helpers --------------------------------------------------------------------------------------


def _running(engine: Engine, project: str, targets: list[str]) -> dict[str, ContainerState]:
    """The running container of each target that has one."""
    out: dict[str, ContainerState] = {}
    for container in engine.containers(project):
        if container.service in targets and container.state == "running":
            out.setdefault(container.service, container)
    return {name: out[name] for name in targets if name in out}


def _contexts(engine: Engine, project: Project, targets: list[str], timeout: float) -> dict[str, EngineContext]:
    """A context per target, or a SnapshotError naming those that are not running."""
    running = _running(engine, project.name, targets)
    stopped = [name for name in targets if name not in running]
    if stopped:
        raise SnapshotError(
            f"{', '.join(stopped)} {'is' if len(stopped) == 1 else 'are'} not running",
            hint=f"start {'it' if len(stopped) == 1 else 'them'} first: devenv up {' '.join(stopped)}",
        )
    return {name: EngineContext(engine, project.name, name, running[name].id, timeout) for name in targets}


def _inventory(project: Project, contexts: dict[str, EngineContext]) -> dict[str, list[SnapshotInfo]]:
    """{dependency: its snapshots}."""
    return {
        name: _attempt(name, partial(kind_of(project.spec.dependencies[name]).snapshot_list, ctx))
        for name, ctx in contexts.items()
    }


def _attempt(dependency: str, call: Callable[[], T], done: list[str] | None = None) -> T:
    """``call()``, a kind's SnapshotFailed turned into a SnapshotError naming the dependency."""
    try:
        return call()
    except SnapshotFailed as exc:
        already = f" ({', '.join(done)} restored already)" if done else ""
        raise SnapshotError(
            f"{dependency}: {exc.message}{already}",
            hint=f"see `devenv logs {dependency}`; `devenv snapshot list` shows the snapshots",
            details=exc.details,
        ) from None


def _check_exists(name: str, have: list[str], found: dict[str, list[SnapshotInfo]]) -> None:
    if not have:
        raise UsageError(f"there is no snapshot '{name}'", hint=_known_hint(found))


def _known_hint(found: dict[str, list[SnapshotInfo]]) -> str:
    known = known_names(found)
    if not known:
        return "there are no snapshots yet: devenv snapshot save [NAME]"
    return f"snapshots: {', '.join(known)} (devenv snapshot list)"


def _has(names: list[str]) -> str:
    return "has" if len(names) == 1 else "have"
