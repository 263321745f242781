"""Plan, then act: what `up` will do, from desired vs observed state. Pure, tested without Docker."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devenv.errors import UsageError
from devenv.render.compose import LABEL_HASH, LABEL_HOST_URL, LABEL_KIND, LABEL_ROLE
from devenv.runtime.engine import ContainerState


@dataclass(frozen=True)
class Desired:
    """One compose service as `up` sees it."""

    name: str
    role: str
    image: str
    builds: bool
    config_hash: str
    depends_on: tuple[str, ...]
    has_health: bool
    ports: tuple[str, ...] = ()
    conditions: tuple[tuple[str, str], ...] = ()  # (dependency, compose depends_on condition)
    kind: str | None = None  # a dependency's kind (devenv/kinds/)
    project: str = ""
    profiles: tuple[str, ...] = ()  # started only when one is asked for (or when named, or needed)
    host_url: str | None = None  # a dependency's own host URL (its spec's credentials), else its kind's


@dataclass(frozen=True)
class Action:
    """What happens to one service."""

    service: str
    verb: str  # create | recreate | start | keep
    build: bool
    reason: str

    def describe(self) -> str:
        """``api: build, create (not created yet)``."""
        verbs = (["build"] if self.build else []) + [self.verb]
        return f"{self.service}: {', '.join(verbs)} ({self.reason})"


@dataclass
class Plan:
    """The actions of one `up`, in start order."""

    actions: list[Action]
    orphans: list[str] = field(default_factory=list)

    @property
    def to_build(self) -> list[str]:
        """Services whose image is built first."""
        return [a.service for a in self.actions if a.build]

    @property
    def services(self) -> list[str]:
        """Every service `up` brings to the ready state."""
        return [a.service for a in self.actions]

    @property
    def changes_anything(self) -> bool:
        """False when everything is already running as desired."""
        return bool(self.orphans) or any(a.build or a.verb != "keep" for a in self.actions)


def desired_from_compose(data: dict[str, Any]) -> dict[str, Desired]:
    """Read the rendered compose model (data, not YAML) into :class:`Desired` entries."""
    out: dict[str, Desired] = {}
    for name, entry in data.get("services", {}).items():
        labels = entry.get("labels") or {}
        if isinstance(labels, list):  # a raw top-level service may say them as KEY=VALUE texts
            labels = dict(str(item).partition("=")[::2] for item in labels)
        depends = entry.get("depends_on") or {}
        out[name] = Desired(
            name=name,
            role=labels.get(LABEL_ROLE, "service"),
            image=entry.get("image", ""),
            builds="build" in entry,
            config_hash=labels.get(LABEL_HASH, ""),
            depends_on=tuple(depends if isinstance(depends, list) else depends.keys()),
            has_health="healthcheck" in entry,
            ports=tuple(entry.get("ports", [])),
            conditions=_conditions(depends),
            kind=labels.get(LABEL_KIND) if labels.get(LABEL_ROLE) == "dependency" else None,
            project=str(data.get("name", "")),
            profiles=tuple(str(p) for p in entry.get("profiles") or ()),
            host_url=labels.get(LABEL_HOST_URL),
        )
    return out


def _conditions(depends: Any) -> tuple[tuple[str, str], ...]:
    """depends_on as (dependency, condition) pairs; the list form means service_started."""
    if isinstance(depends, list):
        return tuple((str(name), "service_started") for name in depends)
    return tuple((str(name), str((spec or {}).get("condition", "service_started"))) for name, spec in depends.items())


def closure(desired: dict[str, Desired], selected: list[str]) -> list[str]:
    """``selected`` plus everything they depend on, in start order (dependencies first).

    Raises :class:`UsageError` for a name that is not in the project.
    """
    for name in selected:
        if name not in desired:
            raise UsageError(f"no service or dependency named '{name}'", hint="known: " + ", ".join(desired))
    roots = selected or list(desired)
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for target in desired[name].depends_on:
            if target in desired:
                visit(target)
        order.append(name)

    for name in roots:
        visit(name)
    return order


def wanted(desired: dict[str, Desired], selected: list[str], profiles: list[str]) -> list[str]:
    """What `up` starts, in start order: ``selected`` (default: every service whose profiles are
    none or among ``profiles``) and everything they depend on, whatever its profiles.

    Raises :class:`UsageError` for a profile no service has, or a name that is not in the project.
    """
    known = sorted({p for want in desired.values() for p in want.profiles})
    for profile in profiles:
        if profile not in known:
            hint = "profiles in this project: " + ", ".join(known) if known else "no service has profiles"
            raise UsageError(f"--profile {profile}: no service has this profile", hint=hint)
    if selected:
        return closure(desired, selected)
    roots = [name for name, want in desired.items() if not want.profiles or set(want.profiles) & set(profiles)]
    return closure(desired, roots) if roots else []


def plan_up(
    desired: dict[str, Desired],
    observed: list[ContainerState],
    images_present: set[str],
    selected: list[str] | None = None,
    force_build: bool = False,
    profiles: list[str] | None = None,
) -> Plan:
    """Compute the actions that bring ``selected`` (default: all, with ``profiles``) to running and healthy."""
    by_service: dict[str, list[ContainerState]] = {}
    for container in observed:
        by_service.setdefault(container.service, []).append(container)
    actions = []
    for name in wanted(desired, list(selected or []), list(profiles or [])):
        want = desired[name]
        if want.role == "barrier":  # a scale-0 service that only orders others: nothing to do
            continue
        build = want.builds and (force_build or want.image not in images_present)
        have = by_service.get(name, [])
        if not have:
            verb, reason = "create", "not created yet"
        elif any(c.labels.get(LABEL_HASH) != want.config_hash for c in have):
            verb, reason = "recreate", "devenv.yaml changed"
        elif build and force_build:
            verb, reason = "recreate", "image rebuilt (--build)"
        elif all(c.state == "running" for c in have):
            verb, reason = "keep", "running"
        else:
            state = have[0].state
            verb, reason = "start", f"{state}"
        if build and verb == "keep":
            verb, reason = "recreate", "image missing"
        if build and verb == "create":
            reason = "image not built yet"
        actions.append(Action(service=name, verb=verb, build=build, reason=reason))
    orphans = sorted({c.service for c in observed if c.service not in desired})
    return Plan(actions=actions, orphans=orphans)
