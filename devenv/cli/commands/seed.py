"""`devenv seed [DEPENDENCY...] [--reset]`."""

from __future__ import annotations

from typing import Annotated

import typer

from devenv import kinds
from devenv.cli.state import CURRENT

RESETS = "; ".join(f"{kind.name}: {kind.reset_description}" for kind in kinds.kinds().values())
HELP = f"""Apply pending fixture files now (new or changed since they were applied).

`devenv up` seeds too; this is for files changed while the environment runs.
--reset removes what fixtures made ({RESETS}) and loads everything again.

\b
Examples:
  devenv seed                # every dependency with fixtures
  devenv seed db             # only db
  devenv seed db --reset     # start db's data over from the fixtures
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("seed", help=HELP)
    def seed_command(
        dependencies: Annotated[
            list[str] | None, typer.Argument(help="Dependencies to seed (default: all with fixtures).")
        ] = None,
        reset: Annotated[
            bool, typer.Option("--reset", help="Remove what fixtures created, then load every file again.")
        ] = False,
        timeout: Annotated[float, typer.Option("--timeout", min=1, help="Seconds allowed per dependency.")] = 600.0,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.fixtures.runtime import seed

        emit(seed(CURRENT.load(), dependencies or [], reset=reset, timeout=timeout))
