"""Rules that look across ``environments`` and the rest of devenv.yaml.

An environment may only tune what the spec declares: replicas of services, resources
of services and dependencies, and which dependencies live outside the cluster.
"""

from __future__ import annotations

from pathlib import Path

from devenv.errors import SpecError
from devenv.spec.errors import did_you_mean
from devenv.spec.model import Spec
from devenv.spec.yamlsource import PathKey, Positions


def check_environments(spec: Spec, spec_path: Path, positions: Positions) -> None:
    """Raise the first :class:`SpecError` (in file order) of the cross-field rules of ``environments``."""
    problems: list[SpecError] = []

    def problem(loc: PathKey, text: str, *, hint: str | None = None, key: bool = True) -> None:
        line, col = positions.of_key(loc) if key else positions.of_value(loc)
        field = ".".join(str(part) for part in loc)
        problems.append(SpecError(spec_path, line, col, field, text, hint=hint))

    services = list(spec.services)
    dependencies = list(spec.dependencies)
    for env_name, env in spec.environments.items():
        base = ("environments", env_name)
        for name in env.replicas:
            loc = (*base, "replicas", name)
            if name in spec.dependencies:
                problem(
                    loc,
                    f"'{name}' is a dependency: a dependency runs one replica in a cluster",
                    hint=(
                        "replicas apply to services; mark a managed, replicated database 'external' under dependencies"
                    ),
                )
            elif name not in spec.services:
                problem(loc, f"'{name}' is not a service", hint=_hint(name, services, "services"))
        for name, resources in env.resources.items():
            loc = (*base, "resources", name)
            if name not in spec.services and name not in spec.dependencies:
                problem(
                    loc,
                    f"'{name}' is not a service or dependency",
                    hint=_hint(name, services + dependencies, "services and dependencies"),
                )
            elif name in spec.services and resources.storage is not None:
                problem(
                    (*loc, "storage"),
                    f"'storage' sizes a dependency's data volume; '{name}' is a service",
                    hint="remove it: services keep no state of their own in a cluster",
                )
        for name in env.dependencies:
            loc = (*base, "dependencies", name)
            if name not in spec.dependencies:
                hint = _hint(name, dependencies, "dependencies")
                if name in spec.services:
                    hint = f"'{name}' is a service; only dependencies can be external"
                problem(loc, f"'{name}' is not a dependency", hint=hint)

    if problems:
        problems.sort(key=lambda p: (p.line, p.col))
        raise problems[0]


def _hint(name: str, known: list[str], what: str) -> str:
    close = did_you_mean(name, known)
    if close:
        return close
    return f"{what}: {', '.join(known)}" if known else f"the spec declares no {what}"
