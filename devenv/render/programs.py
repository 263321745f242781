"""devenv's own programs, generated next to the compose file and bind-mounted into containers. Pure.

The compose file describes the environment; the programs devenv runs inside containers
(the seeding scripts of each dependency kind, the reloader, the HTTP health probes) are
real files, written to ``.devenv/programs/<name>/`` beside it and mounted read-only.
They are generated, deterministic, and covered by ``devenv generate --check`` like the
compose file; a project commits them so plain ``docker compose up`` works without devenv.
A label with the directory's digest makes Compose recreate a container whose programs
changed (Compose does not look inside bind mounts).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

PROGRAMS_DIR = ".devenv/programs"
CONTAINER_DIR = "/devenv"


@dataclass(frozen=True)
class ProgramDir:
    """One directory of program files: ``.devenv/programs/<name>/``."""

    name: str
    files: Mapping[str, str]  # file name -> text

    @property
    def source(self) -> str:
        """The bind-mount source, relative to the compose file."""
        return f"./{PROGRAMS_DIR}/{self.name}"

    def digest(self) -> str:
        """16 hex characters over names and contents: changes when devenv ships a new version."""
        digest = hashlib.sha256()
        for file_name in sorted(self.files):
            digest.update(file_name.encode() + b"\0" + self.files[file_name].encode() + b"\0")
        return digest.hexdigest()[:16]

    def mount(self, target: str) -> str:
        """A read-only bind mount of the directory at ``target`` (short syntax)."""
        return f"{self.source}:{target}:ro"

    def paths(self) -> dict[str, str]:
        """{path relative to the project: text} of every file."""
        return {f"{PROGRAMS_DIR}/{self.name}/{file_name}": text for file_name, text in sorted(self.files.items())}
