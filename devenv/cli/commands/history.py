"""`devenv history --env ENV [--context CTX]`."""

from __future__ import annotations

import typer

from devenv.cli.options import ContextOption, EnvOption
from devenv.cli.state import CURRENT

HELP = """List the recorded deploys of an environment: revision, commit, time, status.

\b
Examples:
  devenv history --env staging
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("history", help=HELP)
    def history_command(
        env: EnvOption,
        context: ContextOption = None,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.deliver.deploy import history

        emit(history(CURRENT.load(), env, context=context))
