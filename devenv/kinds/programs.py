"""The seeding program of a dependency kind: the files that run inside the kind's image. Pure.

Each kind's directory (``devenv/kinds/<kind>/``, package data) holds ``seed.sh`` and its
helpers (SQL, awk, Lua); ``devenv/kinds/seedlib.sh`` is the part every kind shares. A kind
may run another kind's program (``programs_from``: Valkey runs Redis's) and add helpers
that two kinds share, which live beside seedlib.sh (``shared_programs``: PostgreSQL and
MySQL read CSV headers with ``csv_header.awk``). In the container they sit side by side in
one read-only directory (Compose bind-mounts it at ``/devenv``, Kubernetes mounts a
ConfigMap there) and the entrypoint is ``sh /devenv/seed.sh``; the script finds its
siblings through ``$DEVENV_PROGRAMS`` (default: its own directory). See docs/fixtures.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent  # devenv/kinds
SHARED = "seedlib.sh"  # sourced by every kind's seed.sh
ENTRYPOINT = "seed.sh"
DIGEST_LENGTH = 16


def _is_program_file(path: Path) -> bool:
    """A file of a kind's directory that goes into the container (not Python, not hidden)."""
    return path.is_file() and path.suffix != ".py" and not path.name.startswith(".")


def _read(path: Path) -> str:
    """The text of a file exactly as stored (no newline translation)."""
    return path.read_bytes().decode("utf-8")


def _sources(kind: str) -> tuple[str, tuple[str, ...]]:
    """The directory name holding the program of ``kind``, and the shared helpers it adds."""
    from devenv.kinds import kinds

    found = kinds().get(kind)
    if found is None:  # not a registered kind: its own directory, if it has one
        return kind, ()
    return found.programs_from or kind, found.shared_programs


def _plain_name(name: str) -> bool:
    return name not in ("", ".", "..") and "/" not in name and "\\" not in name


def seed_program(kind: str) -> dict[str, str]:
    """{file name: text} of the seeding program of ``kind``, sorted by name.

    Every file of ``devenv/kinds/<home>/`` (the kind's own, or its ``programs_from``) except
    Python modules, ``__pycache__`` (and any other sub-directory) and hidden files, the
    kind's ``shared_programs`` from ``devenv/kinds/``, and the shared ``seedlib.sh``. Raises
    ``ValueError`` for a kind without a ``seed.sh``.
    """
    home, shared = _sources(kind) if _plain_name(kind) else (kind, ())
    directory = ROOT / home
    if not _plain_name(kind) or not _plain_name(home) or not (directory / ENTRYPOINT).is_file():
        raise ValueError(f"no seeding program for dependency kind {kind!r} (no devenv/kinds/{home}/{ENTRYPOINT})")
    files = {path.name: _read(path) for path in directory.iterdir() if _is_program_file(path)}
    for name in (SHARED, *shared):
        if name in files:
            raise ValueError(f"devenv/kinds/{home}/{name} would shadow the shared devenv/kinds/{name}")
        if not _plain_name(name) or not _is_program_file(ROOT / name):
            raise ValueError(f"kind {kind!r} names a shared program devenv/kinds/{name} that does not exist")
        files[name] = _read(ROOT / name)
    return dict(sorted(files.items()))


def program_digest(files: Mapping[str, str]) -> str:
    """16 hex characters of SHA-256 over the names and texts of ``files``, in name order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()[:DIGEST_LENGTH]


def seed_digest(kind: str) -> str:
    """A short, stable hash of the seeding program of ``kind``: changes when any of its files does."""
    return program_digest(seed_program(kind))
