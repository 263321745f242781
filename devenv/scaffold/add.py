"""`devenv add service` and `devenv add dependency`: scaffold, wire, validate, then write.

Order of work, so that a failure leaves the project as it was:

1. read and validate the current devenv.yaml (and refuse to overwrite without ``force``);
2. plan the spec change: the new service, dependencies the template needs that are
   missing, and the ``depends_on`` edges that wire it to the rest;
3. render the template with Copier into ``.devenv/tmp/`` (same file system);
4. move the result to ``services/NAME`` and validate the edited spec with the loader's
   own checks (the new directory must exist for them);
5. keep the template version in ``.devenv/templates/`` and write devenv.yaml atomically.

Any error in 3-5 removes the new directory (or restores overwritten files) and the
new snapshot; devenv.yaml is written last, so it is never half-changed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from devenv import kinds
from devenv.errors import UsageError
from devenv.files import write_atomic
from devenv.scaffold.render import copy_template, read_answers, write_answers
from devenv.scaffold.specedit import SpecDocument
from devenv.scaffold.templates import (
    KINDS,
    TMP_DIR,
    save_snapshot,
    template_dir,
    template_version,
)
from devenv.spec.checks import check_spec
from devenv.spec.loader import load_project, parse_spec, spec_path_for
from devenv.spec.model import DNS_LABEL, Spec

QUEUES = ("redis", "rabbitmq")


@dataclass
class AddResult:
    """What `add` changed."""

    name: str
    kind: str  # "service" or "dependency"
    path: str | None = None  # services/NAME
    template: str | None = None
    version: str | None = None
    dependencies_added: dict[str, str] = field(default_factory=dict)  # name -> kind
    depends_on: list[str] = field(default_factory=list)
    wired: dict[str, str] = field(default_factory=dict)  # other service -> target added to its depends_on
    host_port: int | None = None
    warnings: list[str] = field(default_factory=list)


def check_name(name: str, what: str = "service") -> None:
    if len(name) > 63 or not DNS_LABEL.match(name):
        raise UsageError(
            f"'{name}' is not a valid {what} name",
            hint="use lower-case letters, digits and '-', starting and ending with a letter or digit",
        )


def add_dependency(
    root: Path, kind: str, name: str | None = None, *, version: str | None = None, host_port: int | None = None
) -> AddResult:
    """Add a dependency of a registered kind (devenv/kinds/) to devenv.yaml."""
    if kind not in kinds.names():
        raise UsageError(f"unknown dependency kind '{kind}'", hint=f"choose one of: {', '.join(kinds.names())}")
    if not kinds.get(kind).repository:  # any image: what it is, only devenv.yaml can say
        raise UsageError(
            f"a {kind} dependency names its own image, port and health check",
            hint="write it in devenv.yaml: dependencies.<name>: {image: ..., port: ...} (docs/spec.md#any-image)",
        )
    name = name or kind
    check_name(name, "dependency")
    project = load_project(root)
    spec = project.spec
    if name in spec.dependencies or name in spec.services:
        raise UsageError(f"'{name}' already exists in devenv.yaml", hint="choose another --name")
    text = project.spec_path.read_text(encoding="utf-8")
    doc = SpecDocument(text)
    entry: dict[str, Any] = {"kind": kind}
    if version:
        entry["version"] = DoubleQuotedScalarString(version)
    if host_port:
        entry["host_port"] = host_port
    doc.add_dependency(name, entry)
    new_text = doc.text()
    _validate(project.root, new_text)
    write_atomic(project.spec_path, new_text)
    return AddResult(name=name, kind="dependency", dependencies_added={name: kind})


def add_service(
    root: Path,
    name: str,
    template: str,
    *,
    port: int | None = None,
    host_port: int | None = None,
    queue: str | None = None,
    backend: str | None = None,
    force: bool = False,
) -> AddResult:
    """Scaffold ``services/NAME`` from ``template`` and add the service to devenv.yaml."""
    if template not in KINDS:
        raise UsageError(f"unknown template '{template}'", hint=f"choose one of: {', '.join(KINDS)}")
    check_name(name)
    if queue is not None and template != "worker":
        raise UsageError("--queue is for the worker template")
    if backend is not None and template != "frontend":
        raise UsageError("--backend is for the frontend template")
    if queue is not None and queue not in QUEUES:
        raise UsageError(f"unknown queue '{queue}'", hint="choose redis or rabbitmq")
    kind = KINDS[template]
    port = port or kind.port

    project = load_project(root)
    root = project.root
    spec = project.spec
    if name in spec.dependencies:
        raise UsageError(f"'{name}' is already a dependency in devenv.yaml", hint="choose another name")
    if name in spec.services and not force:
        raise UsageError(f"service '{name}' already exists in devenv.yaml", hint="choose another name, or --force")
    rel = spec.services[name].build_path(name) if name in spec.services else f"services/{name}"
    target = root / rel
    existing = target.exists() and (not target.is_dir() or any(target.iterdir()))
    if existing and not force:
        raise UsageError(
            f"'{rel}' already exists and is not empty", hint="choose another name, or --force to overwrite"
        )

    result = AddResult(name=name, kind="service", path=rel, template=template)
    doc = SpecDocument(project.spec_path.read_text(encoding="utf-8"))
    answers: dict[str, Any] = {"name": name, "port": port}

    def need(dep_kind: str) -> str:
        """The dependency of this kind to use: the first declared, else a new one."""
        for dep_name, dependency in spec.dependencies.items():
            if dependency.kind == dep_kind:
                return dep_name
        for dep_name, added_kind in result.dependencies_added.items():
            if added_kind == dep_kind:
                return dep_name
        dep_name = dep_kind
        taken = set(spec.services) | set(spec.dependencies) | {name}
        counter = 2
        while dep_name in taken:
            dep_name, counter = f"{dep_kind}-{counter}", counter + 1
        doc.add_dependency(dep_name, {"kind": dep_kind})
        result.dependencies_added[dep_name] = dep_kind
        return dep_name

    depends_on: list[str] = []
    if template == "backend":
        depends_on.append(need("postgres"))
        # jobs: a backend enqueues on the queues existing workers consume
        for queue_dep in _worker_queues(root, spec):
            if queue_dep not in depends_on:
                depends_on.append(queue_dep)
    elif template == "worker":
        queue = queue or "redis"
        answers["queue"] = queue
        queue_dep = need(queue)
        depends_on.append(queue_dep)
        postgres = next((n for n, d in spec.dependencies.items() if d.kind == "postgres"), None)
        if postgres:  # job outcomes go to PostgreSQL when there is one
            depends_on.append(postgres)
        for other, service in spec.services.items():
            if other != name and service.template == "backend" and queue_dep not in service.depends_on:
                doc.add_depends_on(other, queue_dep)
                result.wired[other] = queue_dep
    elif template == "frontend":
        backends = [n for n, s in spec.services.items() if s.template == "backend" and n != name]
        chosen = backend or (backends[0] if backends else None)
        if backend is not None and backend not in spec.services:
            raise UsageError(f"--backend: '{backend}' is not a service in devenv.yaml")
        if chosen:
            depends_on.append(chosen)
            answers["backend"] = chosen
            answers["backend_port"] = spec.services[chosen].port or 8000
        else:
            result.warnings.append(
                "no backend service yet: /api is proxied to http://api:8000; "
                "add one with `devenv add service api --template backend`"
            )

    entry: dict[str, Any] = {"template": template, "port": port}
    if kind.public:
        entry["public"] = True
        chosen_host = host_port or _free_host_port(spec, port, exclude=name)
        if chosen_host != port:
            entry["host_port"] = chosen_host
        if host_port is None and chosen_host != port:
            result.host_port = chosen_host  # moved: the container port is published already
    elif host_port:
        raise UsageError(f"--host-port: a {template} service is not published on the host")
    entry["health"] = kind.health
    if depends_on:
        entry["depends_on"] = depends_on
    entry["test"] = list(kind.test)
    if name in spec.services:  # --force on an existing entry: keep the user's extra keys
        old = dict(spec.services[name].model_dump(exclude_unset=True))
        old.update(entry)
        entry = {k: v for k, v in old.items() if v not in (None, [], {})}
    doc.add_service(name, entry)
    result.depends_on = depends_on

    src = template_dir(template)
    version = template_version(src)
    result.version = version
    new_text = doc.text()
    _scaffold(root, rel, target, src, template, version, answers, new_text, project.spec_path)
    return result


def _scaffold(
    root: Path,
    rel: str,
    target: Path,
    src: Path,
    template: str,
    version: str,
    answers: dict[str, Any],
    new_text: str,
    spec_path: Path,
) -> None:
    tmp_root = root / TMP_DIR
    tmp_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="add-", dir=tmp_root))
    created_dir = False
    backups: list[tuple[Path, Path | None]] = []  # (target file, backup or None when it was new)
    snapshot = None
    try:
        rendered = work / "out"
        copy_template(src, rendered, answers)
        write_answers(rendered, template, version)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(rendered, target)
            created_dir = True
        else:
            backups = _overlay(rendered, target, work / "backup")
        _validate(root, new_text)
        snapshot = save_snapshot(root, template, src, version)
        write_atomic(spec_path, new_text)
    except BaseException:
        if created_dir:
            shutil.rmtree(target, ignore_errors=True)
        for path, backup in reversed(backups):
            if backup is None:
                path.unlink(missing_ok=True)
            else:
                os.replace(backup, path)
        if snapshot is not None:
            snapshot.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
        _remove_if_empty(tmp_root)


def _overlay(source: Path, target: Path, backup_dir: Path) -> list[tuple[Path, Path | None]]:
    """Copy ``source`` over ``target`` (--force), keeping backups to undo it."""
    done: list[tuple[Path, Path | None]] = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        rel = path.relative_to(source)
        dest = target / rel
        backup = None
        if dest.exists():
            backup = backup_dir / rel
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(dest, backup)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
        done.append((dest, backup))
    return done


def _validate(root: Path, text: str) -> Spec:
    """The edited spec must pass every check `devenv up` would run."""
    path = spec_path_for(root)
    spec, positions = parse_spec(text, path)
    check_spec(spec, root, path, positions)
    return spec


def _worker_queues(root: Path, spec: Spec) -> list[str]:
    """The queue dependency of each worker service (from its answers, else its depends_on)."""
    out = []
    for name, service in spec.services.items():
        if service.template != "worker":
            continue
        answers = read_answers(root / service.build_path(name)) or {}
        wanted = answers.get("queue")
        for target in service.depends_on:
            dependency = spec.dependencies.get(target)
            if dependency and dependency.kind in QUEUES and (wanted is None or dependency.kind == wanted):
                out.append(target)
                break
    return out


def _free_host_port(spec: Spec, port: int, exclude: str) -> int:
    """``port`` unless another service or dependency publishes it; then the next free one."""
    taken = {s.published_port() for n, s in spec.services.items() if n != exclude}
    taken |= {d.host_port for d in spec.dependencies.values()}
    candidate = port
    while candidate in taken:
        candidate += 1
    return candidate


def _remove_if_empty(path: Path) -> None:
    try:
        path.rmdir()
        path.parent.rmdir()  # .devenv/ itself, when nothing else is in it
    except OSError:
        pass
