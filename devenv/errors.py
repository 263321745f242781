"""The one exception tree of devenv.

Every failure a user can meet is a :class:`DevenvError`. The CLI catches it once,
prints ``str(error)`` on one line (plus ``hint`` where there is one) and exits with
``exit_code``: 2 for bad input, 1 for runtime failures. Nothing else in the package
prints or exits.
"""

from __future__ import annotations

from pathlib import Path


class DevenvError(Exception):
    """Base of every error devenv reports to the user."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, details: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details  # extra lines (for example a service's last log lines)


class UsageError(DevenvError):
    """Bad input that is not in devenv.yaml (flags, arguments, other files)."""

    exit_code = 2


class SpecError(UsageError):
    """An error in devenv.yaml, located at ``path:line:col`` and naming the field."""

    def __init__(
        self,
        path: Path | str,
        line: int,
        col: int,
        field: str,
        problem: str,
        *,
        hint: str | None = None,
    ):
        self.path = Path(path)
        self.line = line
        self.col = col
        self.field = field
        problem = " ".join(problem.split())  # always one line
        if not field.isprintable():
            field = field.encode("unicode_escape").decode("ascii")
        self.problem = problem
        where = f"{self.path.name}:{line}:{col}"
        text = f"{where}: {field}: {problem}" if field else f"{where}: {problem}"
        super().__init__(text, hint=hint)


class EngineError(DevenvError):
    """The Docker Engine or the Compose CLI is missing, unreachable or too old."""


class ComposeError(DevenvError):
    """A Compose command failed."""


class HealthTimeout(DevenvError):
    """One or more containers did not become healthy in time."""

    def __init__(self, message: str, *, services: list[str], hint: str | None = None, details: str | None = None):
        super().__init__(message, hint=hint, details=details)
        self.services = services


class SnapshotError(DevenvError):
    """Saving, restoring, listing or removing a snapshot failed in a dependency."""


class DriftError(DevenvError):
    """A generated file on disk differs from what the spec gives (``generate --check``)."""

    def __init__(self, message: str, *, diff: str):
        super().__init__(message, hint="run `devenv generate` and commit the result", details=diff)
        self.diff = diff
