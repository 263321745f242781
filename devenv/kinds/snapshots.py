"""What every kind's snapshots share: names, the context a kind works through, results. Pure.

A kind that can snapshot its data (``DependencyKind.snapshots``) implements
``snapshot_save``, ``snapshot_restore``, ``snapshot_list`` and ``snapshot_remove`` with
the fastest correct method of its server (PostgreSQL: template databases; Redis: RDB
files; RabbitMQ: definitions). It keeps its snapshots inside the dependency's data
volume, so they belong to the project, live outside the project tree, survive
``devenv down`` and go with ``devenv down --volumes``.

The kind never talks to Docker: the runtime (:mod:`devenv.snapshots.runtime`) hands it
a :class:`SnapshotContext` bound to the dependency's running container. The programs that
run there are files in the kind's ``snapshot/`` directory (a sub-directory, so they are
not part of the seeding program and its digest), sent on standard input (:func:`program`).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

# A DNS label, shorter: it becomes part of a database or file name (``devenv_snap_<name>``
# must fit PostgreSQL's 63 bytes) and never contains ``_``, ``.`` or ``/``.
NAME_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")  # used with fullmatch
NAME_RULE = "1 to 40 characters: lower-case letters, digits and '-', starting and ending with a letter or digit"
MARK = "devenv-snapshot: "  # the prefix of the lines the programs print for devenv
# Runs the script sent on standard input with the arguments after it ($0 is the first).
SH_STDIN = ["sh", "-c", 'eval "$(cat)"']


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a snapshot, or None."""
    if NAME_PATTERN.fullmatch(name):
        return None
    return f"'{name}' is not a snapshot name ({NAME_RULE})"


def default_name(now: float | None = None) -> str:
    """The name of a snapshot saved without one: the UTC time, ``20250314-093000``."""
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime(time.time() if now is None else now))


@dataclass(frozen=True)
class ExecResult:
    """What a command run in the dependency's container gave back."""

    code: int
    stdout: str
    stderr: str = ""

    def marks(self) -> list[str]:
        """The ``devenv-snapshot: ...`` lines of stdout, without the prefix."""
        return [line[len(MARK):].rstrip("\r") for line in self.stdout.splitlines() if line.startswith(MARK)]

    def failure(self) -> str | None:
        """The program's own ``failed: ...`` line, or None."""
        for mark in self.marks():
            if mark.startswith("failed: "):
                return mark.removeprefix("failed: ")
        return None

    def error_line(self) -> str:
        """The most useful line for a message: the program's failure, else the last error line of stderr."""
        own = self.failure()
        if own:
            return own
        lines = [line.strip() for line in (self.stderr + "\n" + self.stdout).splitlines() if line.strip()]
        for line in reversed(lines):
            if "ERROR" in line or "rror" in line or "FATAL" in line:
                return line.split("ERROR:  ", 1)[-1].split("ERROR: ", 1)[-1]
        return lines[-1] if lines else f"exit {self.code}"


@dataclass(frozen=True)
class SnapshotInfo:
    """One snapshot of one dependency."""

    name: str
    size_bytes: int
    created_at: str  # ISO 8601, UTC: 2025-03-14T09:30:00Z ("" when the kind cannot tell)


class SnapshotContext(Protocol):
    """The dependency's running container, as a kind's snapshot methods see it."""

    @property
    def project(self) -> str:
        """The project's name (the kind's ``database(project)`` is the project's database)."""
        ...

    @property
    def dependency(self) -> str:
        """The dependency's name in devenv.yaml (its container's hostname)."""
        ...

    def run(self, argv: list[str], *, stdin: str | None = None, env: dict[str, str] | None = None) -> ExecResult:
        """Run ``argv`` in the container, ``stdin`` on its standard input."""
        ...

    def restart(self) -> None:
        """Restart the container and wait until its health check passes (raise SnapshotFailed if it does not)."""
        ...


class SnapshotFailed(Exception):
    """A snapshot operation failed; the runtime says it in one line (``missing``: no such snapshot)."""

    def __init__(self, message: str, *, details: str | None = None, missing: bool = False):
        super().__init__(message)
        self.message = message
        self.details = details
        self.missing = missing


def program(home: Path, file: str) -> str:
    """The text of one of a kind's snapshot programs (``<home>/snapshot/<file>``)."""
    return (home / "snapshot" / file).read_bytes().decode("utf-8")


def checked(result: ExecResult, doing: str) -> ExecResult:
    """``result`` when its program succeeded (exit 0, no ``failed:`` line), else raise SnapshotFailed."""
    failure = result.failure()
    if result.code == 0 and failure is None:
        return result
    missing = failure is not None and failure.startswith("no snapshot ")
    other = "\n".join(line for line in result.stdout.splitlines() if not line.startswith(MARK)).strip()
    details = "\n".join(part for part in (result.stderr.strip(), other) if part) or None
    raise SnapshotFailed(f"{doing} failed: {result.error_line()}", details=details, missing=missing)


def reported_size(result: ExecResult, verb: str) -> int:
    """The byte count of the program's ``<verb> <bytes>`` line (``saved 1234``)."""
    for mark in result.marks():
        word, _, size = mark.partition(" ")
        if word == verb and size.isdigit():
            return int(size)
    raise SnapshotFailed(f"the snapshot program did not say '{verb}': {result.stdout.strip()[-200:] or '(no output)'}")


def iso_utc(seconds: float) -> str:
    """Seconds since the epoch as ``2025-03-14T09:30:00Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def parse_table(output: str) -> list[SnapshotInfo]:
    """``<name> <size> <created>`` lines (tab-separated; created: epoch seconds or ISO) -> snapshots by name."""
    out = []
    for line in output.splitlines():
        parts = line.rstrip("\r").split("\t")
        if len(parts) != 3 or NAME_PATTERN.fullmatch(parts[0]) is None or not parts[1].isdigit():
            continue
        created = parts[2].strip()
        if created.replace(".", "", 1).isdigit():
            created = iso_utc(float(created))
        out.append(SnapshotInfo(name=parts[0], size_bytes=int(parts[1]), created_at=created))
    return sorted(out, key=lambda info: info.name)
