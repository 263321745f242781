"""`devenv check [SERVICE...] [--only KIND ...] [--integration] [--junit DIR] [--json] [--no-build]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from devenv.cli.state import CURRENT

HELP = """Run every check each service declares, inside its dev image: tests, style
(ruff / eslint), types (mypy / tsc), outdated dependencies, known vulnerabilities,
licences (against the allowlist in devenv.yaml). Services run in parallel, one
container each, without their dependencies. Prints a table per service and check and
the output of each failed check; exit 1 when a required check failed. Checks that need
an index that cannot be reached are reported as skipped, with the reason.

\b
Examples:
  devenv check                        # every service, every kind but integration
  devenv check api --only style types
  devenv up && devenv check --integration   # also the tests against the running environment
  devenv check --junit reports/       # JUnit XML per service, for CI
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("check", help=HELP)
    def check_command(
        services: Annotated[list[str] | None, typer.Argument(help="Services (default: all with checks).")] = None,
        only: Annotated[
            list[str] | None,
            typer.Option(
                "--only",
                help="Only these kinds (tests, style, types, outdated, vulnerabilities, "
                "licences, integration, or your own); repeat the flag or list them after it.",
            ),
        ] = None,
        integration: Annotated[
            bool, typer.Option("--integration", help="Also run the integration tests, against the running environment.")
        ] = False,
        junit: Annotated[Path | None, typer.Option("--junit", help="Write JUnit XML per service into DIR.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="JSON lines (like --output json).")] = False,
        build: Annotated[bool, typer.Option("--build/--no-build", help="Build the dev images first.")] = True,
    ) -> None:
        from devenv.checks.junit import write_junit
        from devenv.checks.runner import ChecksFailed, run_checks
        from devenv.cli.output import emit, say
        from devenv.events import CheckSummary

        kinds, names = _split_only(only or [], services or [])
        project = CURRENT.load()
        events = emit(
            run_checks(project, names, kinds, integration=integration, build=build), "json" if as_json else None
        )
        summary = next((e for e in reversed(events) if isinstance(e, CheckSummary)), None)
        if summary is not None and junit is not None:
            paths = write_junit(summary, junit)
            if not as_json:
                say(f"JUnit XML: {', '.join(str(p) for p in paths)}")
        if summary is not None and summary.failed:
            raise ChecksFailed(f"checks failed: {', '.join(summary.failed)}")


def _split_only(only: list[str], services: list[str]) -> tuple[list[str], list[str]]:
    """``--only style types api``: typer gives one value to --only; the words after it that are
    kinds of check (not services) belong to it. Returns (kinds, services)."""
    from devenv.spec.checks_model import KINDS

    kinds = list(only)
    rest: list[str] = []
    for word in services:
        (kinds if word in KINDS and only else rest).append(word)
    return kinds, rest
