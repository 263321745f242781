"""Plan, then act: `up`'s decisions from desired vs observed state, no Docker."""

from __future__ import annotations

import pytest

from devenv.errors import UsageError
from devenv.render.compose import LABEL_HASH
from devenv.runtime.engine import ContainerState
from devenv.runtime.plan import Desired, closure, plan_up

DESIRED = {
    "db": Desired("db", "dependency", "postgres:16", False, "h-db", (), True),
    "cache": Desired("cache", "dependency", "redis:7", False, "h-cache", (), True),
    "api": Desired("api", "service", "shop-api:dev", True, "h-api", ("db", "cache"), True),
    "web": Desired("web", "service", "shop-web:dev", True, "h-web", ("api",), False),
}


def container(service: str, state: str = "running", config_hash: str | None = None) -> ContainerState:
    return ContainerState(
        service=service,
        name=f"shop-{service}-1",
        id=service,
        state=state,
        health="healthy" if state == "running" else None,
        exit_code=0 if state == "exited" else None,
        labels={LABEL_HASH: config_hash if config_hash is not None else f"h-{service}"},
    )


def verbs(plan) -> dict[str, str]:
    return {a.service: ("build+" if a.build else "") + a.verb for a in plan.actions}


def test_fresh_project_builds_and_creates_everything_in_start_order():
    plan = plan_up(DESIRED, [], images_present=set())
    assert [a.service for a in plan.actions] == ["db", "cache", "api", "web"]
    assert verbs(plan) == {"db": "create", "cache": "create", "api": "build+create", "web": "build+create"}
    assert plan.to_build == ["api", "web"]


def test_everything_running_and_built_is_kept():
    observed = [container(n) for n in DESIRED]
    plan = plan_up(DESIRED, observed, images_present={"shop-api:dev", "shop-web:dev"})
    assert set(verbs(plan).values()) == {"keep"}
    assert not plan.changes_anything


def test_changed_spec_recreates_only_that_service():
    observed = [container(n) for n in DESIRED]
    observed[2] = container("api", config_hash="old")
    plan = plan_up(DESIRED, observed, images_present={"shop-api:dev", "shop-web:dev"})
    assert verbs(plan)["api"] == "recreate"
    assert verbs(plan)["db"] == "keep"


def test_stopped_containers_are_started():
    observed = [container("db", "exited"), container("cache")]
    plan = plan_up(DESIRED, observed, images_present=set(), selected=["db"])
    assert verbs(plan) == {"db": "start"}


def test_force_build_rebuilds_and_recreates_built_services_only():
    observed = [container(n) for n in DESIRED]
    plan = plan_up(DESIRED, observed, images_present={"shop-api:dev", "shop-web:dev"}, force_build=True)
    assert verbs(plan) == {"db": "keep", "cache": "keep", "api": "build+recreate", "web": "build+recreate"}


def test_selected_service_brings_its_dependencies():
    assert closure(DESIRED, ["api"]) == ["db", "cache", "api"]
    assert closure(DESIRED, ["web"]) == ["db", "cache", "api", "web"]


def test_unknown_selected_service_is_a_usage_error():
    with pytest.raises(UsageError, match="no service or dependency named 'nope'"):
        plan_up(DESIRED, [], set(), selected=["nope"])


def test_orphans_are_reported():
    plan = plan_up(DESIRED, [container("old")], set())
    assert plan.orphans == ["old"]


def test_barrier_services_are_not_acted_on():
    desired = dict(DESIRED)
    desired["fixtures-seeded"] = Desired("fixtures-seeded", "barrier", "i", False, "h", ("db",), False)
    plan = plan_up(desired, [], images_present=set())
    assert "fixtures-seeded" not in plan.services
    assert "db" in plan.services


def test_hidden_mount_points_are_host_paths_inside_bind_mounts(tmp_path):
    from devenv.runtime.up import hidden_mount_points

    data = {
        "services": {
            "web": {
                "volumes": [
                    {"type": "bind", "source": "./services/web", "target": "/app"},
                    {"type": "tmpfs", "target": "/app/node_modules"},
                    {"type": "tmpfs", "target": "/cache"},
                ]
            },
            "db": {"volumes": ["db-data:/var/lib/postgresql/data"]},
        }
    }
    assert hidden_mount_points(data, tmp_path) == [tmp_path / "services/web/node_modules"]
