"""The kinds' snapshot programs as files: plain text, POSIX sh, shellcheck; and the shell ones run
in sh, dash, bash and busybox against stand-in clients (a redis-cli and a rabbitmqctl that keep
their state in a JSON file). Against real servers: tests/integration/test_snapshots.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devenv.kinds.programs import ROOT
from tests.kinds.seed_helpers import SHELLS, installed, shellcheck

FILES = sorted(ROOT.glob("*/snapshot/*"))
SCRIPTS = [path for path in FILES if path.suffix == ".sh"]


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_every_kind_with_snapshots_has_its_programs():
    assert {relative(path) for path in FILES} >= {
        "postgres/snapshot/save.sql", "postgres/snapshot/restore.sql", "postgres/snapshot/list.sql",
        "postgres/snapshot/remove.sql", "redis/snapshot/snapshot.sh", "rabbitmq/snapshot/snapshot.sh",
    }  # fmt: skip


@pytest.mark.parametrize("path", FILES, ids=relative)
def test_plain_text_without_tabs_or_trailing_blanks(path):
    text = path.read_bytes().decode("utf-8")
    assert "\t" not in text and "\r" not in text
    assert [n for n, line in enumerate(text.splitlines(), 1) if line != line.rstrip()] == []
    assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("shell", sorted(SHELLS))
@pytest.mark.parametrize("path", SCRIPTS, ids=relative)
def test_script_parses_in_posix_shells(path, shell):
    if shell not in installed(SHELLS):
        pytest.skip(f"{shell} not installed")
    proc = subprocess.run([*SHELLS[shell], "-n", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("path", SCRIPTS, ids=relative)
def test_shellcheck_finds_nothing(path):
    proc = subprocess.run(
        [shellcheck(), "--shell=sh", "--format=gcc", path.name], capture_output=True, text=True, cwd=path.parent
    )
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr


# --- running the scripts as devenv does: the text on stdin of sh -c 'eval "$(cat)"' ------------------


def stub(bin_dir: Path, name: str, code: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!{sys.executable}\n{code}")
    path.chmod(0o755)


@pytest.fixture(params=sorted(SHELLS))
def shell(request):
    if request.param not in installed(SHELLS):
        pytest.skip(f"{request.param} not installed")
    return SHELLS[request.param]


def runner(shell: list[str], script: Path, env: dict[str, str]):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [*shell, "-c", 'eval "$(cat)"', "devenv-snapshot", *args]
        return subprocess.run(argv, input=script.read_text(), env=env, capture_output=True, text=True, timeout=30)

    return run


REDIS_CLI = r"""
import json, os, sys
state_path = os.environ["STUB_STATE"]
state = json.load(open(state_path))
args = sys.argv[1:]
while args and args[0] in ("-h", "-p"):
    args = args[2:]
if args and args[0] == "--raw":
    args = args[1:]
command = [a.upper() for a in args[:2]]
if command == ["CONFIG", "GET"]:
    print(args[2]); print(state["config"][args[2]])
elif command == ["CONFIG", "SET"]:
    state["config"][args[2]] = args[3]; print("OK")
elif command[:1] == ["SAVE"]:
    rdb = os.path.join(state["config"]["dir"], state["config"]["dbfilename"])
    with open(rdb + ".tmp", "w") as out:  # as Redis does: a new file, renamed over the old one
        out.write(state["data"])
    os.replace(rdb + ".tmp", rdb); print("OK")
elif command[:1] == ["INFO"]:
    print("# Persistence"); print("rdb_bgsave_in_progress:0")
else:
    sys.exit(f"stub redis-cli: {args}")
json.dump(state, open(state_path, "w"))
"""

CHECK_RDB = r"""
import sys
sys.exit(1 if "corrupt" in open(sys.argv[1]).read() else 0)
"""


@pytest.fixture
def redis(tmp_path, shell):
    bin_dir, data = tmp_path / "bin", tmp_path / "data"
    bin_dir.mkdir()
    data.mkdir()
    stub(bin_dir, "redis-cli", REDIS_CLI)
    stub(bin_dir, "redis-check-rdb", CHECK_RDB)
    state = tmp_path / "state.json"
    config = {"dir": str(data), "dbfilename": "dump.rdb", "save": "3600 1", "appendonly": "no"}
    state.write_text(json.dumps({"config": config, "data": "v1"}))
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "STUB_STATE": str(state),
           "DEVENV_SNAPSHOTS": str(data / "devenv-snapshots")}
    return runner(shell, ROOT / "redis" / "snapshot" / "snapshot.sh", env), data, state


def set_data(state: Path, value: str) -> None:
    current = json.loads(state.read_text())
    current["data"] = value
    state.write_text(json.dumps(current))


def test_redis_save_list_restore_remove(redis):
    run, data, state = redis
    saved = run("save", "s1", "keep")
    assert saved.returncode == 0, saved.stdout + saved.stderr
    assert saved.stdout == "devenv-snapshot: saved 2\n"
    assert (data / "devenv-snapshots" / "s1.rdb").read_text() == "v1"
    again = run("save", "s1", "keep")
    assert (again.returncode, again.stdout) == (1, "devenv-snapshot: failed: snapshot exists\n")
    assert run("save", "s1", "replace").returncode == 0

    set_data(state, "v2!")
    assert run("save", "s2", "keep").returncode == 0
    listed = run("list").stdout.splitlines()
    assert [line.split("\t")[:2] for line in listed] == [["s1", "2"], ["s2", "3"]]
    assert all(line.split("\t")[2].isdigit() for line in listed)

    restored = run("restore", "s1")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert restored.stdout == "devenv-snapshot: ready 2\n"
    assert (data / "dump.rdb").read_text() == "v1"  # what the server loads when it starts again
    assert json.loads(state.read_text())["config"]["save"] == ""  # no automatic save may overwrite it
    assert not (data / ".devenv-restore.rdb").exists()
    assert (data / "devenv-snapshots" / "s1.rdb").read_text() == "v1"  # the snapshot stays

    assert run("restore", "s1").returncode == 0  # dump.rdb is the snapshot's own file already
    assert run("remove", "s2").stdout == "devenv-snapshot: removed\n"
    gone = run("remove", "s2")
    assert (gone.returncode, gone.stdout) == (1, "devenv-snapshot: failed: no snapshot s2\n")
    assert [line.split("\t")[0] for line in run("list").stdout.splitlines()] == ["s1"]


def test_redis_restore_that_fails_changes_nothing(redis):
    run, data, state = redis
    set_data(state, "corrupt")
    assert run("save", "bad", "keep").returncode == 0
    set_data(state, "now")
    run("save", "current", "keep")
    failed = run("restore", "bad")
    assert failed.returncode == 1
    assert failed.stdout == "devenv-snapshot: failed: snapshot bad is not a valid RDB file (redis-check-rdb)\n"
    assert (data / "dump.rdb").read_text() == "now"
    assert json.loads(state.read_text())["config"]["save"] == "3600 1"
    missing = run("restore", "nope")
    assert (missing.returncode, missing.stdout) == (1, "devenv-snapshot: failed: no snapshot nope\n")
    assert run("frobnicate").stdout == "devenv-snapshot: failed: unknown action 'frobnicate'\n"


def test_redis_refuses_a_server_that_would_load_its_aof(redis):
    run, _, state = redis
    run("save", "s1", "keep")
    current = json.loads(state.read_text())
    current["config"]["appendonly"] = "yes"
    state.write_text(json.dumps(current))
    failed = run("restore", "s1")
    assert failed.returncode == 1 and "appendonly is on" in failed.stdout


RABBITMQCTL = r"""
import json, os, sys
state_path = os.environ["STUB_STATE"]
state = json.load(open(state_path))
args = [a for a in sys.argv[1:] if a not in ("-q", "-s")]
if args[0] == "export_definitions":
    json.dump(state, open(args[1], "w"))
elif args[0] == "list_vhosts":
    for vhost in state["vhosts"]:
        print(vhost["name"])
elif args[0] == "delete_vhost":
    state["vhosts"] = [v for v in state["vhosts"] if v["name"] != args[1]]
    state["queues"] = [q for q in state["queues"] if q["vhost"] != args[1]]
elif args[0] == "import_definitions":
    try:
        new = json.load(open(args[1]))
    except ValueError:
        sys.exit(print("Error:\nFailed to deserialise input (format: JSON)", file=sys.stderr) or 65)
    for key in ("vhosts", "queues"):
        state[key] += [item for item in new.get(key, []) if item not in state[key]]
else:
    sys.exit(f"stub rabbitmqctl: {args}")
json.dump(state, open(state_path, "w"))
"""


@pytest.fixture
def rabbitmq(tmp_path, shell):
    bin_dir, data = tmp_path / "bin", tmp_path / "rabbitmq"
    bin_dir.mkdir()
    (data / "mnesia" / "rabbit@queue").mkdir(parents=True)
    stub(bin_dir, "rabbitmqctl", RABBITMQCTL)
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"vhosts": [{"name": "/"}], "queues": [{"name": "orders", "vhost": "/"}]}))
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "STUB_STATE": str(state),
           "DEVENV_SNAPSHOTS": str(data / "devenv-snapshots"), "RABBITMQ_MNESIA_BASE": str(data / "mnesia")}
    return runner(shell, ROOT / "rabbitmq" / "snapshot" / "snapshot.sh", env), data, state


def test_rabbitmq_restore_recreates_every_vhost_from_the_snapshot(rabbitmq):
    run, data, state = rabbitmq
    saved = run("save", "s1", "keep")
    assert saved.returncode == 0, saved.stdout + saved.stderr
    assert saved.stdout.startswith("devenv-snapshot: saved ")
    snapshot = json.loads((data / "devenv-snapshots" / "s1.json").read_text())
    state.write_text(json.dumps({
        "vhosts": [{"name": "/"}, {"name": "extra"}],
        "queues": [{"name": "orders", "vhost": "/"}, {"name": "new", "vhost": "/"}, {"name": "x", "vhost": "extra"}],
    }))
    mark = data / "mnesia" / "rabbit@queue" / "devenv-fixtures"
    mark.write_text("stale record\n")
    restored = run("restore", "s1")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert restored.stdout.startswith("devenv-snapshot: restored ")
    assert json.loads(state.read_text()) == snapshot
    assert not mark.exists()  # the seeding asks the node again


def test_rabbitmq_restore_that_fails_imports_the_definitions_of_before(rabbitmq):
    run, data, state = rabbitmq
    run("save", "s1", "keep")
    (data / "devenv-snapshots" / "broken.json").write_text("{broken")
    before = json.loads(state.read_text())
    failed = run("restore", "broken")
    assert failed.returncode == 1
    assert failed.stdout.startswith("devenv-snapshot: failed: import_definitions: Failed to deserialise input")
    assert "the definitions of before were imported again" in failed.stdout
    assert json.loads(state.read_text()) == before
    assert [line.split("\t")[0] for line in run("list").stdout.splitlines()] == ["broken", "s1"]
    assert run("remove", "broken").returncode == 0


def test_the_shell_tests_ran_in_the_images_shells():
    assert {"dash", "busybox"} <= set(installed(SHELLS))
    assert shutil.which("stat") is not None
