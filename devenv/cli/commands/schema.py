"""`devenv schema`."""

from __future__ import annotations

import typer

HELP = """Print the JSON Schema of devenv.yaml (for editor completion).

\b
Examples:
  devenv schema > devenv.schema.json
  # then, first line of devenv.yaml:
  # yaml-language-server: $schema=./devenv.schema.json
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("schema", help=HELP)
    def schema_command() -> None:
        from devenv.cli.output import emit
        from devenv.events import Schema
        from devenv.spec.schema import spec_schema_text

        emit([Schema(spec_schema_text())])
