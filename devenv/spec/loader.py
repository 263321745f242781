"""Load devenv.yaml into a validated :class:`~devenv.project.Project`.

This is the only place that reads the spec file. Every problem becomes a
:class:`~devenv.errors.SpecError` naming ``devenv.yaml:LINE:COL`` and the field.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from devenv.errors import SpecError, UsageError
from devenv.project import MachineSettings, Project
from devenv.spec.checks import check_spec
from devenv.spec.dockerfile import read_dockerfile
from devenv.spec.env_checks import check_environments
from devenv.spec.errors import spec_error_from_validation
from devenv.spec.model import Spec
from devenv.spec.yamlsource import Positions, parse_yaml

SPEC_FILE = "devenv.yaml"


def spec_path_for(root: Path) -> Path:
    """Where the spec of the project at ``root`` lives."""
    return root / SPEC_FILE


def parse_spec(text: str, path: Path) -> tuple[Spec, Positions]:
    """Validate the text of a spec file (field rules only, no file-system checks)."""
    data, positions = parse_yaml(text, path)
    if data is None:
        raise SpecError(path, 1, 1, "", "the file is empty", hint="start from `devenv init`, or see docs/spec.md")
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise SpecError(
            path, 1, 1, "", f"expected a mapping at the top level, got {kind}", hint="start with 'name: <project>'"
        )
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        raise spec_error_from_validation(exc, path, positions, Spec) from exc
    return spec, positions


def load_project(root: Path, environ: Mapping[str, str] | None = None) -> Project:
    """Read, validate and check the project at ``root``."""
    root = Path(root)
    path = spec_path_for(root)
    if not root.is_dir():
        raise UsageError(f"project directory '{root}' does not exist")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(
            f"no {SPEC_FILE} in '{root}'",
            hint="run `devenv init DIR` to start a project, or pass -C DIR",
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError(path, line, 1, "", "the file is not valid UTF-8 text") from exc
    spec, positions = parse_spec(text, path)
    return project_of(root, spec, positions, environ)


def project_of(root: Path, spec: Spec, positions: Positions, environ: Mapping[str, str] | None = None) -> Project:
    """Check a validated spec against the project's files and read what rendering needs (the Dockerfiles)."""
    path = spec_path_for(root)
    check_spec(spec, root, path, positions)
    check_environments(spec, path, positions)
    dockerfiles = {}
    for name, service in spec.services.items():
        if service.builds:
            info = read_dockerfile(root / service.dockerfile_path(name))
            if info is not None:
                dockerfiles[name] = info
    settings = MachineSettings.from_environ(os.environ if environ is None else environ)
    return Project(root=root, spec_path=path, spec=spec, positions=positions, dockerfiles=dockerfiles, machine=settings)
