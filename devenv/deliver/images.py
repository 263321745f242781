"""`devenv build`: each built service's production stage, tagged with the commit, pushed, digest recorded.

The build goes through the same mirror and CA settings as local builds (base images as
build arguments through ``images.mirror``, the CA bundle as the build secret
``devenv_ca``). A tag names one commit: a dirty work tree needs ``allow_dirty`` and gets
``<commit>-dirty-<hash of the changes>``. Digests are recorded in ``.devenv/images.json``,
where `devenv deploy` reads them to pin the manifests.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devenv.errors import DevenvError, UsageError
from devenv.events import Event, ImageBuilt, Step
from devenv.files import write_atomic
from devenv.project import Project
from devenv.render.compose import CA_SECRET, escape_dollars
from devenv.render.images import mirrored_base_args

RECORD = ".devenv/images.json"
PROD_STAGE = "prod"


class BuildError(DevenvError):
    """A service's image could not be built or pushed."""


@dataclass(frozen=True)
class SourceTag:
    """The tag images of the work tree get: the commit, or a distinct tag for uncommitted changes."""

    tag: str
    commit: str
    dirty: bool


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode(errors="replace") if done.returncode == 0 else None


def source_tag(root: Path, *, allow_dirty: bool = False) -> SourceTag:
    """``<commit>`` for a clean work tree; ``<commit>-dirty-<hash>`` when ``allow_dirty``; else an error."""
    commit = (_git(root, "rev-parse", "--short=12", "HEAD") or "").strip()
    if not commit:
        raise UsageError(
            f"cannot tag images: '{root}' is not in a git repository with a commit",
            hint="images are tagged with the commit they were built from: commit first",
        )
    status = _git(root, "status", "--porcelain", "--", ".", ":(exclude).devenv") or ""
    if not status.strip():
        return SourceTag(commit, commit, False)
    if not allow_dirty:
        raise UsageError(
            f"uncommitted changes in '{root}': a tag names one commit",
            hint="commit them, or pass --allow-dirty for a distinct <commit>-dirty-<hash> tag",
        )
    digest = hashlib.sha256((_git(root, "diff", "HEAD", "--", ".") or "").encode())
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", ".", ":(exclude).devenv") or ""
    for name in sorted(filter(None, untracked.split("\0"))):
        digest.update(name.encode() + b"\0")
        with contextlib.suppress(OSError):
            digest.update((root / name).read_bytes())
    return SourceTag(f"{commit}-dirty-{digest.hexdigest()[:8]}", commit, True)


def built_services(project: Project, names: list[str] | None = None) -> list[str]:
    """The services devenv builds (``path``, not ``image``), or the named ones (which must be such)."""
    services = project.spec.services
    built = [name for name, service in services.items() if service.builds]
    if not names:
        return built
    for name in names:
        if name not in services:
            raise UsageError(f"no service '{name}' in devenv.yaml", hint=f"services: {', '.join(services)}")
        if name not in built:
            raise UsageError(f"service '{name}' runs the prebuilt image '{services[name].image}': nothing to build")
    return list(names)


def image_ref(project: Project, service: str, tag: str) -> str:
    """``<images.registry>/<project>-<service>:<tag>``, as the Kubernetes export names it."""
    registry = project.spec.images.registry
    if not registry:
        raise UsageError(
            "devenv.yaml names no registry for production images",
            hint="add `images: {registry: ghcr.io/ORG}` to devenv.yaml",
        )
    return f"{registry.rstrip('/')}/{project.name}-{service}:{tag}"


def build_file(project: Project, service: str, ref: str) -> dict[str, Any]:
    """A Compose file building the service's production stage as ``ref``, with the mirror and CA of local builds.

    Compose (not ``docker build``) because it drives BuildKit itself, as `devenv up` builds:
    the build secret ``devenv_ca`` needs BuildKit, and the engine may have no buildx.
    """
    spec = project.spec.services[service]
    build: dict[str, Any] = {"context": str(project.root / spec.build_path(service)), "target": PROD_STAGE}
    if spec.dockerfile:
        build["dockerfile"] = spec.dockerfile
    args = mirrored_base_args(project.dockerfiles.get(service), project.mirror)
    args.update({key: escape_dollars(value) for key, value in spec.build_args.items()})  # the service's own
    if args:
        build["args"] = args
    build["labels"] = {"dev.devenv.source": ref.rsplit(":", 1)[1]}
    data: dict[str, Any] = {"services": {service: {"image": ref, "build": build}}}
    if project.ca_certificates:
        build["secrets"] = [CA_SECRET]
        data["secrets"] = {CA_SECRET: {"file": str(project.root / project.ca_certificates)}}
    return data


def read_record(root: Path) -> dict[str, Any]:
    """``.devenv/images.json``: {tag: {"commit": ..., "images": {service: {"ref", "digest"}}}}."""
    path = root / RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def pushed_digests(root: Path, tag: str, services: list[str]) -> dict[str, str]:
    """``{service: registry/name@sha256:...}`` for ``tag``; an error naming what was never pushed."""
    images = read_record(root).get(tag, {}).get("images", {})
    missing = [name for name in services if not images.get(name, {}).get("digest")]
    if missing:
        raise UsageError(
            f"no pushed image of {', '.join(missing)} for tag {tag}",
            hint="run `devenv build --push` first (it records each image's digest)",
        )
    return {name: str(images[name]["digest"]) for name in services}


def _run(argv: list[str], service: str, step: str, stdin: str | None = None) -> str:
    from devenv.runtime.compose_cli import compose_env

    done = subprocess.run(argv, capture_output=True, text=True, env=compose_env(), input=stdin, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise BuildError(f"{step} of service '{service}' failed: {' '.join(argv[:3])} ...", details=tail)
    return done.stdout


def _digest(ref: str, service: str) -> str:
    repo = ref.rsplit(":", 1)[0]
    raw = _run(["docker", "image", "inspect", "--format", "{{json .RepoDigests}}", ref], service, "inspect")
    for entry in json.loads(raw or "[]") or []:
        if str(entry).startswith(repo + "@"):
            return str(entry)
    raise BuildError(f"push of service '{service}': the registry returned no digest for {ref}")


def build_images(
    project: Project, names: list[str] | None = None, *, push: bool = False, allow_dirty: bool = False
) -> Iterator[Event]:
    """Build (and push) each service's production image; record tags and digests."""
    services = built_services(project, names)
    source = source_tag(project.root, allow_dirty=allow_dirty)
    record = read_record(project.root)
    entry = record.setdefault(source.tag, {"commit": source.commit, "images": {}})
    for service in services:
        ref = image_ref(project, service, source.tag)
        yield Step(f"building {service} ({PROD_STAGE} stage) as {ref}")
        compose = ["docker", "compose", "-p", f"{project.name}-release", "-f", "-", "build", service]
        _run(compose, service, "build", stdin=json.dumps(build_file(project, service, ref)))
        digest = None
        if push:
            yield Step(f"pushing {ref}")
            _run(["docker", "push", ref], service, "push")
            digest = _digest(ref, service)
        entry["images"][service] = {"ref": ref, "digest": digest}
        write_atomic(project.root / RECORD, json.dumps(record, indent=2, sort_keys=True) + "\n")
        yield ImageBuilt(service=service, ref=ref, digest=digest)
