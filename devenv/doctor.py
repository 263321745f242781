"""`devenv doctor`: check what devenv needs, and say what to fix."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devenv.errors import DevenvError
from devenv.events import Check

if TYPE_CHECKING:
    from devenv.project import Project
    from devenv.runtime.engine import Engine

__all__ = ["Check", "ca_check", "disk_check", "free_gib", "mirror_check", "run_doctor"]

Resolver = Callable[[str, Any], Any]

MIN_FREE_GIB = 5.0


def free_gib(path: Path) -> float:
    """Free space at ``path`` in GiB."""
    return shutil.disk_usage(path).free / 2**30


def disk_check(name: str, path: Path) -> Check:
    """Enough free disk at ``path``?"""
    try:
        free = free_gib(path)
    except OSError as exc:
        return Check(name, "skip", f"cannot read {path}: {exc.strerror}")
    if free < MIN_FREE_GIB:
        fix = "free some space: `docker system prune` removes unused images"
        return Check(name, "warn", f"{free:.1f} GiB free at {path}", fix)
    return Check(name, "ok", f"{free:.0f} GiB free at {path}")


def ca_check(path: str | None, source: str) -> Check:
    """The CA bundle exists and holds PEM certificates."""
    if path is None:
        return Check("CA certificates", "ok", "none configured (builds use the images' own trust store)")
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return Check("CA certificates", "fail", f"{path}: {exc.strerror}", f"fix {source}")
    count = text.count("-----BEGIN CERTIFICATE-----")
    if count == 0:
        return Check("CA certificates", "fail", f"{path} holds no PEM certificate", f"point {source} at a PEM bundle")
    return Check("CA certificates", "ok", f"{path} ({count} certificate{'s' if count != 1 else ''}, from {source})")


def mirror_check(mirror: dict[str, str], resolve: Resolver = socket.getaddrinfo) -> Iterator[Check]:
    """Every mirror's registry host resolves."""
    if not mirror:
        yield Check("registry mirror", "ok", "none configured (images come from their own registries)")
        return
    for source, target in sorted(mirror.items()):
        host = target.split("/", 1)[0]
        if "." not in host and ":" not in host and host != "localhost":
            yield Check(f"mirror {source}", "ok", f"-> {target} (local image prefix, no registry host)")
            continue
        try:
            resolve(host.split(":")[0], None)
            yield Check(f"mirror {source}", "ok", f"-> {target} ({host} resolves)")
        except OSError:
            yield Check(
                f"mirror {source}",
                "fail",
                f"-> {target}: {host} does not resolve",
                "check the mirror name and your DNS/VPN",
            )


def run_doctor(root: Path) -> Iterator[Check]:
    """Every check, in order; the project's own checks only where a devenv.yaml exists."""
    from devenv.runtime.compose_cli import ComposeCLI
    from devenv.runtime.engine import Engine

    engine: Engine | None = None
    if shutil.which("docker") is None:
        yield Check("docker CLI", "fail", "not on PATH", "install docker.io (Debian) or Docker Engine")
    else:
        yield Check("docker CLI", "ok", shutil.which("docker") or "")
    try:
        engine = Engine.connect(timeout=10)
        yield Check("Docker Engine", "ok", f"version {engine.server_version()}")
    except DevenvError as exc:
        yield Check("Docker Engine", "fail", exc.message, exc.hint)
    try:
        compose = ComposeCLI.locate(root, root / "docker-compose.yml")
        yield Check("Compose v2", "ok", "version " + ".".join(map(str, compose.version)))
    except DevenvError as exc:
        yield Check("Compose v2", "fail", exc.message, exc.hint)
    docker_root = engine.docker_root() if engine is not None else None
    if docker_root is not None and docker_root.exists():
        yield disk_check("disk (Docker data)", docker_root)
    yield disk_check("disk (project)", root if root.exists() else Path("."))
    from devenv.router.trust import checks as router_checks

    yield from router_checks()  # the router's CA trusted, *.localhost names resolving

    if not (root / "devenv.yaml").exists():
        yield Check("devenv.yaml", "skip", f"none in {root}", "run `devenv init DIR` or pass -C DIR")
        return
    from devenv.spec.loader import load_project

    try:
        project = load_project(root)
    except DevenvError as exc:
        yield Check("devenv.yaml", "fail", exc.message, exc.hint)
        return
    spec = project.spec
    yield Check("devenv.yaml", "ok", f"{len(spec.services)} services, {len(spec.dependencies)} dependencies")
    source = "ca_certificates in devenv.yaml" if project.spec.ca_certificates else "DEVENV_CA_CERTIFICATES"
    ca = project.ca_certificates
    if ca and not Path(ca).is_absolute():
        ca = str(project.root / ca)
    yield ca_check(ca, source)
    yield from mirror_check(project.mirror)
    yield from _port_checks(project, engine)


def _port_checks(project: Project, engine: Engine | None) -> Iterator[Check]:
    from devenv.render.compose import render_compose
    from devenv.runtime.plan import desired_from_compose
    from devenv.runtime.ports import bindings, holder_of, port_is_free

    desired = desired_from_compose(render_compose(project).data)
    own: set[int] = set()
    listing: list[dict[str, Any]] = []
    if engine is not None:
        own = {p for c in engine.containers(project.name) if c.state == "running" for p in c.ports}
        listing = engine.raw_containers()
    wanted = bindings(desired, list(desired))
    if not wanted:
        yield Check("host ports", "ok", "the project publishes no host ports")
    for binding in wanted:
        name = f"port {binding.port}"
        if binding.port in own:
            yield Check(name, "ok", f"held by this project's {binding.service}")
        elif port_is_free(binding.host_ip, binding.port):
            yield Check(name, "ok", f"free (for {binding.service})")
        else:
            holder = holder_of(binding.port, listing) or "another process"
            yield Check(
                name,
                "fail",
                f"in use by {holder} (wanted by {binding.service})",
                f"stop it, or set another `host_port` for {binding.service}",
            )
