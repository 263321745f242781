"""Each kind's seed.sh run as a program, against stand-in clients (psql, redis-cli, rabbitmqctl).

The program is copied flat into one directory, as the container sees it, and run with
``sh seed.sh`` in each POSIX shell installed (and, for PostgreSQL, each awk). The stand-ins
log what they are asked; the tests check the protocol lines, which files are applied (the same
as :func:`devenv.fixtures.formats.fixture_files`), and what reaches the clients.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devenv.fixtures.formats import fixture_files
from devenv.kinds.programs import seed_program
from tests.kinds.seed_helpers import AWKS, SHELLS, flat_copy, installed

PSQL = r"""
import json, os, sys
args = sys.argv[1:]
opts = {"-v": [], "-f": [], "-c": []}
i = 0
while i < len(args):
    if args[i] in opts:
        opts[args[i]].append(args[i + 1]); i += 2
    else:
        i += 1
variables = dict(v.split("=", 1) for v in opts["-v"])
if opts["-c"]:  # reading the record (or resetting): nothing recorded yet
    sys.exit(0)
if any(f.endswith("/columns.sql") for f in opts["-f"]):
    columns = json.loads(os.environ["STUB_TABLES"]).get(variables["t"])
    if columns is not None:
        print("r" + variables["t"]); print("\n".join(columns))
    sys.exit(0)
scripts = {os.path.basename(f): open(f).read() for f in opts["-f"] if f.endswith("load.sql")}
with open(os.environ["STUB_LOG"], "a") as log:
    log.write(json.dumps({"file": variables["devenv_file"], "f": opts["-f"], "load": scripts.get("load.sql")}) + "\n")
if scripts:
    sys.stdin.read()
    print("COPY 2")
"""

REDIS_CLI = r"""
import json, os, sys
args = sys.argv[1:]
log = open(os.environ["STUB_LOG"], "a")
if "PING" in args:
    print("PONG")
elif "HGETALL" in args:
    pass
elif "EVAL" in args:
    at = args.index("EVAL")
    log.write(json.dumps({"eval": args[at + 1:], "stdin": sys.stdin.read()}) + "\n")
    print("(integer) 2")
elif "--no-raw" in args:
    lines = sys.stdin.read().splitlines()
    log.write(json.dumps({"pipe": lines}) + "\n")
    print("OK")
    for _ in lines[1:-1]:
        print("QUEUED")
    for n, _ in enumerate(lines[1:-1], 1):
        print(f"{n}) OK")
else:
    log.write(json.dumps({"other": args}) + "\n")
"""

RABBITMQCTL = r"""
import json, os, sys
args = sys.argv[1:]
with open(os.environ["STUB_LOG"], "a") as log:
    log.write(json.dumps(args) + "\n")
"""


def stub(bin_dir: Path, name: str, code: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!{sys.executable}\n{code}")
    path.chmod(0o755)


def with_awk(bin_dir: Path, awk: str) -> None:
    """Make `awk` on PATH the given awk (the images': mawk, busybox awk)."""
    (bin_dir / "awk").write_text("#!/bin/sh\nexec " + " ".join(AWKS[awk]) + ' "$@"\n')
    (bin_dir / "awk").chmod(0o755)


@pytest.fixture(params=sorted(SHELLS))
def shell(request):
    if request.param not in installed(SHELLS):
        pytest.skip(f"{request.param} not installed")
    return SHELLS[request.param]


class Seed:
    """A kind's program in a flat directory, stand-in clients on PATH, a fixture directory."""

    def __init__(self, kind: str, root: Path, shell: list[str]):
        self.kind = kind
        self.shell = shell
        self.programs = root / "devenv"
        self.script = flat_copy(kind, self.programs)
        self.fixtures = root / "fixtures"
        self.fixtures.mkdir()
        self.bin = root / "bin"
        self.bin.mkdir()
        self.log = root / "log"
        self.log.write_text("")
        self.env = {
            "PATH": f"{self.bin}:{os.environ['PATH']}",
            "STUB_LOG": str(self.log),
            "DEVENV_FIXTURES_DIR": str(self.fixtures),
        }

    def write(self, files: dict[str, str | bytes]) -> None:
        for name, text in files.items():
            (self.fixtures / name).write_bytes(text if isinstance(text, bytes) else text.encode())

    def run(self, *args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
        argv = [*self.shell, str(self.script), *args]
        return subprocess.run(argv, capture_output=True, text=True, env={**self.env, **env}, cwd=cwd, timeout=60)

    def logged(self) -> list:
        return [json.loads(line) for line in self.log.read_text().splitlines()]


def applied(out: str) -> list[str]:
    return [line.split()[2] for line in out.splitlines() if line.startswith("devenv-seed: applied ")]


MIXED = {  # fixture files of every kind, and what is never one
    "001_schema.sql": "CREATE TABLE t (id int);\n",
    "010_users.csv": "id,name\n1,a\n",
    "A_upper.sql": "SELECT 1;\n",
    "_under.sql": "SELECT 1;\n",
    "b.redis": "SET a 1\n",
    "c.json": '{"a": 1}\n',
    "definitions.json": "{}\n",
    "README.md": "not a fixture\n",
    ".hidden.sql": "SELECT 1;\n",
    ".hidden.redis": "SET a 1\n",
    "Ärger.sql": "SELECT 1;\n",
    "z.sql.bak": "SELECT 1;\n",
}


# --- PostgreSQL -----------------------------------------------------------------------------


# each awk in dash, and each shell with mawk (not every pair: the awk programs do not see the shell)
SHELL_AWK = [("dash", awk) for awk in sorted(AWKS)] + [(shell, "mawk") for shell in sorted(SHELLS) if shell != "dash"]


@pytest.fixture(params=SHELL_AWK, ids=[f"{shell}-{awk}" for shell, awk in SHELL_AWK])
def postgres(request, tmp_path):
    shell, awk = request.param
    for name, table in ((shell, SHELLS), (awk, AWKS)):
        if name not in installed(table):
            pytest.skip(f"{name} not installed")
    seed = Seed("postgres", tmp_path, SHELLS[shell])
    stub(seed.bin, "psql", PSQL)
    with_awk(seed.bin, awk)
    seed.env["STUB_TABLES"] = json.dumps({"users": ["psid", "c-name"], "odd": ["p-a b", "c-c,d", 'c-say "hi"']})
    return seed


def test_postgres_applies_the_files_python_counts(postgres):
    postgres.write(MIXED)
    (postgres.fixtures / "sub.sql").mkdir()
    proc = postgres.run()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = fixture_files("postgres", postgres.fixtures)
    assert applied(proc.stdout) == expected
    assert proc.stdout.splitlines()[-1] == f"devenv-seed: done: {len(expected)} applied, 0 unchanged"
    assert "devenv-seed: applied 010_users.csv (2 rows into users)" in proc.stdout.splitlines()
    logged = postgres.logged()
    assert [entry["file"] for entry in logged] == expected
    record = str(postgres.programs / "record.sql")
    assert all(entry["f"][-1] == record for entry in logged)  # record.sql from the programs directory


def test_postgres_csv_header_with_quotes_commas_bom_crlf(postgres):
    postgres.write({"020_odd.csv": b'\xef\xbb\xbf"c,d" , "say ""hi""","a b"\r\nx,y,1\r\n'})
    proc = postgres.run()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "devenv-seed: applied 020_odd.csv (2 rows into odd)" in proc.stdout
    load = postgres.logged()[0]["load"]
    column_list = '("c,d", "say ""hi""", "a b")'
    assert f"\\copy odd {column_list} FROM pstdin WITH (FORMAT csv, HEADER true)\n" in load
    assert f"\\copy devenv_load {column_list} FROM pstdin" in load  # merged: the primary key is in the header
    assert 'ON CONFLICT ("a b") DO UPDATE SET "c,d" = EXCLUDED."c,d", "say ""hi""" = EXCLUDED."say ""hi"""' in load


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"010_users.csv": "\n1,a\n"},
            "010_users.csv: no header row (the first line names the columns of table users: id, name)",
        ),
        ({"010_users.csv": "id, name ,id\n"}, "010_users.csv: column 'id' appears twice in the header"),
        (
            {"010_users.csv": 'id,"na,me"\n'},
            ("010_users.csv: header does not match table users: no column(s) na,me in the table "
             "(header: id, na,me; table columns: id, name)"),
        ),
        (
            {"010_users.csv": '"id\nx",name\n'},
            "010_users.csv: a quoted name in the header holds a line break, or its closing quote is missing",
        ),
        (
            {"010_nothing.csv": "a\n"},
            ("010_nothing.csv: table nothing does not exist (a CSV file loads into the table its name gives: "
             "010_nothing.csv -> nothing); create it in an earlier .sql file"),
        ),
    ],
    ids=["no header", "duplicate", "unknown", "line break", "no table"],
)
def test_postgres_csv_failures(postgres, files, message):
    postgres.write(files)
    proc = postgres.run()
    assert proc.returncode == 1
    assert proc.stdout == f"devenv-seed: failed {message}\n"
    assert postgres.logged() == []  # nothing loaded


# --- Redis ----------------------------------------------------------------------------------


@pytest.fixture
def redis(tmp_path, shell):
    seed = Seed("redis", tmp_path, shell)
    stub(seed.bin, "redis-cli", REDIS_CLI)
    return seed


def test_redis_applies_the_files_python_counts_and_sends_the_lua_intact(redis):
    redis.write({**MIXED, "b.redis": '# comment\nSET a 1\n\nSET b "it\'s"\n', "c.json": '{"a": 1, "b": [1, 2]}'})
    proc = redis.run()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = fixture_files("redis", redis.fixtures)
    assert expected == ["b.redis", "c.json", "definitions.json"]
    assert proc.stdout.splitlines() == [
        "devenv-seed: applied b.redis (2 commands)",
        "devenv-seed: applied c.json (2 keys)",
        "devenv-seed: applied definitions.json (2 keys)",
        "devenv-seed: done: 3 applied, 0 unchanged",
    ]
    logged = redis.logged()
    assert logged[0]["pipe"][0] == "MULTI" and logged[0]["pipe"][1:3] == ["SET a 1", 'SET b "it\'s"']
    lua = seed_program("redis")["json.lua"]
    script, keys, name, digest = logged[1]["eval"]
    assert script == lua.rstrip("\n") and keys == "0" and name == "c.json" and len(digest) == 64
    assert logged[1]["stdin"] == '{"a": 1, "b": [1, 2]}'


def test_redis_unbalanced_quotes_fail_before_anything_runs(redis):
    redis.write({"b.redis": 'SET a 1\n\nSET b "open\nSET c 3\n'})
    proc = redis.run()
    assert proc.returncode == 1
    assert proc.stdout == "devenv-seed: failed b.redis:3: unbalanced quotes (nothing from this file was applied)\n"
    assert not any("pipe" in entry for entry in redis.logged())


def test_bad_mode_and_missing_programs(redis, tmp_path):
    proc = redis.run(DEVENV_FIXTURES_MODE="again")
    assert (proc.returncode, proc.stdout) == (
        2,
        "devenv-seed: failed: DEVENV_FIXTURES_MODE must be apply or reset, not 'again'\n",
    )
    proc = redis.run(DEVENV_PROGRAMS=str(tmp_path / "nowhere"))
    assert (proc.returncode, proc.stdout) == (
        1,
        f"devenv-seed: failed: no seeding programs in {tmp_path / 'nowhere'}\n",
    )


def test_programs_found_from_a_relative_path_after_cd(redis, tmp_path):
    # DEVENV_PROGRAMS relative to where the script starts: made absolute before it changes to the fixtures
    redis.write({"b.redis": "SET a 1\n", "c.json": "{}"})
    proc = redis.run(cwd=tmp_path, DEVENV_PROGRAMS="devenv")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert applied(proc.stdout) == ["b.redis", "c.json"]


# --- RabbitMQ -------------------------------------------------------------------------------


@pytest.fixture
def rabbitmq(tmp_path, shell):
    seed = Seed("rabbitmq", tmp_path, shell)
    stub(seed.bin, "rabbitmqctl", RABBITMQCTL)
    seed.env["RABBITMQ_MNESIA_BASE"] = str(tmp_path / "mnesia")
    (tmp_path / "mnesia" / "rabbit@queue").mkdir(parents=True)
    seed.env["DEVENV_RABBITMQ_NODE"] = "rabbit@queue"
    return seed


def test_rabbitmq_imports_once_then_reads_its_mark(rabbitmq, tmp_path):
    rabbitmq.write(MIXED)
    proc = rabbitmq.run()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert fixture_files("rabbitmq", rabbitmq.fixtures) == ["definitions.json"]
    assert proc.stdout.splitlines() == [
        "devenv-seed: applied definitions.json",
        "devenv-seed: done: 1 applied, 0 unchanged",
    ]
    calls = [call[3:] for call in rabbitmq.logged()]
    assert calls[1] == ["import_definitions", str(rabbitmq.fixtures / "definitions.json")]
    assert calls[2][:2] == ["set_global_parameter", "devenv_fixtures"]
    mark = (tmp_path / "mnesia" / "rabbit@queue" / "devenv-fixtures").read_text()
    assert mark.endswith(" definitions.json\n")
    calls_before = len(rabbitmq.logged())
    proc = rabbitmq.run()
    assert proc.stdout == "devenv-seed: done: 0 applied, 1 unchanged\n"
    assert len(rabbitmq.logged()) == calls_before  # nothing asked of the node


def test_rabbitmq_reset_reads_its_arguments(rabbitmq):
    rabbitmq.write({"definitions.json": "{}\n"})
    proc = rabbitmq.run("queue", "/", "orders", "exchange", "/", "events", DEVENV_FIXTURES_MODE="reset")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        "devenv-seed: reset: deleted queue orders (vhost /)",
        "devenv-seed: reset: deleted the exchanges definitions.json declares",
        "devenv-seed: reset: cleared the fixtures record",
        "devenv-seed: applied definitions.json",
        "devenv-seed: done: 1 applied, 0 unchanged",
    ]
    evals = [call for call in rabbitmq.logged() if "eval" in call]
    assert '{<<"/"/utf8>>, <<"events"/utf8>>}' in evals[0][-1]
