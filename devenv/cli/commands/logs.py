"""`devenv logs [SERVICE...] [-f]`."""

from __future__ import annotations

from typing import Annotated

import typer

from devenv.cli.state import CURRENT

HELP = """Print the logs of the project's containers.

\b
Examples:
  devenv logs                # all services
  devenv logs api -f         # follow one service
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("logs", help=HELP)
    def logs_command(
        services: Annotated[list[str] | None, typer.Argument(help="Services (default: all).")] = None,
        follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new lines.")] = False,
        tail: Annotated[int | None, typer.Option("--tail", "-n", help="Only the last N lines of each.")] = None,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.events import LogLine
        from devenv.runtime.logs import logs

        emit(LogLine(line) for line in logs(CURRENT.load(), services or [], follow=follow, tail=tail))
