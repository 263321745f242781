from devenv.runtime.engine import ContainerState, exit_code_from_status, health_from_status
from devenv.runtime.plan import Desired
from devenv.runtime.status import is_ready, status_rows, urls


def c(service, state="running", health=None, exit_code=None):
    return ContainerState(service, f"p-{service}-1", service, state, health, exit_code, {})


def test_engine_status_text_parsing():
    assert health_from_status("Up 3 seconds (health: starting)") == "starting"
    assert health_from_status("Up 1 minute (healthy)") == "healthy"
    assert health_from_status("Up 1 minute (unhealthy)") == "unhealthy"
    assert health_from_status("Up 1 minute") is None
    assert exit_code_from_status("Exited (137) 2 seconds ago") == 137
    assert exit_code_from_status("Up 2 seconds") is None


def test_readiness_rules():
    with_health = Desired("api", "service", "i", True, "h", (), True)
    without = Desired("w", "service", "i", True, "h", (), False)
    oneshot = Desired("seed", "oneshot", "i", False, "h", (), False)
    assert not is_ready(with_health, [])
    assert not is_ready(with_health, [c("api", health="starting")])
    assert is_ready(with_health, [c("api", health="healthy")])
    assert is_ready(without, [c("w")])
    assert not is_ready(without, [c("w", "exited", exit_code=1)])
    assert is_ready(oneshot, [c("seed", "exited", exit_code=0)])
    assert not is_ready(oneshot, [c("seed", "exited", exit_code=3)])


def test_urls_for_services_and_dependencies():
    api = Desired("api", "service", "i", True, "h", (), True, ports=("127.0.0.1:8000:8000",))
    db = Desired("db", "dependency", "i", False, "h", (), True, ports=("127.0.0.1:5432:5432",))
    assert urls(api) == ["http://localhost:8000"]
    assert urls(db) == ["localhost:5432"]  # no kind known: host and port
    typed = Desired("db", "dependency", "i", False, "h", (), True, ports=("127.0.0.1:15432:5432",), kind="postgres",
                    project="my-shop")  # fmt: skip
    assert urls(typed) == ["postgresql://devenv:devenv@localhost:15432/my_shop"]  # what psql takes, from its kind


def test_desired_knows_a_dependencys_kind_and_the_project():
    from devenv.runtime.plan import desired_from_compose

    data = {"name": "p", "services": {"db": {"image": "x", "labels": {"dev.devenv.role": "dependency",
            "dev.devenv.kind": "redis"}}, "db-seed": {"image": "x", "labels": {"dev.devenv.role": "oneshot",
            "dev.devenv.kind": "redis"}}}}  # fmt: skip
    desired = desired_from_compose(data)
    assert (desired["db"].kind, desired["db"].project) == ("redis", "p") and desired["db-seed"].kind is None


def test_rows_include_missing_and_orphans():
    desired = {"api": Desired("api", "service", "i", True, "h", (), True, ports=("127.0.0.1:8000:8000",))}
    rows = status_rows(desired, [c("gone")])
    assert [(r.service, r.role, r.state, r.ready) for r in rows] == [
        ("api", "service", "missing", False),
        ("gone", "orphan", "running", False),
    ]
