"""`devenv import [-f FILE ...] [--force]`."""

from __future__ import annotations

from typing import Annotated

import typer

from devenv.cli.state import CURRENT

HELP = """Bring an existing Compose project in: write devenv.yaml from its compose files.

\b
Compose itself reads the files (`docker compose config`: default names and override
files, .env interpolation, extends, include, every profile). Images of known kinds
become dependencies, built services keep their context, Dockerfile, target and build
args, the rest keep their image; what the spec has no field for is kept as raw compose
keys (`compose:`). The report names, per service, what it became, every key kept raw,
what devenv adds, what the Kubernetes export will not carry, and any setting Compose
reads otherwise from the generated file (a self-check). The original compose files are
renamed (docker-compose.yml -> docker-compose.original.yml) so Compose no longer picks
them up, and the generated docker-compose.yml takes their place.

\b
Examples:
  devenv import                          # compose.yaml / docker-compose.yml (+ override)
  devenv import -f compose.yaml -f compose.dev.yaml
  devenv -C ../shop import --force       # replace an existing devenv.yaml
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("import", help=HELP)
    def import_command(
        files: Annotated[
            list[str] | None,
            typer.Option(
                "--file",
                "-f",
                metavar="FILE",
                help="A compose file (repeat for overrides); relative to the project directory.",
            ),
        ] = None,
        force: Annotated[bool, typer.Option("--force", help="Replace an existing devenv.yaml.")] = False,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.errors import DevenvError
        from devenv.importer.run import import_project

        try:
            emit(import_project(CURRENT.root, files or [], force=force))
        except DevenvError:
            raise
        except Exception as exc:  # a project nobody foresaw: one line, not a traceback (re-raised)
            raise DevenvError(
                f"devenv import failed on this project: {type(exc).__name__}: {exc}",
                hint="nothing was written unless the report says so; `devenv --debug import` shows where, "
                "please report it",
            ) from exc
