"""The connection variables a service gets for the dependencies it depends on. Pure.

Compose and Kubernetes rendering both use this, so a service sees the same names on a
laptop and in a cluster; only the values differ (development URLs locally, Secret
references in a cluster).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from devenv.kinds import DependencyKind, env_name, kind_of
from devenv.spec.model import Dependency

UrlFor = Callable[[str, DependencyKind], Any]


def connection_env(
    depends_on: list[str],
    dependencies: Mapping[str, Dependency],
    project: str,
    url_for: UrlFor | None = None,
) -> dict[str, Any]:
    """Connection variables of a service.

    Each dependency gives ``<NAME>_URL``; when a service depends on exactly one
    dependency of a kind, it also gets that kind's conventional name (``DATABASE_URL``,
    ``REDIS_URL``, ...). ``url_for(name, kind)`` may supply the value (cluster export
    passes Secret references); by default it is the local development URL.
    """
    chosen = [(name, dependencies[name]) for name in depends_on if name in dependencies]
    per_kind: dict[str, list[str]] = {}
    chosen = [(name, dependency) for name, dependency in chosen if kind_of(dependency).url("", project)]
    for name, dependency in chosen:  # any image without a 'url' template gives none (devenv/kinds/generic/)
        per_kind.setdefault(dependency.kind, []).append(name)
    env: dict[str, Any] = {}
    for name, dependency in chosen:
        kind = kind_of(dependency)
        value = url_for(name, kind) if url_for else kind.url(name, project, kind.user, kind.password)
        env[f"{env_name(name)}_URL"] = value
        if len(per_kind[dependency.kind]) == 1 and kind.url_env:
            env.setdefault(kind.url_env, value)
    return dict(sorted(env.items()))
