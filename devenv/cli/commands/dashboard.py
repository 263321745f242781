"""`devenv dashboard [--no-open]`."""

from __future__ import annotations

import typer

HELP = """Open the observability dashboard (traces, logs, metrics of every service) in the browser.

\b
It runs with the environment (`devenv up`) unless devenv.yaml says `observability: false`;
its page is on 127.0.0.1, on a port the engine picks (or `observability: {port: N}`). The
URL is printed either way; docs/observability.md describes the page and its JSON API.

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
        from devenv.events import Message
        from devenv.runtime.observability import dashboard_url

        url = dashboard_url(CURRENT.load())
        emit([Message(url)])
        if not no_open:
            webbrowser.open(url)
