"""Valkey: a Redis in all but image and client; Redis's programs run with valkey-cli, never copied."""

from __future__ import annotations

from devenv.kinds import get
from devenv.kinds.programs import ROOT, seed_digest, seed_program
from devenv.kinds.snapshots import program
from tests.kinds.test_seed_scripts import REDIS_CLI, Seed, stub
from tests.kinds.test_snapshots import FakeContext


def test_image_url_and_the_variable_a_service_reads():
    kind = get("valkey")
    assert kind.image(None) == "valkey/valkey:8" and kind.image("7.2") == "valkey/valkey:7.2"
    assert kind.url("cache", "my-shop") == "redis://cache:6379/0"  # Valkey's clients take redis:// too
    assert kind.url_env == "REDIS_URL"  # what a Redis client library reads
    assert kind.host_url(16379, "x") == "redis://localhost:16379/0"
    assert kind.health_command("x") == ["sh", "-c", "valkey-cli -h 127.0.0.1 ping | grep -q PONG"]
    assert kind.data_path == "/data" and kind.cluster == get("redis").cluster
    assert kind.fixtures == get("redis").fixtures and kind.snapshots


def test_runs_the_redis_program_files_without_a_copy():
    assert not (ROOT / "valkey" / "seed.sh").exists()
    assert sorted(p.name for p in (ROOT / "valkey").iterdir() if p.is_file()) == ["__init__.py"]
    assert seed_program("valkey") == seed_program("redis") and seed_digest("valkey") == seed_digest("redis")
    assert get("valkey").program_home == get("redis").program_home == ROOT / "redis"


def test_the_programs_are_told_which_client_to_run():
    assert get("valkey").seed_environment("x", "cache", "127.0.0.1") == {
        "DEVENV_REDIS_HOST": "127.0.0.1",
        "DEVENV_REDIS_PORT": "6379",
        "DEVENV_REDIS_CLI": "valkey-cli",
    }
    assert "DEVENV_REDIS_CLI" not in get("redis").seed_environment("x", "cache", "127.0.0.1")
    assert get("valkey").records_command("x", "cache") == (["valkey-cli", "--raw", "HGETALL", "devenv:fixtures"], {})


def test_snapshots_run_the_redis_snapshot_program_with_valkey_cli():
    kind = get("valkey")
    ctx = FakeContext()
    kind.snapshot_remove(ctx, "s1")
    ((argv, stdin, env),) = ctx.calls
    assert argv[-2:] == ["remove", "s1"] and stdin == program(ROOT / "redis", "snapshot.sh")
    assert env == {
        "DEVENV_SNAPSHOTS": "/data/devenv-snapshots",
        "DEVENV_REDIS_PORT": "6379",
        "DEVENV_REDIS_CLI": "valkey-cli",
    }


def test_seed_script_runs_valkey_cli(tmp_path):
    seed = Seed("valkey", tmp_path, ["sh"])
    stub(seed.bin, "valkey-cli", REDIS_CLI)  # no redis-cli on PATH: only valkey-cli answers
    seed.write({"001_flags.redis": "SET feature:x on\n"})
    proc = seed.run(**get("valkey").seed_environment("x", "cache", "127.0.0.1"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        "devenv-seed: applied 001_flags.redis (1 command)",
        "devenv-seed: done: 1 applied, 0 unchanged",
    ]
    assert seed.logged()[0]["pipe"][:2] == ["MULTI", "SET feature:x on"]
