"""`devenv init DIR [--name NAME] [--force]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

HELP = """Start a project in DIR: devenv.yaml, .gitignore, README.md, fixtures/ and a CI
workflow (drift check and each service's tests in its container).

\b
Examples:
  devenv init shop
  devenv init . --name shop
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("init", help=HELP)
    def init_command(
        directory: Annotated[Path, typer.Argument(help="Project directory (created if missing).")],
        name: Annotated[
            str | None, typer.Option("--name", help="Project name (DNS label); default: from DIR.")
        ] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.events import Message
        from devenv.scaffold.init import init_project

        result = init_project(directory, name, force=force)
        events = [
            Message(f"{'overwrote' if rel in result.overwritten else 'created'} {result.root / rel}")
            for rel in result.files
        ]
        next_step = f"devenv -C {result.root} add service api --template backend"
        events.append(Message(f"project '{result.name}' is ready; next: {next_step}"))
        emit(events)
