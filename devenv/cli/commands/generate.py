"""`devenv generate [--check]`."""

from __future__ import annotations

from typing import Annotated

import typer

from devenv.cli.state import CURRENT

HELP = """Write docker-compose.yml from devenv.yaml (deterministic, atomic).

\b
Examples:
  devenv generate            # write or refresh docker-compose.yml
  devenv generate --check    # CI: exit 1 with a diff when the file is stale
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("generate", help=HELP)
    def generate_command(
        check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 with a diff on drift.")] = False,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.events import Event, Message, Warning
        from devenv.generate import generate
        from devenv.render.programs import PROGRAMS_DIR

        result = generate(CURRENT.load(), check=check)
        events: list[Event] = [Warning(warning) for warning in result.warnings]
        programs = [rel for rel in result.written if rel.startswith(PROGRAMS_DIR)]
        if check:
            events.append(Message(f"{result.path} is up to date"))
        else:
            events.append(Message(f"wrote {result.path}" if result.changed else f"{result.path} unchanged"))
            if programs:
                events.append(Message(f"updated {len(programs)} program file(s) under {PROGRAMS_DIR}/"))
        emit(events)
