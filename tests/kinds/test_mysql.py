"""MySQL and MariaDB: the kinds' pure parts, client_error.awk in every awk, seed.sh against a stand-in client.

The real clients and server run in tests/integration/test_mysql.py (the MariaDB stand-in);
here a stub stands in for `mysql`/`mariadb` so the script's logic runs in sh, dash, bash
and busybox: which files it applies, what it sends, how it reports the client's errors.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from devenv.kinds import get
from devenv.kinds.mysql import table_name
from devenv.kinds.programs import ROOT, seed_program
from tests.kinds.seed_helpers import AWKS, SHELLS, installed, run_awk
from tests.kinds.test_seed_scripts import Seed, stub

# A stand-in for the mysql/mariadb client: answers seed.sh's queries from a JSON state file,
# records what a file's script records, fails a script with a line holding BAD.
CLIENT = r"""
import json, os, re, sys
args, path = sys.argv[1:], os.environ["STUB_STATE"]
state = json.load(open(path)) if os.path.exists(path) else {"recorded": {}, "scripts": []}
assert args[0].startswith("--defaults-extra-file=") and args[1] == "--local-infile=1", args
state.setdefault("cnf", open(args[0].split("=", 1)[1]).read())
text = args[args.index("-e") + 1] if "-e" in args else sys.stdin.read()
out, code = "", 0
if text == "SELECT 1":
    out = "1\n"
elif text.startswith("DROP DATABASE"):
    state["recorded"] = {}
    state["scripts"].append(text)
elif "CREATE TABLE IF NOT EXISTS devenv_fixtures" in text:
    out = "".join(f"{digest} {name}\n" for name, digest in state["recorded"].items())
elif text.startswith("SET @devenv_table"):
    table = bytes.fromhex(re.search(r"UNHEX\('([0-9a-f]*)'\)", text).group(1)).decode()
    out = "".join(line + "\n" for line in json.loads(os.environ["STUB_TABLES"]).get(table, []))
elif text.startswith("SELECT EXISTS"):
    out = "0\n"
else:
    state["scripts"].append(text)
    bad = [n for n, line in enumerate(text.splitlines(), 1) if "BAD" in line]
    if bad:
        sys.stderr.write(f"ERROR 1064 (42000) at line {bad[0]}: You have an error near 'BAD'\n")
        code = 1
    else:
        head = re.match(r"SET autocommit = 0, @devenv_file = CONVERT\(UNHEX\('([0-9a-f]*)'\) USING utf8mb4\), "
                        r"@devenv_sum = '([0-9a-f]{64})';\n", text)
        state["recorded"][bytes.fromhex(head.group(1)).decode()] = head.group(2)
        if "LOAD DATA" in text:
            out = "devenv-rows: 2\n"
json.dump(state, open(path, "w"))
sys.stdout.write(out)
sys.exit(code)
"""


# --- the kinds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "image", "prefix", "client", "admin"), [
    ("mysql", "mysql:8", "MYSQL", "mysql", "mysqladmin"),
    ("mariadb", "mariadb:11", "MARIADB", "mariadb", "mariadb-admin"),
])  # fmt: skip
def test_image_environment_clients_and_url(name, image, prefix, client, admin):
    kind = get(name)
    assert kind.image(None) == image
    assert kind.container_env("my-shop") == {
        f"{prefix}_DATABASE": "my_shop",
        f"{prefix}_PASSWORD": "devenv",
        f"{prefix}_RANDOM_ROOT_PASSWORD": "yes",
        f"{prefix}_USER": "devenv",
    }
    assert kind.health_command("my-shop") == [admin, "ping", "-h", "127.0.0.1", "--silent"]
    assert kind.url("db", "my-shop") == "mysql://devenv:devenv@db:3306/my_shop" and kind.url_env == "DATABASE_URL"
    assert kind.seed_environment("my-shop", "db", "127.0.0.1")["DEVENV_MYSQL_CLIENT"] == client
    argv, env = kind.records_command("my-shop", "db")
    assert argv[0] == client and "my_shop" in argv and env == {"MYSQL_PWD": "devenv"}
    assert kind.parse_records(f"{'a' * 64} 001 schema.sql\n") == {"001 schema.sql": "a" * 64}
    assert kind.records_missing_mean_empty() and not kind.snapshots
    assert kind.seed_secrets == {"DEVENV_MYSQL_USER": "USER", "DEVENV_MYSQL_PASSWORD": "PASSWORD"}


def test_mysql_allows_local_loads_and_mariadb_needs_nothing():
    assert get("mysql").server_args == ("--local-infile=ON",)  # off by default since MySQL 8
    assert get("mariadb").server_args == ()
    assert get("mysql").cluster.writable_paths == ("/var/run/mysqld",)
    assert get("mariadb").cluster.writable_paths == ("/run/mysqld",)


def test_one_program_for_both_kinds_shared_with_postgres_where_it_can_be():
    assert seed_program("mariadb") == seed_program("mysql")
    assert get("mariadb").program_home == ROOT / "mysql" and not (ROOT / "mariadb" / "seed.sh").exists()
    assert seed_program("mysql")["csv_header.awk"] == seed_program("postgres")["csv_header.awk"]
    assert not (ROOT / "mysql" / "csv_header.awk").exists() and not (ROOT / "postgres" / "csv_header.awk").exists()


@pytest.mark.parametrize(("file_name", "table"), [
    ("010_users.csv", "users"), ("users.csv", "users"), ("2-Order_Items.csv", "Order_Items"), ("001_.csv", ""),
])  # fmt: skip
def test_table_name_and_the_spec_check(file_name, table):
    assert table_name(file_name) == table
    problem = get("mysql").fixture_problem(file_name)
    assert (problem is None) == bool(table)


# --- client_error.awk -------------------------------------------------------------------------------


@pytest.fixture(params=sorted(AWKS))
def awk(request):
    if request.param not in installed(AWKS):
        pytest.skip(f"{request.param} not installed")
    return request.param


@pytest.mark.parametrize(("stderr", "offset", "lines", "expected"), [
    ("ERROR 1064 (42000) at line 4: You have an error in your SQL syntax; near 'X'\n", 1, 5,
     "f.sql:3: ERROR 1064 (42000): You have an error in your SQL syntax; near 'X'"),
    ("ERROR 1146 (42S02) at line 9: Table 'shop.x' doesn't exist\n", 1, 5,
     "f.sql: ERROR 1146 (42S02): Table 'shop.x' doesn't exist"),  # a line of devenv's, after the file
    ("ERROR at line 2: Unknown command '\\x'.\n", 1, 5, "f.sql:1: ERROR: Unknown command '\\x'."),
    ("mysql: [Warning] Using a password\nERROR 2002 (HY000): Can't connect to server\n", 0, 0,
     "f.sql: ERROR 2002 (HY000): Can't connect to server"),
    ("Segmentation fault\n", 0, 0, "f.sql: Segmentation fault"),
    ("", 0, 0, "f.sql: the client failed (no message)"),
])  # fmt: skip
def test_client_error_names_the_files_line(awk, tmp_path, stderr, offset, lines, expected):
    err = tmp_path / "err"
    err.write_text(stderr)
    variables = {"name": "f.sql", "offset": str(offset), "lines": str(lines)}
    proc = run_awk(awk, ROOT / "mysql" / "client_error.awk", [err], variables)
    assert proc.returncode == 0 and proc.stdout.decode().strip() == expected


# --- seed.sh against the stub client ----------------------------------------------------------------


@pytest.fixture(params=sorted(SHELLS))
def mysql(request, tmp_path):
    if request.param not in installed(SHELLS):
        pytest.skip(f"{request.param} not installed")
    seed = Seed("mysql", tmp_path, SHELLS[request.param])
    stub(seed.bin, "mariadb", CLIENT)
    seed.env.update(get("mariadb").seed_environment("shop", "db", "127.0.0.1"))
    seed.env["STUB_STATE"] = str(tmp_path / "state.json")
    seed.env["STUB_TABLES"] = json.dumps({"users": ["pid", "cname", "cemail"]})
    return seed


def state(seed: Seed) -> dict:
    with open(seed.env["STUB_STATE"]) as handle:
        return json.load(handle)


def test_applies_sql_and_csv_once_in_name_order(mysql):
    mysql.write({"001_schema.sql": "CREATE TABLE users (id INT);\n", "010_users.csv": "id, name\n1,Ann\n",
                 "README.md": "no\n", "x.redis": "SET a 1\n"})  # fmt: skip
    first = mysql.run()
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.splitlines() == [
        "devenv-seed: applied 001_schema.sql",
        "devenv-seed: applied 010_users.csv (2 rows into users)",
        "devenv-seed: done: 2 applied, 0 unchanged",
    ]
    scripts = state(mysql)["scripts"]
    assert scripts[0].splitlines()[1] == "CREATE TABLE users (id INT);"  # the file, after devenv's one line
    assert "REPLACE INTO devenv_fixtures" in scripts[0] and "\nCOMMIT;\n" in scripts[0]
    load = scripts[1]
    assert re.search(r"LOAD DATA LOCAL INFILE '.*/010_users\.csv' INTO TABLE `users` CHARACTER SET utf8mb4 ", load)
    assert "IGNORE 1 LINES (@devenv_c1, @devenv_c2) SET `id` = NULLIF(@devenv_c1, '')" in load
    assert "GET DIAGNOSTICS @devenv_rows = ROW_COUNT" in load and "REPLACE INTO devenv_fixtures" in load
    assert 'password="devenv"' in state(mysql)["cnf"]  # an option file, not the command line
    again = mysql.run()
    assert again.stdout.splitlines() == ["devenv-seed: done: 0 applied, 2 unchanged"]


def test_a_failing_line_is_the_files_line(mysql):
    mysql.write({"001_a.sql": "SELECT 1;\n\nBAD;\n"})
    proc = mysql.run()
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0] == (
        "devenv-seed: failed 001_a.sql:3: ERROR 1064 (42000): You have an error near 'BAD'"
    )
    assert state(mysql)["recorded"] == {}


def test_csv_header_checks(mysql):
    mysql.write({"users.csv": "id,emial\n1,x\n"})
    proc = mysql.run()
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0] == (
        "devenv-seed: failed users.csv: header does not match table users: no column(s) emial in the table "
        "(header: id, emial; table columns: id, name, email)"
    )
    (mysql.fixtures / "users.csv").write_text("id,id\n1,1\n")
    assert "column 'id' appears twice in the header" in mysql.run().stdout
    (mysql.fixtures / "users.csv").unlink()
    mysql.write({"orders.csv": "id\n1\n"})
    assert "table orders does not exist" in mysql.run().stdout


def test_reset_drops_the_database_and_applies_everything(mysql):
    mysql.write({"001_schema.sql": "CREATE TABLE t (id INT);\n"})
    assert mysql.run().returncode == 0
    proc = mysql.run(DEVENV_FIXTURES_MODE="reset")
    assert proc.stdout.splitlines() == [
        "devenv-seed: reset: dropped and re-created database shop (its tables, data and the fixtures record)",
        "devenv-seed: applied 001_schema.sql",
        "devenv-seed: done: 1 applied, 0 unchanged",
    ]
    assert "DROP DATABASE IF EXISTS `shop`; CREATE DATABASE `shop`" in state(mysql)["scripts"]


def test_the_script_names_no_client_of_its_own():
    # mysql's image has no mariadb and MariaDB's 11 images no mysql: the client comes from the kind
    script = seed_program("mysql")["seed.sh"]
    assert 'client=${DEVENV_MYSQL_CLIENT:-mysql}' in script
    assert not re.search(r"^\s*(mysql|mariadb) ", script, re.MULTILINE)
    proc = subprocess.run(["sh", "-n", str(ROOT / "mysql" / "seed.sh")], capture_output=True)
    assert proc.returncode == 0
