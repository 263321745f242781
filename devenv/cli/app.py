"""The `devenv` command: global flags, command registration, and the one place errors are caught."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from devenv import __version__
from devenv.cli.state import CURRENT


class DevenvGroup(TyperGroup):
    """Catches every :class:`DevenvError` once, prints it in one line, exits 1 or 2."""

    def invoke(self, ctx: Any) -> Any:  # a click Context (typer vendors its own click: no public name for it)
        """Run the command; render a DevenvError (exit 1 or 2) or an interruption (exit 130)."""
        from devenv.errors import DevenvError

        try:
            return super().invoke(ctx)
        except DevenvError as exc:
            from devenv.cli.output import error

            error(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            from devenv.cli.output import interrupted

            interrupted()
            ctx.exit(130)


app = typer.Typer(
    cls=DevenvGroup,
    name="devenv",
    help="Local development environments from one small spec, devenv.yaml.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from devenv.cli.output import say

        say(f"devenv {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    directory: Annotated[
        Path, typer.Option("-C", "--directory", help="Project directory (holds devenv.yaml).", show_default=False)
    ] = Path("."),
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    output: Annotated[
        str,
        typer.Option("--output", "-o", help="auto (rich in a terminal, plain otherwise), rich, plain or json."),
    ] = "auto",
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Local development environments from one small spec, devenv.yaml.

    \b
    Examples:
      devenv up                 # build, start and wait until healthy
      devenv -C examples/shop status
      devenv generate --check   # CI drift check of docker-compose.yml
    """
    if output not in ("auto", "rich", "plain", "json"):
        raise typer.BadParameter("choose auto, rich, plain or json", param_hint="--output")
    CURRENT.root = directory
    CURRENT.debug = debug
    CURRENT.output = output


# Order of commands in --help; any other module in devenv/cli/commands is listed after these.
ORDER = (
    "init", "import_project", "add", "update", "generate", "up", "down", "status", "logs", "seed", "snapshot", "test",
    "export", "build", "deploy", "history", "rollback", "graph", "doctor", "schema",
)


def _register() -> None:
    """Register every command module in devenv.cli.commands (each has ``register(app)``)."""
    import importlib
    import pkgutil

    from devenv.cli import commands

    names = [m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_")]
    names.sort(key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    for name in names:
        importlib.import_module(f"devenv.cli.commands.{name}").register(app)


_register()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `devenv` script."""
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="devenv", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
