"""`devenv test [SERVICE...]`."""

from __future__ import annotations

from typing import Annotated

import typer

from devenv.cli.state import CURRENT

HELP = """Run each service's tests inside its dev image, with its dependencies up, on the
engine; print a summary table. Exit 1 when any fails. The command is the service's
`test:` in devenv.yaml; tests run in a separate Compose project (<name>-test) that
is removed afterwards, so development data is not touched.

\b
Examples:
  devenv test                # every service with a test command
  devenv test api
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("test", help=HELP)
    def test_command(
        services: Annotated[list[str] | None, typer.Argument(help="Services (default: all with `test:`).")] = None,
        build: Annotated[bool, typer.Option("--build/--no-build", help="Build the dev images first.")] = True,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.scaffold.testrun import TestsFailed, TestSummary, run_tests

        events = emit(run_tests(CURRENT.load(), services or [], build=build))
        summary = next((e for e in reversed(events) if isinstance(e, TestSummary)), None)
        if summary is not None and summary.failed:
            raise TestsFailed(f"tests failed: {', '.join(summary.failed)}")
