"""`devenv import [-f FILE ...] [--force]`: read, propose, refine, write, report.

Nothing is written until the whole import is known, checked and reported on; then
devenv.yaml is written, every compose file Compose would still read by itself is moved
aside (``docker-compose.yml`` -> ``docker-compose.original.yml``, never deleted), and
the generated ``docker-compose.yml`` (with its programs) takes the default name.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from devenv.errors import UsageError
from devenv.events import Event, ImportedService, ImportSummary, Message
from devenv.files import write_atomic
from devenv.generate import generate
from devenv.importer.compare import KeyComparison, ServiceComparison
from devenv.importer.convert import Proposal, Proposals, propose
from devenv.importer.refine import Outcome, Refiner
from devenv.importer.sources import (
    ComposeReader,
    Sources,
    display,
    dotenv,
    files_to_move,
    find_sources,
    moved_name,
)
from devenv.project import COMPOSE_FILE, Project
from devenv.render.programs import PROGRAMS_DIR
from devenv.spec.loader import SPEC_FILE, load_project, spec_path_for

_VARIABLE = re.compile(r"\$\{?(?P<name>[A-Za-z_][A-Za-z0-9_]*)")
COMPOSE_SETTINGS = ("COMPOSE_FILE", "COMPOSE_PROFILES", "COMPOSE_PROJECT_NAME", "COMPOSE_PATH_SEPARATOR")
REGISTRY_PLACEHOLDER = "registry.invalid"  # lets the export render built services to say what it leaves out


def import_project(root: Path, files: list[str], *, force: bool = False) -> Iterator[Event]:
    """Import the compose project at ``root`` (``files``: the -f files, else what Compose reads by default)."""
    if not root.is_dir():
        raise UsageError(f"project directory '{root}' does not exist")
    root = root.resolve()
    spec_path = spec_path_for(root)
    if spec_path.exists() and not force:
        raise UsageError(
            f"{SPEC_FILE} already exists in {root}",
            hint="`devenv import --force` replaces it (the compose files are kept either way)",
        )
    sources = find_sources(root, files)
    reader = ComposeReader.locate(root)
    original, uninterpolated = reader.read(sources)
    proposals = propose(original, uninterpolated, root)
    outcome = Refiner(proposals, original, uninterpolated, reader, root, sources.names()).run()
    read = f"read {', '.join(sources.names())} ({sources.how}), Docker Compose {reader.version}"
    kubernetes, refused = kubernetes_fields(outcome.project)
    variables = used_variables(uninterpolated, root)
    events: list[Event] = [Message(read)]
    events += [_service_event(s, proposals, outcome, kubernetes, variables) for s in outcome.comparison.services]
    notes = _project_notes(proposals, outcome, reader, variables, root) + refused
    written, moved = _write(root, spec_path, outcome, sources)
    top = outcome.comparison
    events.append(
        ImportSummary(
            project=proposals.name,
            sources=sources.names(),
            compose_version=reader.version,
            services=len(top.services),
            settings=top.settings,
            equivalent=top.equivalent,
            raw=list(outcome.project.spec.compose),
            differences=[key.describe() for name, key in top.differences() if not name],
            added=[key.key for key in top.top if key.status == "added" and key.key != "networks.default"],
            moved=moved,
            written=written,
            kubernetes=kubernetes.get("", []),
            notes=notes,
        )
    )
    yield from events


def _write(root: Path, spec_path: Path, outcome: Outcome, sources: Sources) -> tuple[list[str], list[str]]:
    """devenv.yaml, the originals moved aside, the generated compose file and programs."""
    write_atomic(spec_path, outcome.text)
    moved = []
    for path in files_to_move(sources):
        target = moved_name(path)
        path.rename(target)
        moved.append(f"{display(path, root)} -> {display(target, root)}")
    result = generate(load_project(root))
    programs = [rel for rel in result.written if rel.startswith(PROGRAMS_DIR)]
    written = [SPEC_FILE, COMPOSE_FILE]
    if programs:
        written.append(f"{len(programs)} program file(s) under {PROGRAMS_DIR}/")
    return written, moved


def _service_event(
    comparison: ServiceComparison,
    proposals: Proposals,
    outcome: Outcome,
    kubernetes: dict[str, list[str]],
    variables: dict[str, list[str]],
) -> ImportedService:
    name = comparison.generated_name or comparison.name
    proposal = next((p for p in proposals.services if p.original == comparison.name), None)
    notes = list(proposal.notes) if proposal else []
    if comparison.name in variables:
        notes.append("interpolated when read, written as values: " + "; ".join(variables[comparison.name]))
    if proposal is None:
        why = proposals.skipped.get(comparison.name, "not imported")
        return ImportedService(
            service=name, original=comparison.name, became="skipped", summary=why, notes=notes,
            differences=[key.describe() for key in comparison.differences()],
            settings=comparison.settings, equivalent=comparison.equivalent,
        )  # fmt: skip
    raw = _raw_keys(proposal, outcome)
    return ImportedService(
        service=proposal.name,
        original=proposal.original,
        became=proposal.became,
        summary=proposal.summary,
        raw=[key for key, value in raw.items() if value is not None],
        removed=[key for key, value in raw.items() if value is None],
        kubernetes=kubernetes.get(proposal.name, []) if proposal.became != "raw" else ["the whole service"],
        added=[_added(key, proposal) for key in comparison.additions()],
        differences=[key.describe() for key in comparison.differences()],
        notes=notes,
        settings=comparison.settings,
        equivalent=comparison.equivalent,
    )


def _raw_keys(proposal: Proposal, outcome: Outcome) -> dict[str, Any]:
    spec = outcome.project.spec
    if proposal.became == "raw":
        services = spec.compose.get("services") or {}
        return dict(services.get(proposal.original) or {})
    if proposal.became == "dependency":
        return dict(spec.dependencies[proposal.name].compose)
    return dict(spec.services[proposal.name].compose)


def _added(key: KeyComparison, proposal: Proposal) -> str:
    """``environment DATABASE_URL, DB_URL``: a key devenv adds, or what it adds to a mapping or a list."""
    if key.status == "extended":
        return f"{key.key} {', '.join(key.added)}"
    if key.key == "image" and proposal.became == "build":
        return "image (the local build's name)"
    if key.key == "volumes" and isinstance(key.generated, list):
        targets = [str(v.get("target")) if isinstance(v, dict) else str(v) for v in key.generated]
        what = "its data" if proposal.became == "dependency" else "devenv's programs"
        return f"volumes {', '.join(targets)} ({what})"
    if key.key == "environment" and isinstance(key.generated, dict):
        return f"environment {', '.join(key.generated)}"
    return key.key


def kubernetes_fields(project: Project) -> tuple[dict[str, list[str]], list[str]]:
    """Per service or dependency, the fields `devenv export k8s` says it does not carry ("" for the project);
    and why it refuses the project, when it does."""
    from devenv.export import read_mounted_files
    from devenv.render.k8s.render import render_k8s

    spec = project.spec
    images = spec.images.model_copy(update={"registry": spec.images.registry or REGISTRY_PLACEHOLDER})
    copy = dataclasses.replace(project, spec=spec.model_copy(update={"images": images}))
    try:
        warnings = render_k8s(copy, None, "import", files=read_mounted_files(project)).warnings
    except UsageError as exc:
        return {}, [f"`devenv export k8s` refuses this project as it is: {exc.message}"]
    out: dict[str, list[str]] = {}
    pattern = re.compile(r"^(?:services|dependencies)\.(?P<name>[a-z0-9-]+)\.(?P<field>[^:]+):")
    for warning in warnings:
        match = pattern.match(warning)
        if match and match.group("field") not in out.get(match.group("name"), []):
            out.setdefault(match.group("name"), []).append(match.group("field"))
        elif warning.startswith("compose."):
            out.setdefault("", []).append(warning.split(":", 1)[0])
    return out, []


def used_variables(uninterpolated: dict[str, Any] | None, root: Path) -> dict[str, list[str]]:
    """Per original service, ``key (NAME from .env, ...)`` for every key whose value Compose interpolated."""
    if not uninterpolated:
        return {}
    from_file = dotenv(root)
    out: dict[str, list[str]] = {}
    for name, entry in (uninterpolated.get("services") or {}).items():
        if not isinstance(entry, dict):
            continue
        for key, value in entry.items():
            text = json.dumps(value).replace("$$", "")
            found = sorted({m["name"] for m in _VARIABLE.finditer(text) if not m["name"].startswith("DEVENV_")})
            if found:
                origins = [f"{var} {_origin(var, from_file)}" for var in found]
                out.setdefault(name, []).append(f"{key} ({', '.join(origins)})")
    return out


def _origin(variable: str, from_file: dict[str, str]) -> str:
    if variable in os.environ:
        return "from the environment"
    if variable in from_file:
        return "from .env"
    return "unset: its default"


def _project_notes(
    proposals: Proposals, outcome: Outcome, reader: ComposeReader, variables: dict[str, list[str]], root: Path
) -> list[str]:
    notes = list(proposals.notes)
    if any(".env" in item for items in variables.values() for item in items):
        notes.append(
            ".env was read for interpolation: the values it gave are written in devenv.yaml (change them there); "
            ".env stays, and Compose still reads it"
        )
    settings = [key for key in COMPOSE_SETTINGS if key in dotenv(root)]
    if settings:
        notes.append(
            f".env sets {', '.join(settings)}, which Compose still reads for the generated file: remove "
            f"{'them' if len(settings) > 1 else 'it'} unless meant for devenv's docker-compose.yml"
        )
    notes += [
        f"env_file {path} does not exist: kept as env_file, as Compose needs it (create it before `docker compose up`)"
        for path in reader.missing_env_files
    ]
    spec = outcome.project.spec
    raws = {name: entry.compose for name, entry in spec.services.items()}
    raws |= {name: entry.compose for name, entry in spec.dependencies.items()}
    profiled = sorted(name for name, raw in raws.items() if "profiles" in raw)
    if profiled:
        notes.append(
            f"profiles are kept as raw compose keys ({', '.join(profiled)}): `docker compose up` and `devenv up` "
            "leave these out unless their profile is on (`devenv up --profile NAME`) or they are named"
        )
    return notes
