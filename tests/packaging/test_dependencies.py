"""Every third-party module devenv imports is a declared dependency (pyproject.toml)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Program files that run inside the service containers, not in devenv's process: their
# imports (uvicorn, ...) are the service's dependencies, not devenv's.
IN_CONTAINER = ("devenv/reload/",)
# Program files with a container of their own whose packages an extra declares (pyproject.toml).
EXTRAS = {"devenv/dashboard/": "dashboard"}


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(extra: str | None = None) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return {_normalize(re.split(r"[\s;<>=!~\[(]", dep, maxsplit=1)[0]) for dep in deps}


def _imported() -> dict[str, set[str]]:
    """Top-level module -> files importing it (absolute imports, also inside functions)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "devenv").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(IN_CONTAINER):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), rel)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(rel)
    return found


def test_every_imported_module_is_declared() -> None:
    declared = _declared()
    extras = {prefix: _declared(extra) for prefix, extra in EXTRAS.items()}
    owners = packages_distributions()
    missing: dict[str, tuple[list[str], list[str]]] = {}
    for module, files in _imported().items():
        if module in sys.stdlib_module_names or module in {"devenv", "__future__"}:
            continue
        dists = {_normalize(d) for d in owners.get(module, [])}
        allowed = [
            declared | next((extras[p] for p in extras if file.startswith(p)), set()) for file in files
        ]
        if not all(dists & ok for ok in allowed):
            missing[module] = (sorted(dists) or ["not installed"], sorted(files))
    assert missing == {}, f"imported but not in [project] dependencies: {missing}"
