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

MARKS = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("doctor", help=HELP)
    def doctor_command() -> None:
        import json

        from devenv.cli.output import mode
        from devenv.doctor import run_doctor

        failed = False
        for check in run_doctor(CURRENT.root):
            failed = failed or check.status == "fail"
            if mode() == "json":
                print(json.dumps(check.as_dict()), flush=True)
                continue
            print(f"[{MARKS[check.status]}] {check.name}: {check.detail}", flush=True)
            if check.fix and check.status in ("fail", "warn"):
                print(f"       fix: {check.fix}", flush=True)
        if failed:
            raise typer.Exit(1)
