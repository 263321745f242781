"""`devenv deploy --env ENV [--context CTX] [--secrets FILE] [--tag TAG] [--timeout SECONDS]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from devenv.cli.options import ContextOption, EnvOption
from devenv.cli.state import CURRENT

HELP = """Deploy an environment to a cluster, wait until it really runs, roll back on failure.

\b
Renders the environment (as `devenv export k8s`) with every built image pinned by the
digest `devenv build --push` recorded, and the Secret's values from --secrets FILE
(KEY=value lines) or the process environment: they go to the API server only, never to
disk, never to the output. Applies it (server-side apply, your kubeconfig's context),
waits for every Deployment, StatefulSet and Job, then GETs each service's health path
through its Service. If anything fails or times out, every workload goes back to the
last deployed release, and devenv exits 1 naming the workload, with its events and
last log lines. Each deploy is recorded in the cluster: `devenv history`.

\b
Examples:
  devenv deploy --env staging --secrets .env.staging
  devenv deploy --env production --context prod-eu --timeout 600
"""


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command("deploy", help=HELP)
    def deploy_command(
        env: EnvOption,
        context: ContextOption = None,
        secrets: Annotated[
            Path | None,
            typer.Option(
                "--secrets", help="File of KEY=value secret values (default: the environment).", show_default=False
            ),
        ] = None,
        tag: Annotated[
            str | None, typer.Option("--tag", help="Image tag (default: the work tree's).", show_default=False)
        ] = None,
        timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the rollout.")] = 300,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.deliver.deploy import deploy

        emit(deploy(CURRENT.load(), env, context=context, secrets_file=secrets, tag=tag, timeout=timeout))
