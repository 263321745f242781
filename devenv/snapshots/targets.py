"""Which dependencies a snapshot command works on, and who uses them. Pure.

The dependencies of a kind with snapshots (``DependencyKind.snapshots``), in spec order;
names on the command line must be such dependencies. The services that use a dependency
are those whose ``depends_on`` names it: `restore` restarts them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Protocol

from devenv.errors import UsageError
from devenv.events import SnapshotEntry
from devenv.kinds import get
from devenv.kinds.snapshots import SnapshotInfo, name_problem


class HasKind(Protocol):
    """A spec dependency."""

    @property
    def kind(self) -> str: ...


class HasDependsOn(Protocol):
    """A spec service."""

    @property
    def depends_on(self) -> list[str]: ...


def check_name(name: str) -> str:
    """``name`` when it can name a snapshot, else a UsageError (exit 2)."""
    problem = name_problem(name)
    if problem:
        raise UsageError(problem, hint="for example: devenv snapshot save before-demo")
    return name


def capable(dependencies: Mapping[str, HasKind]) -> list[str]:
    """The dependencies whose kind has snapshots, in spec order."""
    return [name for name, dependency in dependencies.items() if get(dependency.kind).snapshots]


def selected(dependencies: Mapping[str, HasKind], names: list[str], services: Collection[str] = ()) -> list[str]:
    """``names`` (checked), or every dependency with snapshots; in spec order (``services``: for messages)."""
    able = capable(dependencies)
    for name in names:
        if name not in dependencies:
            known = ", ".join(dependencies) or "(none)"
            what = f"'{name}' is a service, not a dependency" if name in services else f"'{name}' is not a dependency"
            raise UsageError(what, hint=f"dependencies: {known}")
        if name not in able:
            kind = get(dependencies[name].kind).name
            raise UsageError(f"dependency '{name}' ({kind}) has no snapshots", hint=_able_hint(able))
    if not able:
        raise UsageError("no dependency of this project has snapshots", hint=_able_hint(able))
    return [name for name in able if not names or name in names]


def _able_hint(able: list[str]) -> str:
    if able:
        return f"dependencies with snapshots: {', '.join(able)}"
    return "add one whose kind has snapshots (`devenv add dependency --help` lists the kinds)"


def users(services: Mapping[str, HasDependsOn], dependencies: list[str]) -> list[str]:
    """The services that depend on any of ``dependencies`` directly, in spec order."""
    return [name for name, service in services.items() if set(service.depends_on) & set(dependencies)]


def entries(found: Mapping[str, list[SnapshotInfo]], kinds: Mapping[str, str]) -> list[SnapshotEntry]:
    """The rows of `snapshot list`, oldest first (then by name and dependency, in the order given)."""
    order = {dependency: index for index, dependency in enumerate(found)}
    rows = [
        SnapshotEntry(
            name=info.name,
            dependency=dependency,
            kind=kinds[dependency],
            size_bytes=info.size_bytes,
            created_at=info.created_at,
        )
        for dependency, infos in found.items()
        for info in infos
    ]
    return sorted(rows, key=lambda row: (row.created_at, row.name, order[row.dependency]))


def holders(found: Mapping[str, list[SnapshotInfo]], name: str) -> list[str]:
    """The dependencies (of ``found``) that have a snapshot called ``name``."""
    return [dependency for dependency, infos in found.items() if any(info.name == name for info in infos)]


def known_names(found: Mapping[str, list[SnapshotInfo]]) -> list[str]:
    """Every snapshot name in ``found``, sorted."""
    return sorted({info.name for infos in found.values() for info in infos})
