"""What status/up/seed remember between runs: file checksums and a dependency's records (pure, on disk)."""

from __future__ import annotations

import hashlib
import os

import pytest

from devenv.fixtures.cache import Checksums, Records, cache_dir, forget_records


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cache_lives_in_the_users_cache_directory_not_the_project(tmp_path):
    assert cache_dir() == tmp_path / "cache" / "devenv"


def test_a_file_is_hashed_again_only_when_it_changes(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    data = root / "users.csv"
    data.write_text("id\n1\n")
    calls = []

    def counting(path):
        calls.append(path)
        return sha(path)

    first = Checksums(root, "p")
    assert first.of(data, counting) == sha(data) and len(calls) == 1
    first.save()
    again = Checksums(root, "p")
    assert again.of(data, counting) == sha(data) and len(calls) == 1  # remembered across runs
    data.write_text("id\n1\n2\n")
    assert again.of(data, counting) == sha(data) and len(calls) == 2  # size changed
    stat = data.stat()
    data.write_text("id\n1\n3\n")  # same size
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert again.of(data, counting) == sha(data) and len(calls) == 3


def test_records_are_remembered_under_their_key_and_forgotten_on_request(tmp_path):
    records = Records(tmp_path, "p")
    assert records.get("db", "k1") is None
    records.put("db", "k1", {"a.sql": "x"})
    records.put("cache", "k2", {"b.redis": "y"})
    assert Records(tmp_path, "p").get("db", "k1") == {"a.sql": "x"}
    assert Records(tmp_path, "p").get("db", "k-other") is None  # another container or seed run
    forget_records(tmp_path, "p", ["db"])
    assert Records(tmp_path, "p").get("db", "k1") is None and Records(tmp_path, "p").get("cache", "k2") is not None
    forget_records(tmp_path, "p")
    assert Records(tmp_path, "p").get("cache", "k2") is None


def test_a_broken_cache_file_is_an_empty_cache(tmp_path):
    records = Records(tmp_path, "p")
    records.path.parent.mkdir(parents=True, exist_ok=True)
    records.path.write_text("{not json")
    assert Records(tmp_path, "p").get("db", "k") is None
    Records(tmp_path, "p").put("db", "k", {})
    assert Records(tmp_path, "p").get("db", "k") == {}
