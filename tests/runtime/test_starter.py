"""Which service `up` starts next (pure): depends_on conditions against observed containers."""

from __future__ import annotations

from devenv.runtime.engine import ContainerState
from devenv.runtime.plan import desired_from_compose
from devenv.runtime.starter import StartOrder, condition_met

COMPOSE = {
    "services": {
        "db": {"image": "postgres", "healthcheck": {}, "labels": {"dev.devenv.role": "dependency"}},
        "db-seed": {
            "image": "postgres",
            "depends_on": {"db": {"condition": "service_healthy"}},
            "labels": {"dev.devenv.role": "oneshot"},
        },
        "api": {
            "image": "api",
            "healthcheck": {},
            "depends_on": {
                "db": {"condition": "service_healthy"},
                "db-seed": {"condition": "service_completed_successfully"},
            },
            "labels": {"dev.devenv.role": "service"},
        },
        "web": {"image": "web", "depends_on": ["api"], "labels": {"dev.devenv.role": "service"}},
    }
}
ORDER = ["db", "db-seed", "api", "web"]


def box(service: str, state: str, health: str | None = None, code: int | None = None) -> ContainerState:
    return ContainerState(service, f"p-{service}-1", f"id-{service}", state, health, code, {})


def test_conditions_are_read_from_the_compose_data():
    desired = desired_from_compose(COMPOSE)
    assert desired["api"].conditions == (("db", "service_healthy"), ("db-seed", "service_completed_successfully"))
    assert desired["web"].conditions == (("api", "service_started"),)


def test_services_start_in_waves_as_their_dependencies_become_ready():
    desired = desired_from_compose(COMPOSE)
    order = StartOrder(desired, ORDER)
    created = [box(name, "created") for name in ORDER]
    assert order.due(created) == ["db"]
    order.started.add("db")
    starting = [box("db", "running", "starting"), *created[1:]]
    assert order.due(starting) == []  # the database is not healthy yet
    healthy = [box("db", "running", "healthy"), *created[1:]]
    assert order.due(healthy) == ["db-seed"]
    order.started.add("db-seed")
    seeding = [box("db", "running", "healthy"), box("db-seed", "running"), *created[2:]]
    assert order.due(seeding) == []
    seeded = [box("db", "running", "healthy"), box("db-seed", "exited", code=0), *created[2:]]
    assert order.due(seeded) == ["api"]
    order.started.add("api")
    assert order.due([*seeded[:2], box("api", "running", "starting"), created[3]]) == ["web"]  # service_started


def test_a_stale_one_shot_exit_does_not_count_until_this_up_started_it():
    desired = desired_from_compose(COMPOSE)
    order = StartOrder(desired, ORDER)
    order.started.add("db")
    old = [box("db", "running", "healthy"), box("db-seed", "exited", code=0), box("api", "created")]
    assert order.due(old) == ["db-seed"]  # api waits: the exit 0 is from an earlier `up`
    assert not condition_met("service_completed_successfully", desired["db-seed"], [old[1]], started=False)
    failed = [box("db-seed", "exited", code=1)]
    assert not condition_met("service_completed_successfully", desired["db-seed"], failed, started=True)


def test_running_services_are_kept_and_one_shots_run_again():
    desired = desired_from_compose(COMPOSE)
    order = StartOrder(desired, ORDER)
    order.keep_running([box("db", "running", "healthy"), box("db-seed", "exited", code=0), box("web", "exited", 0)])
    assert order.started == {"db"}
    assert [c.id for c in order.to_start("db-seed", [box("db-seed", "exited", code=0)])] == ["id-db-seed"]
    assert order.to_start("db", [box("db", "running", "healthy")]) == []
