"""`devenv down [--volumes [--yes]]`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from devenv.cli.state import CURRENT

HELP = """Stop and remove the containers. Data volumes survive unless --volumes.

The dependencies' snapshots (`devenv snapshot`) live in their data volumes: they
survive `devenv down`, and --volumes deletes them with the data.

\b
Examples:
  devenv down
  devenv down --volumes        # asks first: deletes the data of every dependency, snapshots too
  devenv down --volumes --yes  # no question (scripts, CI)
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("down", help=HELP)
    def down_command(
        volumes: Annotated[
            bool, typer.Option("--volumes", "-v", help="Also remove named volumes (data and snapshots).")
        ] = False,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before deleting volumes.")] = False,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.errors import UsageError
        from devenv.runtime.down import down

        project = CURRENT.load()
        if volumes and not yes:
            if not sys.stdin.isatty():
                raise UsageError(
                    "--volumes deletes the data of every dependency, snapshots included; confirm with --yes",
                    hint=f"devenv down --volumes --yes  (project '{project.name}')",
                )
            from devenv.snapshots.runtime import names_in_volumes

            typer.confirm(_question(project.name, names_in_volumes(project)), abort=True)
        emit(down(project, volumes=volumes))


def _question(project: str, snapshots: dict[str, list[str]] | None) -> str:
    """The confirmation of --volumes, naming the snapshots that go with the data (when they are known)."""
    question = f"Delete the containers AND the data volumes of '{project}'"
    if snapshots is None:
        return question + " (with their snapshots)?"
    if not snapshots:
        return question + "?"
    listed = "; ".join(f"{dependency}: {', '.join(names)}" for dependency, names in snapshots.items())
    return question + f", with their snapshots ({listed})?"
