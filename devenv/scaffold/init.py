"""`devenv init DIR`: a new project from the `project` template."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from devenv.errors import UsageError
from devenv.scaffold.add import check_name
from devenv.scaffold.render import copy_template
from devenv.scaffold.templates import PROJECT_TEMPLATE, template_dir
from devenv.spec.loader import load_project


@dataclass
class InitResult:
    """What `init` wrote."""

    root: Path
    name: str
    files: list[str] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)


def project_name_for(directory: Path) -> str:
    """A DNS label from a directory name: ``My Shop_2`` -> ``my-shop-2``."""
    name = re.sub(r"[^a-z0-9-]+", "-", directory.resolve().name.lower()).strip("-")
    return name[:63].strip("-") or "app"


def init_project(directory: Path, name: str | None = None, *, force: bool = False) -> InitResult:
    """Write devenv.yaml, .gitignore, README.md, fixtures/ and a CI workflow into ``directory``."""
    directory = Path(directory)
    name = name or project_name_for(directory)
    check_name(name, "project")
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"'{directory}' exists and is not a directory")
    src = template_dir(PROJECT_TEMPLATE)
    with tempfile.TemporaryDirectory(prefix="devenv-init-") as tmp:
        rendered = Path(tmp) / "out"
        copy_template(src, rendered, {"name": name})
        files = sorted(p.relative_to(rendered) for p in rendered.rglob("*") if p.is_file())
        clashes = [str(rel) for rel in files if (directory / rel).exists()]
        if clashes and not force:
            raise UsageError(
                f"'{directory}' already has {', '.join(clashes)}",
                hint="choose an empty directory, or --force to overwrite these files",
            )
        for rel in files:
            dest = directory / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(rendered / rel, dest)
    load_project(directory)  # what we wrote must be a valid project
    return InitResult(root=directory, name=name, files=[str(f) for f in files], overwritten=clashes)
