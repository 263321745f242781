"""`devenv status [--json]`."""

from __future__ import annotations

from typing import Annotated

import typer

from devenv.cli.state import CURRENT

HELP = """Show each service's state, health and URLs.

\b
Examples:
  devenv status
  devenv status --json | jq '.services[] | select(.ready | not)'
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("status", help=HELP)
    def status_command(
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.runtime.status import project_status

        emit([project_status(CURRENT.load())], mode="json" if as_json else None)
