"""Global options shared by every command."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devenv.project import Project


@dataclass
class State:
    """What the global flags set."""

    root: Path = Path(".")
    debug: bool = False
    output: str = "auto"  # auto | rich | plain | json

    def load(self) -> Project:
        """Load the project at ``root`` (imports the spec stack lazily, keeping --help fast)."""
        from devenv.spec.loader import load_project

        return load_project(self.root)


CURRENT = State()
