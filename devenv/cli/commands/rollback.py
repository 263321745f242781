"""`devenv rollback --env ENV [--to REVISION] [--context CTX] [--timeout SECONDS]`."""

from __future__ import annotations

from typing import Annotated

import typer

from devenv.cli.options import ContextOption, EnvOption
from devenv.cli.state import CURRENT

HELP = """Put an environment back on a recorded release, with the same waiting and checks as deploy.

\b
Default: the deployed release before the current one; --to names a revision of
`devenv history`.

\b
Examples:
  devenv rollback --env staging
  devenv rollback --env staging --to 3
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("rollback", help=HELP)
    def rollback_command(
        env: EnvOption,
        to: Annotated[int | None, typer.Option("--to", help="Revision to go back to.", show_default=False)] = None,
        context: ContextOption = None,
        timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the rollout.")] = 300,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.deliver.deploy import rollback

        emit(rollback(CURRENT.load(), env, context=context, to=to, timeout=timeout))
