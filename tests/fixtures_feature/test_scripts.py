"""The seeding scripts: valid POSIX sh, safe to embed in YAML, same file rules as Python."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from devenv.fixtures.scripts import REDIS_JSON_LUA, SCRIPTS, script_digest


@pytest.mark.parametrize("kind", sorted(SCRIPTS))
def test_script_is_plain_text_for_a_yaml_block(kind):
    script = SCRIPTS[kind]
    assert script.startswith("#!/bin/sh\n")
    assert "\t" not in script
    assert [n for n, line in enumerate(script.splitlines(), 1) if line != line.rstrip()] == []


@pytest.mark.parametrize("shell", ["sh", "dash", "bash", "busybox"])
@pytest.mark.parametrize("kind", sorted(SCRIPTS))
def test_script_parses_in_posix_shells(kind, shell, tmp_path):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} not installed")
    path = tmp_path / f"{kind}.sh"
    path.write_text(SCRIPTS[kind])
    argv = [shell, "sh", "-n", str(path)] if shell == "busybox" else [shell, "-n", str(path)]
    proc = subprocess.run(argv, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_lua_fits_in_single_quotes():
    assert "'" not in REDIS_JSON_LUA


def test_scripts_pick_the_same_files_as_python():
    assert "*.sql|*.csv) ;;" in SCRIPTS["postgres"]
    assert "*.redis|*.json) ;;" in SCRIPTS["redis"]
    assert "for name in definitions.json; do" in SCRIPTS["rabbitmq"]
    for script in SCRIPTS.values():
        assert "export LC_ALL=C" in script and "ls -A \"$dir\" 2>/dev/null | sort" in script
        assert "case $name in .*) continue" in script or "definitions.json" in script


def test_postgres_table_name_rule_matches_python():
    # the shell drops the same ordering prefix as formats.table_name
    assert "sed 's/^[0-9][0-9]*[_-]//'" in SCRIPTS["postgres"]


def test_script_digest_changes_with_the_script():
    assert len({script_digest(kind) for kind in SCRIPTS}) == 3
