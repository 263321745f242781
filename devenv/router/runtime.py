"""The router on the engine: prepare a project before Compose creates it, attach it after, detach it on down.

``prepare`` (before ``docker compose create``) makes the CA and the files the override
mounts, decides which host ports a project goes without, and writes the override.
``attach`` (after it) makes sure the router container runs (created, or repaired when
removed by hand), joins the project's networks under the services' names, issues the
project's certificate, drops the routes of projects that are gone or renamed, and
reloads Caddy when its Caddyfile changed. ``detach`` (``devenv down``) undoes the join.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from devenv.errors import DevenvError, EngineError
from devenv.events import Event, Step, Warning
from devenv.files import read_text_or_none, write_atomic
from devenv.project import Project
from devenv.render.images import mirror_image
from devenv.router import state
from devenv.router.caddyfile import cert_files, render_caddyfile
from devenv.router.override import BUNDLE, CA, OVERRIDE, render_override
from devenv.router.settings import (
    DEFAULT_HTTP_PORT,
    DEFAULT_HTTPS_PORT,
    FALLBACK_HTTP_PORT,
    FALLBACK_HTTPS_PORT,
    RouterSettings,
    hostname,
)
from devenv.runtime.engine import ContainerState, Engine
from devenv.runtime.ports import Binding, holder_of, port_is_free, published
from devenv.runtime.standalone import StandaloneSpec

LABEL = "dev.devenv.router"
LABEL_PORTS = "dev.devenv.router.ports"
LABEL_HOME = "dev.devenv.router.home"
LABEL_IMAGE = "dev.devenv.router.image"
SYSTEM_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
READY_SECONDS = 15.0


class RouterPortInUse(DevenvError):
    """The router's host port is held by another program."""


def settings_for(project: Project, environ: dict[str, str] | None = None) -> RouterSettings | None:
    """The router settings when the router serves this project, else None.

    It does unless DEVENV_ROUTER or the spec's ``router`` turn it off, or the project has no
    public service with a port (then it needs no router, and `up` starts none).
    """
    settings = RouterSettings.from_environ(environ)
    if not settings.enabled or not getattr(project.spec, "router", True) or not routed_services(project):
        return None
    return settings


def routed_services(project: Project) -> list[str]:
    """The services that get a name: public ones with a port."""
    return [name for name, s in project.spec.services.items() if s.public and s.port]


def project_dir(project: Project) -> Path:
    """``.devenv/router/`` in the project: the override and the CA files it mounts (certificates only)."""
    return project.root / ".devenv" / "router"


@dataclass
class Prepared:
    """What ``prepare`` decided: the override file, and the host ports left out (service -> why)."""

    override: Path
    unbound: dict[str, str] = field(default_factory=dict)


def route_around(
    project: Project, taken: list[Binding], holders: dict[int, str | None]
) -> tuple[list[Binding], dict[str, str]]:
    """Split taken host ports into those the router makes up for and those still an error.

    A routed service whose host port another program holds goes without it, unless the
    spec asks for that port explicitly (``host_port``). Returns (still an error, service -> note).
    """
    routed = set(routed_services(project))
    errors: list[Binding] = []
    notes: dict[str, str] = {}
    for binding in taken:
        service = project.spec.services.get(binding.service)
        if binding.service not in routed or service is None or service.host_port is not None:
            errors.append(binding)
            continue
        holder = holders.get(binding.port)
        by = f" by {holder}" if holder else ""
        notes[binding.service] = f"localhost:{binding.port} is in use{by}: not bound"
    return errors, notes


def prepare(
    project: Project,
    data: dict[str, Any],
    settings: RouterSettings,
    unbound: dict[str, str],
    taken: list[Binding],
    engine: Engine,
) -> Generator[Event, None, Prepared]:
    """Start the router (its port taken fails here, before Compose creates anything); write the CA files
    the override mounts and the override itself. Use as ``prepared = yield from prepare(...)``."""
    from devenv.router import ca as ca_mod  # cryptography: imported only when the router works

    yield from ensure_router(settings, engine, project.mirror)
    authority = ca_mod.load_or_create(settings.ca_dir)
    where = project_dir(project)
    bundle = SYSTEM_BUNDLE.read_text() if SYSTEM_BUNDLE.is_file() else ""
    if project.ca_certificates:
        extra = Path(project.ca_certificates)
        extra = extra if extra.is_absolute() else project.root / extra
        with contextlib.suppress(OSError):
            bundle = bundle.rstrip("\n") + "\n" + extra.read_text()
    _write_if_changed(where / BUNDLE, bundle.rstrip("\n") + "\n" + authority.pem)
    _write_if_changed(where / CA, authority.pem)
    dropped = {(b.service, b.port) for b in taken if b.service in unbound}
    keep: dict[str, list[Any]] = {}
    for name in unbound:
        entries = data["services"][name].get("ports") or []
        keep[name] = [e for e in entries if not any((name, port) in dropped for _, port in published(e))]
    override = where / OVERRIDE
    _write_if_changed(override, render_override(data, keep, "./.devenv/router"))
    return Prepared(override=override, unbound=dict(unbound))


def _write_if_changed(path: Path, text: str) -> bool:
    if read_text_or_none(path) == text:
        return False
    write_atomic(path, text)
    return True


def _listening(port: int) -> bool:
    """Something accepts connections on 127.0.0.1:port (works for ports below 1024 without privileges)."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        try:
            sock.connect(("127.0.0.1", port))
        except ConnectionRefusedError:
            return False
        except OSError:
            return True
    return True


def choose_ports(
    settings: RouterSettings, current: tuple[int, int] | None, is_taken: Any = _listening
) -> tuple[tuple[int, int], list[str]]:
    """(https, http) host ports of the router, and warnings.

    Explicit ports (DEVENV_ROUTER_HTTPS_PORT/HTTP_PORT) are used as they are; a running
    router keeps its ports; otherwise 443 and 80, or 8443 and 8080 when another program
    holds them. ``current`` is the running router's pair, whose ports count as free.
    """
    warnings: list[str] = []
    chosen: list[int] = []
    for explicit, default, fallback, key in (
        (settings.https_port, DEFAULT_HTTPS_PORT, FALLBACK_HTTPS_PORT, "DEVENV_ROUTER_HTTPS_PORT"),
        (settings.http_port, DEFAULT_HTTP_PORT, FALLBACK_HTTP_PORT, "DEVENV_ROUTER_HTTP_PORT"),
    ):
        mine = set(current or ())
        if explicit is not None:
            if explicit not in mine and is_taken(explicit):
                raise _port_error(explicit, key)
            chosen.append(explicit)
        elif current is not None:
            chosen.append(current[len(chosen)])
        elif not is_taken(default):
            chosen.append(default)
        elif not is_taken(fallback):
            holder = holder_of(default)
            warnings.append(
                f"router: port {default} is in use{' by ' + holder if holder else ''}; the router listens on "
                f"{fallback} instead (set {key} to choose another port)"
            )
            chosen.append(fallback)
        else:
            raise _port_error(default, key, fallback)
    return (chosen[0], chosen[1]), warnings


def _port_error(port: int, key: str, fallback: int | None = None) -> RouterPortInUse:
    holder = holder_of(port)
    also = f" and its fallback {fallback} is too" if fallback else ""
    return RouterPortInUse(
        f"the router cannot listen on port {port}: it is in use{' by ' + holder if holder else ''}{also}",
        hint=f"stop that program, set {key} to a free port, "
        "or turn the router off (DEVENV_ROUTER=0, or `router: false` in devenv.yaml)",
    )


def _current_ports(found: dict[str, Any] | None) -> tuple[int, int] | None:
    labels = ((found or {}).get("Config") or {}).get("Labels") or {}
    https, _, http = str(labels.get(LABEL_PORTS, "")).partition(",")
    return (int(https), int(http)) if https.isdigit() and http.isdigit() else None


def ensure_router(settings: RouterSettings, engine: Engine, mirror: dict[str, str]) -> Iterator[Event]:
    """Make sure the router container runs with the wanted image, ports and files; create or repair it."""
    found = engine.inspect(settings.name)
    current = _current_ports(found) if found and found["State"].get("Running") else None
    (https, http), warnings = choose_ports(settings, current)
    for text in warnings:
        yield Warning(text)
    image = mirror_image(settings.image, mirror)
    labels = {LABEL: "1", LABEL_PORTS: f"{https},{http}", LABEL_HOME: str(settings.state_dir), LABEL_IMAGE: image}
    if found is not None:
        have = (found.get("Config") or {}).get("Labels") or {}
        if all(have.get(k) == v for k, v in labels.items()) and found["State"].get("Running"):
            return
        engine.remove(settings.name)
        yield Step(f"router: replacing container {settings.name}")
    else:
        yield Step(f"router: starting {settings.name} (https on port {https})")
    _write_caddyfile(settings, https, http)
    spec = StandaloneSpec(
        name=settings.name,
        image=image,
        labels=labels,
        ports={https: ("127.0.0.1", https), http: ("127.0.0.1", http)},
        binds={str(settings.state_dir): ("/etc/caddy", True)},
        network=settings.name,  # its own network, so the engine's DNS resolves the services' container names
    )
    try:
        engine.run_standalone(spec)
    except EngineError as exc:
        if "allocated" in exc.message or "in use" in exc.message:
            raise _port_error(https, "DEVENV_ROUTER_HTTPS_PORT") from None
        raise


def ports_of(settings: RouterSettings, engine: Engine) -> tuple[int, int] | None:
    """The running router's (https, http) host ports, or None."""
    found = engine.inspect(settings.name)
    return _current_ports(found) if found and found["State"].get("Running") else None


def _write_caddyfile(settings: RouterSettings, https: int, http: int) -> bool:
    text = render_caddyfile(state.load_all(settings.state_dir), https, http)
    return _write_if_changed(settings.state_dir / "Caddyfile", text)


def needs_create(project: Project, containers: list[ContainerState]) -> bool:
    """`up` must run Compose even with nothing changed: the override was never applied, or a host port is free again."""
    return not (project_dir(project) / OVERRIDE).is_file() or bool(rebindable(project, containers))


def rebindable(project: Project, containers: list[ContainerState]) -> list[str]:
    """Routed services running without their host port (it was in use) whose port is free again."""
    out = []
    for name in routed_services(project):
        port = project.spec.services[name].published_port()
        have = [c for c in containers if c.service == name and c.state == "running"]
        if port and have and port not in have[0].ports and port_is_free("127.0.0.1", port):
            out.append(name)
    return out


def _networks_of(engine: Engine, project: str) -> tuple[list[str], dict[str, str], dict[str, tuple[int, ...]]]:
    """The project's networks, each service's container name and host ports (one container per service)."""
    networks: set[str] = set()
    names: dict[str, str] = {}
    ports: dict[str, tuple[int, ...]] = {}
    for container in engine.containers(project):
        names.setdefault(container.service, container.name)
        ports.setdefault(container.service, container.ports)
        found = engine.inspect(container.id) or {}
        attached = ((found.get("NetworkSettings") or {}).get("Networks") or {}).keys()
        networks.update(n for n in attached if n not in ("bridge", "host", "none"))
    return sorted(networks), names, ports


def attach(project: Project, settings: RouterSettings, engine: Engine, prepared: Prepared | None) -> Iterator[Event]:
    """Route the project's names through the router (after its containers exist); reload the router."""
    from devenv.router import ca as ca_mod  # cryptography: imported only when the router works

    yield from ensure_router(settings, engine, project.mirror)
    https, http = ports_of(settings, engine) or (DEFAULT_HTTPS_PORT, DEFAULT_HTTP_PORT)
    authority = ca_mod.load_or_create(settings.ca_dir)
    services = routed_services(project)
    networks, names, bound = _networks_of(engine, project.name)
    old = state.load(settings.state_dir, project.name)
    if prepared is not None:
        unbound = prepared.unbound
    else:  # nothing recreated: a note stays while the container still goes without its port
        unbound = {
            s: note
            for s, note in (old.unbound if old else {}).items()
            if s in project.spec.services and project.spec.services[s].published_port() not in bound.get(s, ())
        }
    routes = [
        state.Route(
            s, hostname(s, project.name), f"{names.get(s, f'{project.name}-{s}-1')}:{project.spec.services[s].port}"
        )
        for s in services
    ]
    entry = state.ProjectRoutes(project.name, str(project.root.resolve()), networks, routes, https, unbound)
    cert, key = (settings.state_dir / "certs" / f for f in cert_files(project.name))
    wanted = ca_mod.leaf_names(project.name, services)
    if services and not ca_mod.leaf_is_current(cert, authority, wanted):
        ca_mod.issue_leaf(authority, wanted, cert, key)
    for other in state.load_all(settings.state_dir):  # a renamed project: its old names go
        if other.project != project.name and other.root == entry.root:
            yield from _drop(settings, engine, other, "renamed")
    state.save(settings.state_dir, entry)
    yield from _prune(settings, engine, keep=project.name)
    _connect_all(settings, engine)
    yield from _reload(settings, engine, https, http)
    if routes:
        yield Step("router: " + ", ".join(entry.url(r.service) or "" for r in routes))


def _connect_all(settings: RouterSettings, engine: Engine) -> None:
    """Join every routed project's networks, under its names (rejoin when the names changed)."""
    found = engine.inspect(settings.name) or {}
    attached = (found.get("NetworkSettings") or {}).get("Networks") or {}
    for entry in state.load_all(settings.state_dir):
        aliases = sorted(r.host for r in entry.routes)
        for network in entry.networks:
            have = attached.get(network)
            if have is not None and set(aliases) <= set(have.get("Aliases") or []):
                continue
            if have is not None:
                engine.disconnect_network(settings.name, network)
            with contextlib.suppress(EngineError):  # the network went meanwhile: pruned next time
                engine.connect_network(settings.name, network, aliases)


def _prune(settings: RouterSettings, engine: Engine, keep: str) -> Iterator[Event]:
    """Forget projects with no running container left (brought down without devenv, or removed)."""
    for entry in state.load_all(settings.state_dir):
        if entry.project == keep:
            continue
        running = [c for c in engine.containers(entry.project) if c.state == "running"]
        if not running:
            yield from _drop(settings, engine, entry, "gone")


def _drop(settings: RouterSettings, engine: Engine, entry: state.ProjectRoutes, why: str) -> Iterator[Event]:
    for network in entry.networks:
        with contextlib.suppress(EngineError):
            engine.disconnect_network(settings.name, network)
    state.forget(settings.state_dir, entry.project)
    for file in cert_files(entry.project):
        with contextlib.suppress(FileNotFoundError):
            (settings.state_dir / "certs" / file).unlink()
    yield Step(f"router: removed the routes of {entry.project} ({why})")


def _reload(settings: RouterSettings, engine: Engine, https: int, http: int) -> Iterator[Event]:
    """Rewrite the Caddyfile; when it changed (or Caddy is not answering yet), have Caddy load it."""
    changed = _write_caddyfile(settings, https, http)
    if not changed:
        return
    argv = ["caddy", "reload", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
    deadline = time.monotonic() + READY_SECONDS
    while True:
        code, _, err = engine.exec_input(settings.name, argv, timeout=30)
        if code == 0:
            return
        if any(s in err for s in ("connection refused", "dial tcp", "restarting", "is not running")):  # starting
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
            continue
        break
    last = (err.strip().splitlines() or ["(no output)"])[-1]
    if "restarting" in err or "is not running" in err:
        last = (engine.logs(settings.name, 1).strip() or last).splitlines()[-1]
    yield Warning(f"router: Caddy did not load its configuration: {last}")


def detach(project: Project, settings: RouterSettings, engine: Engine) -> Iterator[Event]:
    """Before `down`: leave the project's networks and drop its routes (nothing when it has none)."""
    entry = state.load(settings.state_dir, project.name)
    if entry is None:
        return
    if engine.inspect(settings.name) is None:
        state.forget(settings.state_dir, project.name)
        return
    yield from _drop(settings, engine, entry, "down")
    ports = ports_of(settings, engine)
    if ports is not None:
        yield from _reload(settings, engine, *ports)


def with_urls(project: Project, rows: list[Any]) -> list[Any]:
    """Status rows with each routed service's https URL first (``https_url``) and a note on unbound ports."""
    settings = settings_for(project)
    if settings is None:
        return rows
    entry = state.load(settings.state_dir, project.name)
    if entry is None:
        return rows
    out = []
    for row in rows:
        url = entry.url(row.service)
        if url is None:
            out.append(row)
            continue
        note = entry.unbound.get(row.service)
        urls = [url] if note else [url, *row.urls]
        out.append(replace(row, urls=urls, https_url=url, note=note))
    return out
