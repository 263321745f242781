"""`devenv down [--volumes]`."""

from __future__ import annotations

from typing import Annotated

import typer

from devenv.cli.state import CURRENT

HELP = """Stop and remove the containers. Data volumes survive unless --volumes.

\b
Examples:
  devenv down
  devenv down --volumes      # also delete the data of every dependency
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("down", help=HELP)
    def down_command(
        volumes: Annotated[bool, typer.Option("--volumes", "-v", help="Also remove named volumes (data).")] = False,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.runtime.down import down

        emit(down(CURRENT.load(), volumes=volumes))
