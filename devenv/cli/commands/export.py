"""`devenv export k8s --env ENV [--out DIR] [--tag TAG] [--format kustomize|plain] [--include-secrets]`."""

from __future__ import annotations

from typing import Annotated

import typer

from devenv.cli.options import EnvOption
from devenv.cli.state import CURRENT

HELP = """Export the spec to what another platform runs.

\b
Examples:
  devenv export k8s --env staging   # Kubernetes: kustomize base + overlay
"""

K8S_HELP = """Write Kubernetes manifests for one environment of devenv.yaml.

\b
Default: a kustomize base (k8s/base/) plus k8s/overlays/ENV/. --format plain writes
one flat directory (k8s/plain/ENV/), or one YAML stream with --out -. Images are
<images.registry>/<project>-<service>:TAG, TAG being the project's git commit unless
--tag says otherwise. Secret values are never written, except with --include-secrets,
which reads them from the git-ignored file .env.ENV.

\b
Examples:
  devenv export k8s --env staging                 # k8s/base + k8s/overlays/staging
  kubectl apply -k k8s/overlays/staging
  devenv export k8s --env production --tag v1.4.2 --format plain --out - | kubectl apply -f -
"""


def register(app: typer.Typer) -> None:
    """Add the ``export`` command group to ``app``."""
    export_app = typer.Typer(help=HELP, no_args_is_help=True, rich_markup_mode=None)

    @export_app.command("k8s", help=K8S_HELP)
    def k8s_command(
        env: EnvOption,
        out: Annotated[
            str | None,
            typer.Option(
                "--out", help="Output directory, or '-' for one stream (plain only). Default: k8s/.", show_default=False
            ),
        ] = None,
        tag: Annotated[
            str | None,
            typer.Option("--tag", help="Image tag; default: the git commit of the project.", show_default=False),
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="kustomize (base + overlay) or plain.")] = "kustomize",
        include_secrets: Annotated[
            bool,
            typer.Option("--include-secrets", help="Also write the Secret, with values from .env.ENV (git-ignored)."),
        ] = False,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.events import Event, Manifests, Message, Warning
        from devenv.export import export_k8s

        result = export_k8s(CURRENT.load(), env, out=out, tag=tag, fmt=fmt, include_secrets=include_secrets)
        events: list[Event] = [Warning(warning) for warning in result.warnings]
        if result.stream is not None:
            events.append(Manifests(result.stream))
        else:
            changed = len(result.written)
            events.append(
                Message(
                    f"exported '{env}' (tag {result.tag}) to {result.out}: "
                    f"{changed} file{'s' if changed != 1 else ''} written, {len(result.files) - changed} unchanged"
                    + (f", {len(result.removed)} stale removed" if result.removed else "")
                )
            )
            if fmt == "kustomize" and result.out is not None:
                events.append(Message(f"apply with: kubectl apply -k {result.out / 'overlays' / env}"))
        emit(events)

    app.add_typer(export_app, name="export")
