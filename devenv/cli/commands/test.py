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
        from devenv.cli.output import emit, mode
        from devenv.scaffold.testrun import TestsFailed, TestSummary, run_tests

        events = emit(run_tests(CURRENT.load(), services or [], build=build))
        summary = next((e for e in reversed(events) if isinstance(e, TestSummary)), None)
        if summary is None:
            return
        if mode() != "json":
            print_summary(summary)
        if summary.failed:
            raise TestsFailed(f"tests failed: {', '.join(summary.failed)}")


def print_summary(summary) -> None:
    """The table of results; the output tail of each failure first."""
    for result in summary.results:
        if not result.passed:
            print(f"--- last lines of {result.service}'s tests (exit {result.exit_code}) ---", flush=True)
            for line in result.tail:
                print(line, flush=True)
    rows = [("SERVICE", "RESULT", "SECONDS", "COMMAND")]
    rows += [
        (r.service, "passed" if r.passed else f"FAILED ({r.exit_code})", f"{r.seconds:.1f}", " ".join(r.command))
        for r in summary.results
    ]
    rows += [(name, "skipped (no test command)", "-", "-") for name in summary.skipped]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip(), flush=True)
