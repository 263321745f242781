"""`devenv dashboard [--no-open]`."""

from __future__ import annotations

import typer

HELP = """Open the observability dashboard (traces, logs, metrics of every service) in the browser.

\b
It runs with the environment (`devenv up`) unless devenv.yaml says `observability: false`;
its page is on 127.0.0.1 (port 18888, or `observability: {port: N}`). The URL is printed
either way; docs/observability.md describes the page and its JSON API.

\b
Examples:
  devenv dashboard
  devenv dashboard --no-open
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("dashboard", help=HELP)
    def dashboard_command(
        no_open: bool = typer.Option(False, "--no-open", help="Print the URL only; open no browser."),
    ) -> None:
        import webbrowser

        from devenv.cli.output import emit
        from devenv.cli.state import CURRENT
        from devenv.errors import UsageError
        from devenv.events import Message
        from devenv.render.observability import dashboard_settings

        project = CURRENT.load()
        settings = dashboard_settings(project.spec)
        if settings is None:
            raise UsageError(
                f"{project.spec_path.name}: the dashboard is off (observability: false, or no services)",
                hint="remove `observability: false` from devenv.yaml and run `devenv up`",
            )
        url = f"http://localhost:{settings.port}/"
        emit([Message(url)])
        if not no_open:
            webbrowser.open(url)
