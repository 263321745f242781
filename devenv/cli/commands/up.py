"""`devenv up [SERVICE...] [--build] [--timeout SECONDS]`."""

from __future__ import annotations

from typing import Annotated

import typer

from devenv.cli.state import CURRENT

HELP = """Build, start and wait until every service is healthy; print URLs.

\b
Examples:
  devenv up                  # everything
  devenv up api              # api and what it depends on
  devenv up --profile debug  # also the services with profile debug
  devenv up --build --timeout 300
  devenv up --watch          # and rebuild on requirements/package.json changes
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("up", help=HELP)
    def up_command(
        services: Annotated[list[str] | None, typer.Argument(help="Services to start (default: all).")] = None,
        build: Annotated[bool, typer.Option("--build", help="Rebuild images even when they exist.")] = False,
        timeout: Annotated[
            float, typer.Option("--timeout", min=1, help="Seconds to wait for health after start.")
        ] = 120.0,
        watch: Annotated[
            bool, typer.Option("--watch", "-w", help="Then rebuild services when their dependency manifests change.")
        ] = False,
        profile: Annotated[
            list[str] | None,
            typer.Option("--profile", help="Also start the services with this profile (repeatable)."),
        ] = None,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.runtime.up import up

        emit(up(CURRENT.load(), services or [], build=build, timeout=timeout, watch=watch, profiles=profile or []))
