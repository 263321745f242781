"""`devenv update [SERVICE...]`."""

from __future__ import annotations

from typing import Annotated

import typer

from devenv.cli.state import CURRENT

HELP = """Bring template changes into services made from templates (copier update).
Your edits are kept; where they clash with the template's, the file gets conflict
markers and is listed, and the command exits 1.

\b
Examples:
  devenv update              # every service made from a template
  devenv update api web
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("update", help=HELP)
    def update_command(
        services: Annotated[list[str] | None, typer.Argument(help="Services (default: all from templates).")] = None,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.errors import DevenvError
        from devenv.scaffold.update import update_services

        results = emit(update_services(CURRENT.root, services or []))
        conflicted = {r.service: r.conflicts for r in results if r.conflicts}
        if conflicted:
            listing = "; ".join(f"{svc}: {', '.join(files)}" for svc, files in conflicted.items())
            raise DevenvError(
                f"conflicts in {listing}",
                hint="edit those files: keep what you want between <<<<<<< before updating and "
                ">>>>>>> after updating, remove the markers",
            )
