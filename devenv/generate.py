"""`devenv generate`: write docker-compose.yml from the spec, or check it for drift."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devenv.errors import DriftError
from devenv.files import read_text_or_none, unified_diff, write_atomic
from devenv.project import COMPOSE_FILE, Project
from devenv.render.compose import render_compose


@dataclass
class GenerateResult:
    """What `generate` did."""

    path: str
    changed: bool
    warnings: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def generate(project: Project, *, check: bool = False) -> GenerateResult:
    """Bring the compose file in line with the spec.

    With ``check``, write nothing and raise :class:`DriftError` (with a diff) when the
    file on disk is not what the spec gives.
    """
    rendered = render_compose(project)
    text = rendered.text()
    current = read_text_or_none(project.compose_path)
    changed = current != text
    if check:
        if changed:
            raise DriftError(
                f"{COMPOSE_FILE} is out of date with devenv.yaml" if current is not None else f"{COMPOSE_FILE} is missing",
                diff=unified_diff(current, text, COMPOSE_FILE),
            )
    elif changed:
        write_atomic(project.compose_path, text)
    return GenerateResult(path=str(project.compose_path), changed=changed, warnings=rendered.warnings, data=rendered.data)
