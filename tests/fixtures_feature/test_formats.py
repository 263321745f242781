"""Which files a kind loads, in which order; table names from CSV names; checksums; counts."""

from __future__ import annotations

import hashlib

from devenv.fixtures.formats import (
    FixtureCount,
    accepts,
    checksum,
    count,
    fixture_files,
    kind_of_file,
    misplaced,
)
from devenv.kinds.postgres import table_name


def test_each_kind_loads_its_own_formats():
    assert accepts("postgres", "001_schema.sql") and accepts("postgres", "users.csv")
    assert not accepts("postgres", "a.json") and not accepts("postgres", "a.redis")
    assert accepts("redis", "flags.redis") and accepts("redis", "catalog.json")
    assert accepts("rabbitmq", "definitions.json") and not accepts("rabbitmq", "other.json")
    assert not accepts("postgres", ".hidden.sql")


def test_files_are_applied_in_bytewise_name_order(tmp_path):
    for name in ("b.sql", "010_users.csv", "01_a.sql", "A.sql", "_x.sql", "README.md", ".skip.sql", "z.json"):
        (tmp_path / name).write_text("x")
    (tmp_path / "sub.sql").mkdir()  # a directory is not a fixture
    assert fixture_files("postgres", tmp_path) == ["010_users.csv", "01_a.sql", "A.sql", "_x.sql", "b.sql"]
    assert fixture_files("redis", tmp_path) == ["z.json"]
    assert fixture_files("postgres", tmp_path / "missing") == []


def test_misplaced_files_are_fixtures_of_another_kind(tmp_path):
    for name in ("a.sql", "b.redis", "c.json", "notes.txt", ".x.sql"):
        (tmp_path / name).write_text("x")
    assert misplaced("postgres", tmp_path) == ["b.redis", "c.json"]
    assert misplaced("redis", tmp_path) == ["a.sql"]
    assert misplaced("rabbitmq", tmp_path) == ["a.sql", "b.redis", "c.json"]
    assert kind_of_file("a.sql") == "postgres" and kind_of_file("definitions.json") == "rabbitmq"
    assert kind_of_file("x.json") == "redis" and kind_of_file("notes.txt") is None


def test_table_name_drops_an_ordering_prefix():
    assert table_name("users.csv") == "users"
    assert table_name("010_users.csv") == "users"
    assert table_name("2-order_items.csv") == "order_items"
    assert table_name("010_app.users.csv") == "app.users"
    assert table_name("2024_stats.csv") == "stats"  # documented: a leading number is an ordering prefix
    assert table_name("010_.csv") == ""


def test_checksum_is_sha256_of_the_bytes(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"id\n1\n" * 300_000)
    assert checksum(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_count_compares_local_and_recorded_checksums():
    files = {"a.sql": "1", "b.csv": "2", "c.sql": "3"}
    assert count(files, {"a.sql": "1", "b.csv": "old", "gone.sql": "9"}) == FixtureCount(
        applied=1, pending=2, pending_files=("b.csv", "c.sql")
    )
    assert count(files, {}).describe() == "0 applied, 3 pending"
