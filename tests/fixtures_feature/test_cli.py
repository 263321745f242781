"""`devenv seed` as a command (no engine needed for these)."""

from __future__ import annotations


def test_seed_help_lists_reset(cli):
    code, out, _ = cli("seed", "--help")
    assert code == 0
    assert "--reset" in out and "devenv seed db --reset" in out


def test_seed_is_a_listed_command(cli):
    code, out, _ = cli("--help")
    assert code == 0 and "seed" in out


def test_seed_without_fixtures_is_a_usage_error(cli, make_project):
    root = make_project("name: p\ndependencies:\n  db: {kind: postgres}\n")
    code, _, err = cli("-C", root, "seed")
    assert code == 2
    assert "error: devenv.yaml has no 'fixtures'" in err
    assert "hint:" in err


def test_seed_of_a_dependency_without_fixtures(cli, make_project):
    root = make_project("name: p\ndependencies:\n  db: {kind: postgres}\n  c: {kind: redis}\nfixtures:\n  db: f\n")
    (root / "f").mkdir()
    code, _, err = cli("-C", root, "seed", "c")
    assert code == 2
    assert "error: dependency 'c' has no fixtures" in err
