"""`devenv add service NAME --template T` and `devenv add dependency KIND`."""

from __future__ import annotations

from typing import Annotated

import typer

from devenv import kinds
from devenv.cli.state import CURRENT

HELP = """Add a service made from a template, or a dependency, to the project."""

SERVICE_HELP = """Scaffold services/NAME from a template (Copier) and add it to devenv.yaml
with its port, health path, test command and dependencies; dependencies the template
needs and the project lacks are added too. devenv.yaml keeps its comments and order.

\b
Examples:
  devenv add service api --template backend        # FastAPI; adds postgres if missing
  devenv add service worker --template worker --queue rabbitmq
  devenv add service web --template frontend       # Vite + React; proxies /api to api
"""

KINDS = "\n".join(f"  {kind.name:10} {kind.summary}" for kind in kinds.kinds().values())
DEPENDENCY_HELP = f"""Add a dependency of one of these kinds to devenv.yaml:

\b
{KINDS}

\b
Examples:
  devenv add dependency postgres
  devenv add dependency redis --name cache --version 7
"""


def register(app: typer.Typer) -> None:
    """Add the `add` command group to ``app``."""
    group = typer.Typer(help=HELP, no_args_is_help=True, rich_markup_mode=None)

    @group.command("service", help=SERVICE_HELP)
    def add_service_command(
        name: Annotated[str, typer.Argument(help="Service name (DNS label); code goes to services/NAME.")],
        template: Annotated[str, typer.Option("--template", "-t", help="backend, frontend or worker.")],
        port: Annotated[
            int | None, typer.Option("--port", min=1, max=65535, help="Container port; default per template.")
        ] = None,
        host_port: Annotated[
            int | None, typer.Option("--host-port", min=1, max=65535, help="Host port of a public service.")
        ] = None,
        queue: Annotated[str | None, typer.Option("--queue", help="worker: redis (default) or rabbitmq.")] = None,
        backend: Annotated[
            str | None, typer.Option("--backend", help="frontend: the service /api goes to; default: the backend.")
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Overwrite an existing directory or devenv.yaml entry.")
        ] = False,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.events import Event, Message, Warning
        from devenv.scaffold.add import add_service

        result = add_service(
            CURRENT.root, name, template, port=port, host_port=host_port, queue=queue, backend=backend, force=force
        )
        depends = f", depends on {', '.join(result.depends_on)}" if result.depends_on else ""
        events: list[Event] = [
            Message(f"created {result.path} from the {result.template} template (version {result.version})"),
            *(Message(f"added dependency {dep} ({kind})") for dep, kind in result.dependencies_added.items()),
            Message(f"added service {name}{depends}"),
        ]
        if result.host_port:
            events.append(
                Message(f"{name}: host port {result.host_port} (the container port is published by another service)")
            )
        events += [Message(f"{other} now depends on {target}") for other, target in result.wired.items()]
        events += [Warning(warning) for warning in result.warnings]
        events.append(Message("next: devenv up"))
        emit(events)

    @group.command("dependency", help=DEPENDENCY_HELP)
    def add_dependency_command(
        kind: Annotated[str, typer.Argument(help="A kind (listed above).")],
        name: Annotated[str | None, typer.Option("--name", help="Name in devenv.yaml; default: the kind.")] = None,
        version: Annotated[
            str | None, typer.Option("--version", help="Major version (image tag); default per kind.")
        ] = None,
        host_port: Annotated[
            int | None, typer.Option("--host-port", min=1, max=65535, help="Publish on 127.0.0.1 for local tools.")
        ] = None,
    ) -> None:
        from devenv.cli.output import emit
        from devenv.events import Message
        from devenv.scaffold.add import add_dependency

        result = add_dependency(CURRENT.root, kind, name, version=version, host_port=host_port)
        emit([Message(f"added dependency {result.name} ({kind})")])

    app.add_typer(group, name="add")
