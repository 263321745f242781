"""Licences against the project's allowlist (``checks.licences`` in devenv.yaml).

Tools report licences as SPDX identifiers ("MIT"), expressions ("(MIT OR CC0-1.0)",
"Apache-2.0 AND MIT") or Python classifier names ("Apache Software License"); several
classifiers come joined by "; " (any of them applies). Names are brought to SPDX
identifiers, then an expression is accepted when every part joined by AND is, and
either side of an OR is. A package in ``exceptions`` is accepted whatever its licence,
and the reason is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from devenv.spec.checks_model import LicencePolicy

# Classifier and common long names -> SPDX. "BSD License" does not say which BSD: both
# variants are permissive, it is read as BSD-3-Clause.
ALIASES = {
    "mit license": "MIT",
    "mit": "MIT",
    "apache software license": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "bsd license": "BSD-3-Clause",
    "bsd": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "modified bsd license": "BSD-3-Clause",
    "3-clause bsd license": "BSD-3-Clause",  # protobuf's license field
    "bsd 3-clause license": "BSD-3-Clause",
    "bsd 3-clause": "BSD-3-Clause",
    "2-clause bsd license": "BSD-2-Clause",
    "bsd 2-clause license": "BSD-2-Clause",
    "simplified bsd license": "BSD-2-Clause",
    "apache license, version 2.0": "Apache-2.0",
    "isc license (iscl)": "ISC",
    "isc license": "ISC",
    "python software foundation license": "PSF-2.0",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
    "gnu lesser general public license v3 (lgplv3)": "LGPL-3.0-only",
    "gnu lesser general public license v3 or later (lgplv3+)": "LGPL-3.0-or-later",
    "gnu lesser general public license v2 or later (lgplv2+)": "LGPL-2.1-or-later",
    "gnu general public license v3 (gplv3)": "GPL-3.0-only",
    "gnu general public license v2 (gplv2)": "GPL-2.0-only",
    "gnu affero general public license v3": "AGPL-3.0-only",
    "the unlicense (unlicense)": "Unlicense",
    "public domain": "Unlicense",
}


def normalise(name: str) -> str:
    """One licence name as an SPDX identifier where it is known ("MIT License" -> "MIT")."""
    cleaned = name.strip().rstrip("*").strip()
    return ALIASES.get(cleaned.lower(), cleaned)


def accepted(expression: str, allow: set[str]) -> bool:
    """Whether a licence expression is covered by the allowlist (OR: either side; AND: all parts)."""
    classifiers = [part.strip() for part in expression.split(";") if part.strip()]
    if any(normalise(part) in allow for part in classifiers):  # names with parentheses ("... (MPL 2.0)")
        return True
    text = expression.replace("(", " ").replace(")", " ")
    alternatives = [part for part in re.split(r";|\s+OR\s+|\s+or\s+", text) if part.strip()]
    for alternative in alternatives:
        parts = [part for part in re.split(r"\s+AND\s+|\s+and\s+", alternative) if part.strip()]
        if parts and all(normalise(part) in allow for part in parts):
            return True
    return False


@dataclass(frozen=True)
class Verdict:
    """One package's licence, and whether the project accepts it."""

    package: str
    version: str
    licence: str
    accepted: bool
    exception: str | None = None  # the reason, when accepted as an exception

    def line(self) -> str:
        """``name version: licence`` and why it fails or was let through."""
        if self.exception is not None:
            return f"{self.package} {self.version}: {self.licence} (exception: {self.exception})"
        return f"{self.package} {self.version}: {self.licence} is not in the allowlist"


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def judge_licences(packages: list[tuple[str, str, str]], policy: LicencePolicy) -> list[Verdict]:
    """A verdict per (name, version, licence), against the allowlist and the exceptions."""
    allow = set(policy.allow)
    exceptions = {_key(name): reason for name, reason in policy.exceptions.items()}
    verdicts = []
    for name, version, licence in packages:
        if accepted(licence, allow):
            verdicts.append(Verdict(name, version, licence, True))
        elif _key(name) in exceptions:
            verdicts.append(Verdict(name, version, licence, True, exceptions[_key(name)]))
        else:
            verdicts.append(Verdict(name, version, licence, False))
    return verdicts
