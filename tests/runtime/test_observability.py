"""The dashboard's URL: a pinned port from devenv.yaml, else the host port the engine picked."""

from __future__ import annotations

import pytest

from devenv.errors import UsageError
from devenv.render.compose import render_compose
from devenv.runtime.engine import ContainerState
from devenv.runtime.observability import dashboard_url
from devenv.runtime.plan import desired_from_compose
from devenv.runtime.status import status_rows
from devenv.spec.loader import load_project

SPEC = "name: shop\nservices:\n  api: {image: ghcr.io/acme/api:1, port: 8000}\n"


class Listed:
    """An engine that lists these containers (dashboard_url asks nothing else)."""

    def __init__(self, *containers: ContainerState) -> None:
        self.listed = list(containers)

    def containers(self, project: str) -> list[ContainerState]:
        return self.listed


def dashboard(state: str = "running", ports: tuple[int, ...] = (49153,)) -> ContainerState:
    return ContainerState("devenv-dashboard", "shop-devenv-dashboard-1", "c1", state, "healthy", None, {}, ports)


def test_a_pinned_port_needs_no_engine(make_project) -> None:
    project = load_project(make_project(SPEC + "observability: {port: 18888}\n"), environ={})
    assert dashboard_url(project, engine=None) == "http://localhost:18888/"


def test_else_the_port_the_engine_picked(make_project) -> None:
    project = load_project(make_project(SPEC), environ={})
    assert dashboard_url(project, Listed(dashboard())) == "http://localhost:49153/"  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="not running"):
        dashboard_url(project, Listed(dashboard(state="exited", ports=())))  # type: ignore[arg-type]
    desired = desired_from_compose(render_compose(project).data)
    rows = {row.service: row for row in status_rows(desired, [dashboard()])}
    assert rows["devenv-dashboard"].urls == ["http://localhost:49153"]
    assert rows["devenv-dashboard"].role == "dashboard"


def test_off_is_a_usage_error(make_project) -> None:
    project = load_project(make_project(SPEC + "observability: false\n"), environ={})
    with pytest.raises(UsageError, match="the dashboard is off"):
        dashboard_url(project)
