"""The dependency kinds: the registry, and each kind's pure parts (records, reset, names)."""

from __future__ import annotations

import json

import pytest

from devenv import kinds
from devenv.kinds import get
from devenv.kinds.base import DependencyKind
from devenv.kinds.programs import seed_program

# Kinds with an official image, written `{kind: NAME}`; any image (generic) has its own tests.
CATALOG = tuple(name for name in kinds.names() if kinds.get(name).repository)


def test_registry_finds_every_kind_package_in_rank_order():
    assert CATALOG[:3] == ("postgres", "redis", "rabbitmq")
    for name, kind in kinds.kinds().items():
        assert isinstance(kind, DependencyKind) and kind.name == name
        assert (kind.home / "__init__.py").is_file()


@pytest.mark.parametrize("name", CATALOG)
def test_every_kind_implements_the_protocol(name):
    kind = get(name)
    assert kind.image(None) == f"{kind.repository}:{kind.default_version}"
    assert kind.image("9") .endswith(":9")
    assert kind.url("host", "my-shop").count("host") == 1
    assert kind.health_command("my-shop")
    assert kind.summary and kind.url_env and kind.cluster.component
    assert not any("$" in word for word in kind.health_command("my-shop"))  # Compose would interpolate it
    if kind.seeds:  # a kind that loads fixtures has a seeding program and reads its records
        assert kind.fixtures.description and kind.reset_description
        argv, env = kind.records_command("my-shop", "dep")
        assert argv and isinstance(env, dict)
        assert (kind.program_home / "seed.sh").is_file()
        assert "seed.sh" in seed_program(name)
    else:  # nothing to seed: no program, and the spec refuses a fixtures entry (tests/fixtures_feature)
        assert not kind.fixtures.description and not (kind.program_home / "seed.sh").is_file()
    if kind.snapshots:
        assert (kind.program_home / "snapshot").is_dir()


def test_host_url_points_local_tools_at_the_published_port():
    assert get("postgres").host_url(15432, "my-shop") == "postgresql://devenv:devenv@localhost:15432/my_shop"
    assert get("redis").host_url(16379, "x") == "redis://localhost:16379/0"


def test_unknown_kind_is_a_key_error():
    with pytest.raises(KeyError):
        get("mongodb-nope")


def test_reset_arguments_list_declared_queues_and_exchanges(tmp_path):
    (tmp_path / "definitions.json").write_text(
        json.dumps(
            {
                "queues": [{"name": "orders", "vhost": "/"}, {"name": "mail", "vhost": "shop"}, {"nope": 1}],
                "exchanges": [{"name": "events"}, {"name": "amq.topic", "vhost": "/"}],
                "bindings": [{"source": "events", "destination": "orders"}],
            }
        )
    )
    assert get("rabbitmq").reset_arguments(tmp_path) == [
        "queue", "/", "orders", "queue", "shop", "mail", "exchange", "/", "events"
    ]
    assert get("postgres").reset_arguments(tmp_path) == []
    (tmp_path / "definitions.json").write_text("{broken")
    assert get("rabbitmq").reset_arguments(tmp_path) == []


def test_recorded_checksums_are_read_inside_the_dependency():
    argv, env = get("postgres").records_command("my-shop", "db")
    assert argv[:2] == ["psql", "-X"] and "my_shop" in argv and env["PGPASSWORD"] == "devenv"
    assert get("redis").records_command("my-shop", "cache")[0] == ["redis-cli", "--raw", "HGETALL", "devenv:fixtures"]
    assert "rabbit@queue/devenv-fixtures" in get("rabbitmq").records_command("my-shop", "queue")[0][2]
    sha = "a" * 64
    records = get("postgres").parse_records(f"{sha} 001 schema.sql\n{sha} x.csv\nnoise\n")
    assert records == {"001 schema.sql": sha, "x.csv": sha}
    assert get("redis").parse_records(f"a.redis\n{sha}\nb.json\n{sha}\n") == {"a.redis": sha, "b.json": sha}
    params = f'name\tvalue\ndevenv_fixtures\t{{"definitions.json":"{sha}"}}\ninternal_cluster_id\t"x"\n'
    assert get("rabbitmq").parse_records(params) == {"definitions.json": sha}
    assert get("rabbitmq").parse_records(f"{sha} definitions.json\n") == {"definitions.json": sha}
    assert get("rabbitmq").parse_records("name\tvalue\n") == {}




@pytest.mark.parametrize("name", CATALOG)
def test_add_dependency_adds_every_kind_and_help_lists_it(tmp_path, name):
    from devenv.spec.loader import load_project
    from tests.conftest import run_cli

    (tmp_path / "devenv.yaml").write_text("name: shop\n")
    code, out, err = run_cli("-C", tmp_path, "add", "dependency", name, "--name", "dep", "--version", "9")
    assert code == 0, out + err
    dependency = load_project(tmp_path, environ={}).spec.dependencies["dep"]
    assert (dependency.kind, dependency.version) == (name, "9")
    code, out, _ = run_cli("add", "dependency", "--help")
    assert code == 0 and get(name).summary in " ".join(out.split())
