"""Which checks `devenv check` runs, for which services: pure, from the spec and the templates' checks.

A template service gets its template's checks (``service_templates/<template>/checks.yml``,
read by :func:`template_checks`); the service's own ``checks:`` replace an entry of the
same kind and ``null`` turns one off. A service with a ``test:`` command and no ``tests``
check gets that command as its tests (read by its exit code). The ``integration`` kind
runs only with ``--integration`` (or ``--only integration``), against the running
environment. A kind listed in ``checks.warn`` only warns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from devenv.errors import DevenvError, UsageError
from devenv.spec.checks_model import KINDS, CheckCommand, ServiceChecks
from devenv.spec.model import Spec

INTEGRATION = "integration"
_DECLARED: TypeAdapter[ServiceChecks] = TypeAdapter(ServiceChecks)


@dataclass(frozen=True)
class PlannedCheck:
    """One check of one service, as it will run."""

    kind: str
    command: list[str]
    format: str
    network: bool
    probe: list[str] | None
    required: bool


@dataclass(frozen=True)
class ServicePlan:
    """The checks of one service, in order."""

    service: str
    checks: list[PlannedCheck]

    @property
    def integration(self) -> bool:
        """True when the checks run against the running environment."""
        return any(c.kind == INTEGRATION for c in self.checks)


def template_checks(template_dir: Path) -> dict[str, CheckCommand]:
    """The checks a template declares in its ``checks.yml`` (none when it has no such file)."""
    path = template_dir / "checks.yml"
    if not path.is_file():
        return {}
    try:
        declared = _DECLARED.validate_python(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (yaml.YAMLError, ValidationError) as exc:
        raise DevenvError(f"{path}: invalid checks: {exc}") from None
    return {kind: check for kind, check in declared.items() if check is not None}


def service_checks(spec: Spec, name: str, templates: dict[str, dict[str, CheckCommand]]) -> dict[str, CheckCommand]:
    """Every check a service declares (template's, overlaid by its own), in a stable order."""
    service = spec.services[name]
    merged: dict[str, CheckCommand] = dict(templates.get(service.template or "", {}))
    if service.test and "tests" not in merged and "tests" not in service.checks:
        merged["tests"] = CheckCommand(command=list(service.test))
    for kind, check in service.checks.items():
        if check is None:
            merged.pop(kind, None)
        else:
            merged[kind] = check
    order = {kind: index for index, kind in enumerate(KINDS)}
    return dict(sorted(merged.items(), key=lambda item: (order.get(item[0], len(KINDS)), item[0])))


def plan_checks(
    spec: Spec,
    templates: dict[str, dict[str, CheckCommand]],
    services: list[str] | None = None,
    only: list[str] | None = None,
    integration: bool = False,
) -> tuple[list[ServicePlan], list[str]]:
    """(a plan per service with something to run, services with nothing to run)."""
    for name in services or []:
        if name not in spec.services:
            raise UsageError(f"'{name}' is not a service in devenv.yaml")
    wanted = set(only or [])
    if INTEGRATION in wanted:
        integration = True
    warn = set(spec.checks.warn)
    plans: list[ServicePlan] = []
    skipped: list[str] = []
    known: set[str] = set()
    for name in services or list(spec.services):
        declared = service_checks(spec, name, templates)
        known |= set(declared)
        chosen = [
            PlannedCheck(
                kind, list(c.command), c.format, c.network, list(c.probe) if c.probe else None, kind not in warn
            )
            for kind, c in declared.items()
            if (not wanted or kind in wanted) and (kind != INTEGRATION or integration)
        ]
        if chosen:
            plans.append(ServicePlan(name, chosen))
        else:
            skipped.append(name)
    unknown = sorted(wanted - known - set(KINDS))
    if unknown:
        raise UsageError(
            f"no service declares a check of kind {', '.join(repr(k) for k in unknown)}",
            hint=f"kinds: {', '.join(sorted(known | set(KINDS)))}",
        )
    if not plans:
        raise UsageError(
            "no check to run",
            hint="template services declare their checks; a custom service declares `checks:` in devenv.yaml "
            "(docs/checks.md)",
        )
    return plans, skipped
