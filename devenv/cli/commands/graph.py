"""`devenv graph [--format mermaid|dot]`."""

from __future__ import annotations

from typing import Annotated

import typer

from devenv.cli.state import CURRENT

HELP = """Print services and dependencies as a diagram.

\b
Examples:
  devenv graph                      # Mermaid, paste into Markdown
  devenv graph --format dot | dot -Tsvg > graph.svg
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("graph", help=HELP)
    def graph_command(
        fmt: Annotated[str, typer.Option("--format", "-f", help="mermaid or dot.")] = "mermaid",
    ) -> None:
        from devenv.cli.output import emit
        from devenv.errors import UsageError
        from devenv.events import Graph
        from devenv.render.graph import render_dot, render_mermaid

        renderers = {"mermaid": render_mermaid, "dot": render_dot}
        if fmt not in renderers:
            raise UsageError(f"--format: '{fmt}' is not one of: mermaid, dot")
        emit([Graph(renderers[fmt](CURRENT.load().spec), format=fmt)])
