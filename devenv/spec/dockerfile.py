"""Read what devenv needs from a Dockerfile: its stages and the images it starts from.

Base images are what ``images.mirror`` must reach inside builds. A base image given
through a global ``ARG`` (``ARG PYTHON_IMAGE=python:3.12-slim`` / ``FROM ${PYTHON_IMAGE}``)
can be rewritten with a build argument; a literal ``FROM python:3.12-slim`` cannot, and
devenv warns about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_ARG = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$")
_VAR = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$")


@dataclass(frozen=True)
class FromLine:
    """One ``FROM`` instruction."""

    line: int
    image: str  # as written, e.g. "${PYTHON_IMAGE}" or "python:3.12-slim"
    stage: str | None


@dataclass(frozen=True)
class DockerfileInfo:
    """Stages, global ARG defaults and FROM lines of one Dockerfile."""

    path: str
    stages: tuple[str, ...] = ()
    global_args: dict[str, str] = field(default_factory=dict)
    froms: tuple[FromLine, ...] = ()

    def base_image_args(self) -> dict[str, str]:
        """Global ARGs used as a FROM image, with their default image reference."""
        out: dict[str, str] = {}
        for entry in self.froms:
            match = _VAR.match(entry.image)
            if match and match.group(1) in self.global_args and self.global_args[match.group(1)]:
                out[match.group(1)] = self.global_args[match.group(1)]
        return out

    def literal_bases(self) -> list[FromLine]:
        """FROM lines naming an image directly (not a stage, not an ARG, not scratch)."""
        stages = {s.lower() for s in self.stages}
        return [
            entry
            for entry in self.froms
            if "$" not in entry.image and entry.image.lower() not in stages and entry.image != "scratch"
        ]


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join continuation lines; drop comments and blank lines. Returns (first line no, text)."""
    out: list[tuple[int, str]] = []
    buffer = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):
            continue
        if not buffer:
            start = number
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        buffer += stripped
        out.append((start, buffer))
        buffer = ""
    if buffer:
        out.append((start, buffer))
    return out


def parse_dockerfile(text: str, path: str = "Dockerfile") -> DockerfileInfo:
    """Parse the parts of a Dockerfile devenv uses. Never raises on odd content."""
    stages: list[str] = []
    global_args: dict[str, str] = {}
    froms: list[FromLine] = []
    for number, line in _logical_lines(text):
        parts = line.split(None, 1)
        instruction = parts[0].upper()
        rest = parts[1] if len(parts) > 1 else ""
        if instruction == "ARG" and not froms:
            for token in rest.split():
                match = _ARG.match(token)
                if match:
                    global_args[match.group(1)] = (match.group(2) or "").strip("\"'")
        elif instruction == "FROM":
            words = [w for w in rest.split() if not w.startswith("--")]
            if not words:
                continue
            stage = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            froms.append(FromLine(line=number, image=words[0], stage=stage))
            if stage:
                stages.append(stage)
    return DockerfileInfo(path=path, stages=tuple(stages), global_args=global_args, froms=tuple(froms))


def read_dockerfile(path: Path) -> DockerfileInfo | None:
    """Parse ``path`` if it exists."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return parse_dockerfile(text, str(path))
