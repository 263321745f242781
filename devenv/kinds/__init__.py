"""Dependency kinds: one package each, found by looking, never by a list of names.

``devenv/kinds/<name>/__init__.py`` defines ``KIND``, an instance of a
:class:`~devenv.kinds.base.DependencyKind` subclass; adding a kind means adding such a
package (docs/architecture.md, "Adding a dependency kind"). The registry feeds the spec
model (the ``kind`` values and the JSON Schema), the compose and Kubernetes renderers,
seeding, ``status``, ``doctor`` and ``devenv add dependency``.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from devenv.kinds.base import DEV_PASSWORD, DEV_USER, DependencyKind, DependencySettings, env_name

__all__ = [
    "DEV_PASSWORD",
    "DEV_USER",
    "DependencyKind",
    "by_image",
    "env_name",
    "get",
    "kind_of",
    "kinds",
    "names",
]


@cache
def kinds() -> dict[str, DependencyKind]:
    """Every kind, by name, in rank order."""
    found: list[DependencyKind] = []
    for info in pkgutil.iter_modules(__path__):
        if not info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        kind = getattr(module, "KIND", None)
        if not isinstance(kind, DependencyKind):
            raise TypeError(f"devenv/kinds/{info.name}/__init__.py must define KIND, a DependencyKind")
        if kind.name != info.name:
            raise TypeError(f"devenv/kinds/{info.name}: KIND.name is '{kind.name}', not the package's name")
        found.append(kind)
    found.sort(key=lambda k: (k.rank, k.name))
    return {kind.name: kind for kind in found}


def names() -> tuple[str, ...]:
    """The kind names, in rank order: what ``dependencies.<name>.kind`` accepts."""
    return tuple(kinds())


def get(name: str) -> DependencyKind:
    """The kind called ``name`` (KeyError when there is none: the spec model rejects unknown kinds)."""
    return kinds()[name]


def by_image() -> str | None:
    """The kind of a dependency that names an ``image`` and no ``kind`` (any image: devenv/kinds/generic/)."""
    return next((name for name, kind in kinds().items() if kind.chosen_by_image), None)


def kind_of(dependency: DependencySettings) -> DependencyKind:
    """The kind of a spec dependency, bound to its settings (:meth:`DependencyKind.bind`)."""
    return kinds()[dependency.kind].bind(dependency)
