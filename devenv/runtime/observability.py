"""Where the running dashboard's page is: its fixed port, or the one the engine picked."""

from __future__ import annotations

from devenv.errors import UsageError
from devenv.project import Project
from devenv.render.observability import DASHBOARD, dashboard_settings
from devenv.runtime.engine import Engine


def dashboard_url(project: Project, engine: Engine | None = None) -> str:
    """The page's URL; asks the engine only when devenv.yaml pins no port.

    Raises :class:`UsageError` when the dashboard is off, and when it has no container
    running (so no port yet).
    """
    settings = dashboard_settings(project.spec)
    if settings is None:
        raise UsageError(
            f"{project.spec_path.name}: the dashboard is off (observability: false, or no services)",
            hint="remove `observability: false` from devenv.yaml and run `devenv up`",
        )
    if settings.port is not None:
        return f"http://localhost:{settings.port}/"
    engine = engine or Engine.connect()
    for container in engine.containers(project.name):
        if container.service == DASHBOARD and container.state == "running" and container.ports:
            return f"http://localhost:{container.ports[0]}/"
    raise UsageError(
        "the dashboard is not running, so it has no port yet",
        hint="`devenv up` starts it (or pin one: `observability: {port: 18888}` in devenv.yaml)",
    )
