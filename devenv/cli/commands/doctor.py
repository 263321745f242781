"""`devenv doctor`."""

from __future__ import annotations

import typer

from devenv.cli.state import CURRENT

HELP = """Check the engine, Compose, disk, ports, CA and mirror settings; say what to fix.

\b
Examples:
  devenv doctor
  devenv -C examples/shop doctor --output json
"""

def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("doctor", help=HELP)
    def doctor_command() -> None:
        from devenv.cli.output import emit
        from devenv.doctor import run_doctor

        checks = emit(run_doctor(CURRENT.root))
        if any(check.status == "fail" for check in checks):
            raise typer.Exit(1)
