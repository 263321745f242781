"""`devenv build [SERVICE...] [--push] [--allow-dirty]`."""

from __future__ import annotations

from typing import Annotated

import typer

from devenv.cli.state import CURRENT

HELP = """Build the production images (the Dockerfiles' prod stage), tagged with the git commit.

\b
Each built service becomes <images.registry>/<project>-<service>:<commit>, through the
same mirror and CA settings as local builds. --push pushes it and records its digest in
.devenv/images.json, where `devenv deploy` reads it. A tag names one commit: a work tree
with uncommitted changes needs --allow-dirty and gets <commit>-dirty-<hash>.

\b
Examples:
  devenv build --push            # every built service
  devenv build api --push
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("build", help=HELP)
    def build_command(
        services: Annotated[
            list[str] | None, typer.Argument(help="Services to build (default: all built ones).")
        ] = None,
        push: Annotated[bool, typer.Option("--push", help="Push each image and record its digest.")] = False,
        allow_dirty: Annotated[
            bool, typer.Option("--allow-dirty", help="Build uncommitted changes (tag <commit>-dirty-<hash>).")
        ] = False,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.deliver.images import build_images

        emit(build_images(CURRENT.load(), services or None, push=push, allow_dirty=allow_dirty))
