"""Options several commands share, declared once (typer reads them from the annotations)."""

from __future__ import annotations

from typing import Annotated

import typer

EnvOption = Annotated[str, typer.Option("--env", "-e", help="Environment under 'environments' in devenv.yaml.")]
ContextOption = Annotated[
    str | None, typer.Option("--context", help="kubeconfig context (default: the current one).")
]
