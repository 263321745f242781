"""The seeding programs as files: what goes into the container, its digest, and lint by each language's tools.

Every kind's ``seed.sh`` and the shared ``seedlib.sh`` must be POSIX sh (dash, busybox ash and
bash parse them), shellcheck-clean, and free of tabs and trailing blanks; the Lua compiles.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from devenv import kinds
from devenv.kinds import programs
from devenv.kinds.programs import ROOT, program_digest, seed_digest, seed_program
from tests.kinds.seed_helpers import KINDS, SHELLS, shellcheck

SHELL_FILES = sorted(ROOT.glob("*.sh")) + sorted(ROOT.glob("*/*.sh"))
PROGRAM_FILES = sorted(
    {path for kind in KINDS for path in (ROOT / kind).iterdir() if programs._is_program_file(path)}
    | {path for path in ROOT.iterdir() if programs._is_program_file(path) and path.name != "seedlib.sh"}
)


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- seed_program / seed_digest --------------------------------------------------------------


def test_the_three_kinds_have_programs():
    assert set(KINDS) >= {"postgres", "redis", "rabbitmq"}


@pytest.mark.parametrize("kind", KINDS)
def test_program_is_the_kind_directory_without_python_plus_seedlib(kind):
    files = seed_program(kind)
    shared = ("seedlib.sh", *kinds.get(kind).shared_programs) if kind in kinds.names() else ("seedlib.sh",)
    expected = [*sorted(p.name for p in (ROOT / kind).iterdir() if p.is_file() and p.suffix != ".py"), *shared]
    assert list(files) == sorted(expected)  # sorted by name
    assert "seed.sh" in files and "__init__.py" not in files and "__pycache__" not in files
    assert not any(name.endswith((".py", ".pyc")) for name in files)
    assert files["seedlib.sh"] == (ROOT / "seedlib.sh").read_text(encoding="utf-8")
    for name, text in files.items():
        source = ROOT / ("" if name in shared else kind) / name
        assert text.encode("utf-8") == source.read_bytes()  # exactly as stored


@pytest.mark.parametrize("kind", kinds.names())
def test_a_kind_runs_its_own_or_another_kinds_program_plus_the_shared_files_it_names(kind):
    found = kinds.get(kind)
    if not found.seeds:
        return
    files = seed_program(kind)
    home = ROOT / (found.programs_from or kind)
    assert found.program_home == home
    own = sorted(p.name for p in home.iterdir() if programs._is_program_file(p))
    assert sorted(files) == sorted([*own, "seedlib.sh", *found.shared_programs])
    for name in found.shared_programs:  # shared helpers live beside seedlib.sh, once
        assert (ROOT / name).is_file() and files[name] == (ROOT / name).read_text(encoding="utf-8")


def test_shared_programs_are_used_by_more_than_one_kind_and_copied_by_none():
    shared = sorted(p.name for p in ROOT.iterdir() if programs._is_program_file(p) and p.name != "seedlib.sh")
    for name in shared:
        users = [kind for kind in kinds.names() if name in kinds.get(kind).shared_programs]
        assert users, f"devenv/kinds/{name} is named by no kind's shared_programs"
        assert not list(ROOT.glob(f"*/{name}")), f"a kind's directory holds a copy of devenv/kinds/{name}"


def test_a_missing_shared_program_is_an_error(monkeypatch):
    from devenv.kinds.postgres import Postgres

    monkeypatch.setattr(Postgres, "shared_programs", ("nope.awk",))
    with pytest.raises(ValueError, match=r"nope\.awk that does not exist"):
        seed_program("postgres")


def test_postgres_program_has_its_sql_and_awk():
    assert set(seed_program("postgres")) >= {
        "seed.sh", "seedlib.sh", "record.sql", "columns.sql", "bulk.sql", "drop.sql",
        "db_error.awk", "csv_header.awk", "csv_shape.awk",
    }  # fmt: skip
    assert set(seed_program("redis")) == {"seed.sh", "seedlib.sh", "json.lua", "quotes.awk"}
    assert set(seed_program("rabbitmq")) == {"seed.sh", "seedlib.sh"}


def test_program_returns_a_fresh_dict():
    files = seed_program("redis")
    files["seed.sh"] = "changed"
    assert seed_program("redis")["seed.sh"] != "changed"


@pytest.mark.parametrize("kind", ["", "nope", "..", ".", "postgres/..", "../kinds/postgres", "__pycache__"])
def test_unknown_kind_is_an_error(kind):
    with pytest.raises(ValueError, match="no seeding program"):
        seed_program(kind)


def test_digest_is_16_hex_stable_and_differs_per_kind():
    digests = {kind: seed_digest(kind) for kind in KINDS}
    assert all(len(d) == 16 and all(c in "0123456789abcdef" for c in d) for d in digests.values())
    assert len(set(digests.values())) == len(KINDS)
    assert digests == {kind: seed_digest(kind) for kind in KINDS}
    assert seed_digest("postgres") == program_digest(seed_program("postgres"))


def test_digest_changes_with_any_name_or_content():
    files = seed_program("redis")
    base = program_digest(files)
    assert program_digest(dict(reversed(files.items()))) == base  # order of the mapping is irrelevant
    assert program_digest({**files, "json.lua": files["json.lua"] + " "}) != base
    assert program_digest({**files, "seedlib.sh": files["seedlib.sh"] + "\n"}) != base
    assert program_digest({**files, "extra.awk": ""}) != base
    renamed = dict(files)
    renamed["quotes2.awk"] = renamed.pop("quotes.awk")
    assert program_digest(renamed) != base
    # name and content are delimited: moving a character from one to the other changes the digest
    assert program_digest({"ab": "c"}) != program_digest({"a": "bc"})


def test_digest_follows_the_files_on_disk(tmp_path, monkeypatch):
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "seed.sh").write_text("#!/bin/sh\n")
    (tmp_path / "k" / "__init__.py").write_text("")
    (tmp_path / "k" / "__pycache__").mkdir()
    (tmp_path / "k" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (tmp_path / "k" / ".swp").write_text("editor")
    (tmp_path / "seedlib.sh").write_text("say() { :; }\n")
    monkeypatch.setattr(programs, "ROOT", tmp_path)
    assert seed_program("k") == {"seed.sh": "#!/bin/sh\n", "seedlib.sh": "say() { :; }\n"}
    before = seed_digest("k")
    (tmp_path / "k" / "helper.awk").write_text("{ print }\n")
    after_add = seed_digest("k")
    (tmp_path / "seedlib.sh").write_text("say() { echo; }\n")
    after_shared = seed_digest("k")
    assert len({before, after_add, after_shared}) == 3
    (tmp_path / "k" / "seedlib.sh").write_text("")
    with pytest.raises(ValueError, match="shadow"):
        seed_program("k")


# --- the files as text ----------------------------------------------------------------------


@pytest.mark.parametrize("path", [*PROGRAM_FILES, ROOT / "seedlib.sh"], ids=relative)
def test_plain_text_without_tabs_or_trailing_blanks(path):
    text = path.read_bytes().decode("utf-8")
    assert "\t" not in text
    assert "\r" not in text
    assert [n for n, line in enumerate(text.splitlines(), 1) if line != line.rstrip()] == []
    assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("kind", KINDS)
def test_seed_script_is_sh_and_finds_its_siblings(kind):
    script = seed_program(kind)["seed.sh"]
    assert script.startswith("#!/bin/sh\n")
    assert 'here=${DEVENV_PROGRAMS:-$(dirname "$0")}' in script
    assert '. "$programs/seedlib.sh"\nseed_init\n' in script
    # files of a ConfigMap are not executable: every sibling runs through its interpreter
    for name in seed_program(kind):
        if name not in ("seed.sh", "seedlib.sh"):
            assert f'"$programs/{name}"' in script, f"{name} is not used by {kind}/seed.sh"
    assert "$tmp/record.sql" not in script and "<<'SQL'" not in script  # no programs written at run time


@pytest.mark.parametrize("shell", sorted(SHELLS))
@pytest.mark.parametrize("path", SHELL_FILES, ids=relative)
def test_script_parses_in_posix_shells(path, shell):
    argv = SHELLS[shell]
    if shutil.which(argv[0]) is None:
        pytest.skip(f"{shell} not installed")
    proc = subprocess.run([*argv, "-n", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# --- the same file rules as Python (devenv/fixtures/formats.py); see also test_seed_scripts ----


def test_scripts_pick_the_same_files_as_python():
    assert "*.sql|*.csv) ;;" in seed_program("postgres")["seed.sh"]
    assert "*.redis|*.json) ;;" in seed_program("redis")["seed.sh"]
    assert "for name in definitions.json; do" in seed_program("rabbitmq")["seed.sh"]
    shared = (ROOT / "seedlib.sh").read_text()
    assert "export LC_ALL=C" in shared and 'ls -A "$dir" 2>/dev/null | sort' in shared
    for kind in ("postgres", "redis"):
        assert "case $name in .*) continue" in seed_program(kind)["seed.sh"]


def test_postgres_table_name_rule_matches_python():
    # the shell drops the same ordering prefix as formats.table_name
    assert "sed 's/^[0-9][0-9]*[_-]//'" in seed_program("postgres")["seed.sh"]


# --- linters --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SHELL_FILES, ids=relative)
def test_shellcheck_finds_nothing(path):
    # POSIX sh; -x follows `. "$programs/seedlib.sh"` through its `# shellcheck source=` directive
    argv = [shellcheck(), "--shell=sh", "--external-sources", "--source-path=SCRIPTDIR", "--format=gcc", path.name]
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=path.parent)
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr


def test_shellcheck_follows_seedlib():
    # without -x shellcheck would not see seedlib.sh's variables (SC1091, SC2154): the directive resolves
    path = ROOT / "postgres" / "seed.sh"
    proc = subprocess.run(
        [shellcheck(), "--shell=sh", "--format=gcc", path.name], capture_output=True, text=True, cwd=path.parent
    )
    assert "SC1091" in proc.stdout  # not followed without -x ...
    assert "# shellcheck source=../seedlib.sh" in path.read_text()  # ... and followed with it (test above)


def luac() -> str | None:
    for name in ("luac5.1", "luac", "luac5.4", "luac5.3"):
        if shutil.which(name):
            return name
    return None


def test_json_lua_compiles():
    compiler = luac()
    if compiler is None:
        pytest.skip("luac not installed (apt-get install lua5.1)")
    proc = subprocess.run([compiler, "-p", str(ROOT / "redis" / "json.lua")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_json_lua_code_starts_on_line_2():
    # Redis reports Lua errors by line: the code keeps the lines it had when it was inlined after a newline
    lines = (ROOT / "redis" / "json.lua").read_text().splitlines()
    assert lines[0].startswith("--") and lines[1] == "local ok, data = pcall(cjson.decode, ARGV[3])"
