"""`devenv generate`: write docker-compose.yml and devenv's programs from the spec, or check them for drift."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devenv.errors import DriftError
from devenv.files import read_text_or_none, unified_diff, write_atomic
from devenv.project import COMPOSE_FILE, Project
from devenv.render.compose import render_compose
from devenv.render.programs import PROGRAMS_DIR


@dataclass
class GenerateResult:
    """What `generate` did."""

    path: str
    changed: bool
    warnings: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)  # files written or removed, relative to the project


def generate(project: Project, *, check: bool = False) -> GenerateResult:
    """Bring the compose file and the program files under ``.devenv/programs/`` in line with the spec.

    With ``check``, write nothing and raise :class:`DriftError` (with a diff) when any
    file on disk is not what the spec gives, or a program file is left over.
    """
    rendered = render_compose(project)
    wanted = {COMPOSE_FILE: rendered.text(), **rendered.files()}
    drift: list[str] = []
    diffs: list[str] = []
    for rel, text in wanted.items():
        current = read_text_or_none(project.root / rel)
        if current != text:
            drift.append(rel)
            diffs.append(unified_diff(current, text, rel))
    stale = [rel for rel in _existing_programs(project.root) if rel not in wanted]
    diffs.extend(f"{rel}: no longer generated (remove it)\n" for rel in stale)
    if check:
        if drift or stale:
            raise DriftError(_drift_message(drift, stale, project), diff="".join(diffs))
    else:
        for rel in drift:
            write_atomic(project.root / rel, wanted[rel])
        for rel in stale:
            (project.root / rel).unlink()
            _prune(project.root / rel, project.root / PROGRAMS_DIR)
    return GenerateResult(
        path=str(project.compose_path),
        changed=COMPOSE_FILE in drift,
        warnings=rendered.warnings,
        data=rendered.data,
        written=drift + stale,
    )


def _drift_message(drift: list[str], stale: list[str], project: Project) -> str:
    if COMPOSE_FILE in drift and not (project.root / COMPOSE_FILE).exists():
        return f"{COMPOSE_FILE} is missing"
    if drift == [COMPOSE_FILE] and not stale:
        return f"{COMPOSE_FILE} is out of date with devenv.yaml"
    names = drift + stale
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"generated files are out of date with devenv.yaml: {shown}"


def _existing_programs(root: Path) -> list[str]:
    """Files under .devenv/programs/ now, relative to the project, sorted."""
    base = root / PROGRAMS_DIR
    if not base.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in base.rglob("*") if p.is_file())


def _prune(path: Path, stop: Path) -> None:
    """Remove the now-empty directories between ``path`` and ``stop``."""
    parent = path.parent
    while parent != stop and stop in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent
