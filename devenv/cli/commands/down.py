"""`devenv down [--volumes [--yes]]`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from devenv.cli.state import CURRENT

HELP = """Stop and remove the containers. Data volumes survive unless --volumes.

\b
Examples:
  devenv down
  devenv down --volumes        # asks first: deletes the data of every dependency
  devenv down --volumes --yes  # no question (scripts, CI)
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("down", help=HELP)
    def down_command(
        volumes: Annotated[bool, typer.Option("--volumes", "-v", help="Also remove named volumes (data).")] = False,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before deleting volumes.")] = False,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.errors import UsageError
        from devenv.runtime.down import down

        project = CURRENT.load()
        if volumes and not yes:
            if not sys.stdin.isatty():
                raise UsageError(
                    "--volumes deletes the data of every dependency; confirm with --yes",
                    hint=f"devenv down --volumes --yes  (project '{project.name}')",
                )
            typer.confirm(f"Delete the containers AND the data volumes of '{project.name}'?", abort=True)
        emit(down(project, volumes=volumes))
