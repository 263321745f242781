"""Rules for the settings of one dependency that its kind decides (``DependencyKind.settings``).

Called by :func:`devenv.spec.checks.check_spec`. Every dependency takes ``kind``, ``version``,
``image``, ``host_port``, ``profiles`` and ``compose``; the rest (``port``, ``health_command``,
``data``, ``env``, ``url``, ...) only where its kind says so (devenv/kinds/<kind>/): a setting
the kind does not take is reported at its own line, naming what the kind does take.
"""

from __future__ import annotations

from typing import Protocol

from devenv import kinds
from devenv.spec.model import Dependency, Spec
from devenv.spec.yamlsource import PathKey

COMMON = ("kind", "version", "image", "host_port", "profiles", "compose")
OPTIONAL = tuple(name for name in Dependency.model_fields if name not in COMMON)


class Problem(Protocol):
    """Records one problem (see ``check_spec``)."""

    def __call__(self, loc: PathKey, field: str, text: str, *, key: bool = False, hint: str | None = None) -> None: ...


def check_dependency_settings(spec: Spec, problem: Problem) -> None:
    """Settings a dependency's kind does not take, and those it needs but lacks."""
    for name, dependency in spec.dependencies.items():
        kind = kinds.get(dependency.kind)
        where = f"dependencies.{name}"
        taken = [s for s in OPTIONAL if s in kind.settings]
        for setting in OPTIONAL:
            if setting in dependency.model_fields_set and setting not in kind.settings:
                takes = ", ".join(taken) if taken else "none of " + ", ".join(OPTIONAL)
                problem((*("dependencies", name), setting), f"{where}.{setting}",
                        f"a {kind.name} dependency has no setting '{setting}'", key=True,
                        hint=f"besides {', '.join(COMMON)}, it takes {takes}")  # fmt: skip
        for setting in taken:
            trouble = kind.setting_problem(setting, getattr(dependency, setting))
            if setting in dependency.model_fields_set and trouble:
                problem(("dependencies", name, setting), f"{where}.{setting}", trouble)
        if not kind.repository and dependency.image is None:
            problem(("dependencies", name, "kind"), f"{where}.kind",
                    f"a {kind.name} dependency runs the image you name, and this one names none",
                    hint="add 'image: <reference>'")  # fmt: skip
        for setting in sorted(kind.required_settings):
            if getattr(dependency, setting) is None:
                problem(("dependencies", name), f"{where}.{setting}",
                        f"a {kind.name} dependency needs '{setting}'", key=True,
                        hint=f"add '{setting}:' under dependencies.{name}")  # fmt: skip


__all__ = ["check_dependency_settings"]
