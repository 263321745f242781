"""Copier, run the way devenv needs it: no prompts, no tasks, no output, answers rewritten."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from devenv.errors import DevenvError
from devenv.scaffold.templates import ANSWERS_FILE, SOURCE_PREFIX


def copy_template(src: Path, dst: Path, data: dict[str, Any]) -> None:
    """Render the Copier template at ``src`` into ``dst`` with ``data`` (every question answered)."""
    from copier import run_copy
    from copier.errors import CopierError

    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            run_copy(
                str(src),
                str(dst),
                data=data,
                defaults=True,
                overwrite=True,
                unsafe=False,
                quiet=True,
                skip_tasks=True,
                cleanup_on_error=True,
            )
    except CopierError as exc:
        raise DevenvError(f"copier could not render the template {src.name}: {exc}") from exc


def read_answers(service_dir: Path) -> dict[str, Any] | None:
    """The answers file of a service, or None when it has none."""
    path = service_dir / ANSWERS_FILE
    if not path.is_file():
        return None
    yaml = YAML(typ="safe")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"))
    except Exception as exc:  # any YAML problem means "cannot use it"
        raise DevenvError(f"{path}: cannot read it: {exc}") from exc
    return data if isinstance(data, dict) else None


def write_answers(service_dir: Path, template: str, version: str, src_path: str | None = None) -> None:
    """Point the answers file at ``template`` at ``version`` (or at ``src_path`` for a copier run).

    Copier records the path it rendered from; devenv records ``devenv:<template>`` and the
    template version instead, which mean the same on every machine.
    """
    path = service_dir / ANSWERS_FILE
    text = path.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    yaml = YAML(typ="safe")
    data = yaml.load(text) or {}
    data["_src_path"] = src_path or f"{SOURCE_PREFIX}{template}"
    data["_commit"] = version
    out = io.StringIO()
    dumper = YAML(typ="safe")
    dumper.default_flow_style = False
    dumper.dump(dict(sorted(data.items())), out)
    path.write_text("\n".join([*header, out.getvalue().rstrip("\n")]) + "\n", encoding="utf-8")


def template_of(answers: dict[str, Any] | None) -> str | None:
    """``devenv:backend`` -> ``backend``; None for services not made by devenv."""
    if not answers:
        return None
    src = str(answers.get("_src_path", ""))
    return src[len(SOURCE_PREFIX):] if src.startswith(SOURCE_PREFIX) else None
