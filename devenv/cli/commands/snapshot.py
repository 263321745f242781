"""`devenv snapshot save|restore|list|rm`."""

from __future__ import annotations

import textwrap
from typing import Annotated

import typer

from devenv import kinds
from devenv.cli.state import CURRENT


def _kind_lines() -> str:
    lines = []
    for kind in kinds.kinds().values():
        if kind.snapshots:
            text = textwrap.wrap(kind.snapshot_description, width=62)
            lines.append(f"  {kind.name:10} {text[0]}")
            lines += [f"  {'':10} {line}" for line in text[1:]]
    return "\n".join(lines)


HELP = f"""Save the data of the dependencies under a name; restore it in about a second.

A snapshot lives in each dependency's data volume: outside the project tree, per project.
It survives `devenv down`; only `devenv snapshot rm` or `devenv down --volumes` (which
asks first) delete it. What a snapshot holds, per kind:

\b
{_kind_lines()}

The dependencies must be running (`devenv up`). After a restore, the running services
that depend on a restored dependency are restarted, so they reconnect to the restored
data (--no-restart leaves them). A restore that fails leaves the previous data as it was.

\b
Examples:
  devenv snapshot save before-demo        # every dependency with snapshots
  devenv snapshot save                    # named after the time (UTC): 20250314-093000
  devenv snapshot save clean db           # only db
  devenv snapshot restore before-demo     # then api and worker restart
  devenv snapshot list
  devenv snapshot rm before-demo
"""

SAVE_HELP = """Save the data of the dependencies (default: all with snapshots) as snapshot NAME.

NAME: 1 to 40 lower-case letters, digits and '-' (default: the UTC time, 20250314-093000).
An existing snapshot of that name is kept unless --force.

\b
Examples:
  devenv snapshot save before-demo
  devenv snapshot save before-migration db --force
"""

RESTORE_HELP = """Replace the data of the dependencies by snapshot NAME (the snapshot stays).

Without DEPENDENCY, every dependency that has snapshot NAME is restored. Open
connections to a restored dependency are ended (Redis restarts); the running services
that depend on it are restarted and waited for, unless --no-restart. A restore that
fails leaves the previous data as it was.

\b
Examples:
  devenv snapshot restore before-demo
  devenv snapshot restore before-demo db --no-restart
"""

LIST_HELP = """List the snapshots of the running dependencies: name, dependency, size, time.

\b
Examples:
  devenv snapshot list
  devenv -o json snapshot list | jq -r '.snapshots[].name'
"""

RM_HELP = """Delete snapshot NAME (from every dependency that has it, or those named).

\b
Examples:
  devenv snapshot rm before-demo
  devenv snapshot rm before-demo cache
"""

Dependencies = Annotated[
    list[str] | None,
    typer.Argument(metavar="DEPENDENCY", help="Dependencies (default: every one with snapshots).", show_default=False),
]
Timeout = Annotated[float, typer.Option("--timeout", min=1, help="Seconds allowed per dependency.")]


def register(app: typer.Typer) -> None:
    """Add the `snapshot` command group to ``app``."""
    group = typer.Typer(help=HELP, no_args_is_help=True, rich_markup_mode=None)

    @group.command("save", help=SAVE_HELP, short_help="Save the dependencies' data as snapshot NAME.")
    def save_command(
        name: Annotated[str | None, typer.Argument(metavar="NAME", help="Snapshot name.", show_default=False)] = None,
        dependencies: Dependencies = None,
        force: Annotated[bool, typer.Option("--force", "-f", help="Replace a snapshot of that name.")] = False,
        timeout: Timeout = 600.0,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.snapshots.runtime import save

        emit(save(CURRENT.load(), name, dependencies or [], force=force, timeout=timeout))

    @group.command("restore", help=RESTORE_HELP, short_help="Put snapshot NAME's data back.")
    def restore_command(
        name: Annotated[
            str, typer.Argument(metavar="NAME", help="Snapshot name (`devenv snapshot list`).", show_default=False)
        ],
        dependencies: Dependencies = None,
        no_restart: Annotated[
            bool, typer.Option("--no-restart", help="Do not restart the services that use them.")
        ] = False,
        timeout: Timeout = 600.0,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.snapshots.runtime import restore

        emit(restore(CURRENT.load(), name, dependencies or [], restart=not no_restart, timeout=timeout))

    @group.command("list", help=LIST_HELP, short_help="List the snapshots: name, dependency, size, time.")
    def list_command(dependencies: Dependencies = None) -> None:
        from devenv.cli.output import emit
        from devenv.snapshots.runtime import list_snapshots

        emit(list_snapshots(CURRENT.load(), dependencies or []))

    @group.command("rm", help=RM_HELP, short_help="Delete snapshot NAME.")
    def rm_command(
        name: Annotated[str, typer.Argument(metavar="NAME", help="Snapshot name.", show_default=False)],
        dependencies: Dependencies = None,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.snapshots.runtime import remove

        emit(remove(CURRENT.load(), name, dependencies or []))

    app.add_typer(group, name="snapshot")
