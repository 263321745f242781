"""`devenv trust`."""

from __future__ import annotations

import typer

HELP = """Trust devenv's local CA (the router's https:// names) in the system store and the browsers.

\b
The system store is /usr/local/share/ca-certificates (update-ca-certificates, through
sudo when not root); Chromium's ~/.pki/nssdb and each Firefox profile through
certutil (Debian: libnss3-tools). The CA is created on first use, once per user.

\b
Examples:
  devenv trust
  devenv trust --uninstall
  devenv trust --print-ca > devenv-ca.pem
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("trust", help=HELP)
    def trust_command(
        uninstall: bool = typer.Option(False, "--uninstall", help="Remove the CA from the trust stores."),
        print_ca: bool = typer.Option(False, "--print-ca", help="Write the CA certificate (PEM) to stdout."),
    ) -> None:
        from devenv.cli.output import emit
        from devenv.errors import UsageError
        from devenv.router import trust

        if uninstall and print_ca:
            raise UsageError("--uninstall and --print-ca exclude each other")
        if print_ca:
            emit(trust.print_ca())
        elif uninstall:
            emit(trust.uninstall())
        else:
            emit(trust.install())
