"""The ``checks`` of devenv.yaml: what `devenv check` runs per service, and the project's policy.

Per service (``services.<name>.checks``), one entry per kind of check: the command that
runs inside the service's dev image and the format its output is read in. Template
services get their template's checks (``service_templates/<template>/checks.yml``); what a
service declares replaces the template's entry of that kind, ``null`` turns one off.

Per project (top-level ``checks``): which kinds only warn, the vulnerability severity
that fails, and the licence allowlist with per-package exceptions.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

KINDS = ("tests", "style", "types", "outdated", "vulnerabilities", "licences", "integration")
Format = Literal[
    "exit-code",
    "pytest",
    "vitest",
    "ruff",
    "eslint",
    "mypy",
    "tsc",
    "pip-outdated",
    "npm-outdated",
    "pip-audit",
    "npm-audit",
    "pip-licenses",
    "license-checker",
]
FORMATS: tuple[str, ...] = get_args(Format)
Severity = Literal["low", "moderate", "high", "critical"]
CheckName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]

# Licences accepted when a project names none: permissive ones, and the weak copyleft
# LGPL/MPL (used as libraries, unchanged). SPDX identifiers (docs/checks.md).
DEFAULT_LICENCES = (
    "0BSD",
    "Apache-2.0",
    "BlueOak-1.0.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC0-1.0",
    "ISC",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "MIT",
    "MIT-0",
    "MPL-2.0",
    "PSF-2.0",
    "Python-2.0",
    "Unlicense",
    "Zlib",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckCommand(_Strict):
    """One check of a service: a command run in its dev image, and how its output is read."""

    command: Annotated[list[str], Field(min_length=1)] = Field(
        description="The command, as a list of arguments, run in the service's code directory."
    )
    format: Format = Field(
        "exit-code",
        description="How the output is read into passed/failed/warnings: a tool's name, or 'exit-code' "
        "(0 passes, anything else fails).",
    )
    network: bool = Field(
        False,
        description="The check asks an index or advisory service; when that cannot be reached it is "
        "reported as skipped, with the reason.",
    )
    probe: Annotated[list[str], Field(min_length=1)] | None = Field(
        None,
        description="A command that exits 0 when the index or advisory service answers (run first; when it "
        "fails the check is skipped with its output as the reason) - for tools that report nothing when "
        "offline, like `pip list --outdated`.",
    )


class LicencePolicy(_Strict):
    """Licences the project accepts, and packages accepted whatever their licence."""

    allow: list[str] = Field(
        default_factory=lambda: list(DEFAULT_LICENCES),
        description="SPDX identifiers of accepted licences; default: permissive licences, LGPL and MPL-2.0.",
    )
    exceptions: dict[str, Annotated[str, Field(min_length=1)]] = Field(
        default_factory=dict,
        description="Package name -> why it is accepted anyway (the reason is required and shown).",
    )


class VulnerabilityPolicy(_Strict):
    """Which known vulnerabilities fail the check."""

    fail_on: Severity = Field(
        "high",
        description="Lowest severity that fails; lower ones are warnings. Advisories without a severity "
        "(pip-audit reports none) fail.",
    )


class ProjectChecks(_Strict):
    """Project-wide settings of `devenv check`."""

    warn: list[CheckName] = Field(
        default_factory=lambda: ["outdated"],
        description="Kinds of check that only warn: their findings never fail `devenv check`.",
    )
    licences: LicencePolicy = Field(default_factory=LicencePolicy)
    vulnerabilities: VulnerabilityPolicy = Field(default_factory=VulnerabilityPolicy)


ServiceChecks = dict[CheckName, CheckCommand | None]
