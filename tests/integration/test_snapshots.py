"""Snapshots on the real engine: PostgreSQL 15, Redis 7 and RabbitMQ 3 (stand-ins) with the example
api running against them.

One project for the module (the tests run in order and build on each other's state): the
repo-root fixtures seed the three dependencies on `up`; the api is examples/shop's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import uuid

import pytest

from tests.integration import conftest
from tests.integration.conftest import MIRROR_PREFIX, ROOT, _load_standins, copy_example_api, free_port, http, until
from tests.integration.test_fixtures import COUNTS, queues, redis, sql

pytestmark = pytest.mark.docker

SPEC = """\
services:
  api:
    path: services/api
    target: dev
    port: 8000
    public: true
    host_port: {port}
    health: /healthz
    depends_on: [db, cache]
dependencies:
  db: {{kind: postgres, version: "15"}}
  cache: {{kind: redis, version: "7"}}
  queue: {{kind: rabbitmq, version: "3"}}
fixtures:
  db: fixtures/db
  cache: fixtures/cache
  queue: fixtures/queue
"""
SEEDED = "200|60|500|1001"
QUEUES = ["emails.send", "orders.created", "shop.dead-letter"]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, engine):
    _load_standins().ensure_images(["postgres", "redis", "rabbitmq", "python"], prefix=MIRROR_PREFIX)
    name = f"t-{uuid.uuid4().hex[:10]}"
    root = tmp_path_factory.mktemp("snapshots") / name
    root.mkdir()
    shutil.copytree(ROOT / "fixtures", root / "fixtures")
    copy_example_api(root)
    if conftest.HOST_CA.is_file():
        (root / "certs").mkdir()
        shutil.copy(conftest.HOST_CA, root / "certs" / "ca.pem")
    made = conftest.TestProject(root, name)
    made.port = free_port()
    made.write(SPEC.format(port=made.port))
    yield made
    conftest.remove_project(name)


def devenv(cli, shop, *args: str) -> tuple[int, str, str]:
    return cli("-C", shop.root, "--output", "plain", *args)


def snapshot(cli, shop, *args: str) -> tuple[int, str, str]:
    return devenv(cli, shop, "snapshot", *args)


def listed(cli, shop) -> list[tuple[str, str]]:
    """(name, dependency) of every snapshot, sorted."""
    code, out, err = cli("-C", shop.root, "--output", "json", "snapshot", "list")
    assert code == 0, err
    table = json.loads(out.splitlines()[-1])
    return sorted((row["name"], row["dependency"]) for row in table["snapshots"])


def api(shop, method: str, path: str) -> tuple[int, dict]:
    return http(method, f"http://127.0.0.1:{shop.port}{path}")


def change_everything(shop) -> None:
    """Data that the snapshot must not have: rows gone and added, keys changed, a new queue."""
    sql(shop, "DELETE FROM order_items WHERE ctid <> (SELECT min(ctid) FROM order_items)")
    sql(shop, "INSERT INTO customers (email, name, country) VALUES ('late@example.com', 'Late', 'NL')")
    redis(shop, "SET", "feature:new-checkout", "off")
    redis(shop, "SET", "stray", "1")
    extra = '{"queues": [{"name": "stray", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {}}]}'
    proc = shop.compose("exec", "-T", "queue", "sh", "-c", f"echo '{extra}' > /tmp/x.json && rabbitmqctl -q "
                        "import_definitions /tmp/x.json")
    assert proc.returncode == 0, proc.stderr


def assert_seeded(shop) -> None:
    assert sql(shop, COUNTS) == SEEDED
    assert sql(shop, "SELECT count(*) FROM customers WHERE email = 'late@example.com'") == "0"
    assert redis(shop, "GET", "feature:new-checkout") == "on"
    assert redis(shop, "EXISTS", "stray") == "0"
    assert queues(shop) == QUEUES


def test_up_seeds_and_serves(shop, cli):
    code, out, err = devenv(cli, shop, "up", "--timeout", "300")
    assert code == 0, out + err
    assert sql(shop, COUNTS) == SEEDED
    assert api(shop, "GET", "/healthz")[0] == 200


def test_save_change_restore_brings_every_dependency_back(shop, cli):
    code, out, err = snapshot(cli, shop, "save", "seeded")
    assert code == 0, out + err
    for dependency in ("db", "cache", "queue"):
        assert f"{dependency}: saved snapshot seeded (" in out
    assert listed(cli, shop) == [("seeded", "cache"), ("seeded", "db"), ("seeded", "queue")]

    change_everything(shop)
    assert sql(shop, COUNTS) == "201|60|500|1"
    code, out, err = snapshot(cli, shop, "restore", "seeded")
    assert code == 0, out + err
    assert "db: restored snapshot seeded (" in out and "queue: restored snapshot seeded (" in out
    assert "restarted api (uses db, cache): ready in " in out
    assert_seeded(shop)
    # the fixture records came back with the data: nothing pending, nothing re-applied
    code, out, err = cli("-C", shop.root, "status", "--json")
    rows = {row["service"]: row for row in json.loads(out)["services"]}
    assert rows["db-seed"]["health"] == "6 applied, 0 pending", rows["db-seed"]
    assert rows["cache-seed"]["health"] == "2 applied, 0 pending"
    # the snapshot stays: a second restore gives the same data again
    sql(shop, "TRUNCATE order_items, orders")
    assert snapshot(cli, shop, "restore", "seeded", "db")[0] == 0
    assert sql(shop, COUNTS) == SEEDED


def test_save_refuses_an_existing_name_unless_forced(shop, cli):
    code, out, err = snapshot(cli, shop, "save", "seeded")
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == "error: snapshot 'seeded' exists (db, cache, queue)"
    sql(shop, "INSERT INTO customers (email, name, country) VALUES ('forced@example.com', 'F', 'DE')")
    code, out, err = snapshot(cli, shop, "save", "seeded", "db", "--force")
    assert code == 0, out + err
    sql(shop, "DELETE FROM customers WHERE email = 'forced@example.com'")
    assert snapshot(cli, shop, "restore", "seeded", "db")[0] == 0
    assert sql(shop, "SELECT count(*) FROM customers WHERE email = 'forced@example.com'") == "1"
    sql(shop, "DELETE FROM customers WHERE email = 'forced@example.com'")
    code, out, err = snapshot(cli, shop, "save", "seeded", "db", "--force")
    assert code == 0, out + err


def test_a_restore_that_fails_leaves_the_data_as_it_was(shop, cli):
    change_everything(shop)
    try:
        # a name nobody has: bad input, nothing touched
        code, out, err = snapshot(cli, shop, "restore", "nope")
        assert (code, out) == (2, "")
        assert err.splitlines() == [
            "error: there is no snapshot 'nope'",
            "hint: snapshots: seeded (devenv snapshot list)",
        ]

        # PostgreSQL: a session holds the snapshot, so its copy fails (after the server's 5 s wait)
        database = "devenv_snap_seeded"
        sql(shop, f"ALTER DATABASE {database} ALLOW_CONNECTIONS true")
        holder = subprocess.Popen(
            ["docker", "compose", "-f", str(shop.root / "docker-compose.yml"), "exec", "-T", "db",
             "psql", "-U", "devenv", "-d", database, "-c", "SELECT pg_sleep(60)"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            until(lambda: sql(shop, f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}'") != "0",
                  30, "the session holding the snapshot")  # fmt: skip
            code, _, err = snapshot(cli, shop, "restore", "seeded", "db")
        finally:
            holder.kill()
            holder.wait()
            sql(shop, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'")
            sql(shop, f"ALTER DATABASE {database} ALLOW_CONNECTIONS false")
        assert code == 1
        assert err.splitlines()[-2] == (
            "error: db: restoring snapshot seeded failed: copying the snapshot: "
            'source database "devenv_snap_seeded" is being accessed by other users'
        )
        assert sql(shop, COUNTS) == "201|60|500|1"  # the changed data, untouched and still connectable
        assert sql(shop, "SELECT datallowconn FROM pg_database WHERE datname = current_database()") == "t"

        # Redis: a snapshot file that is not an RDB file; the server keeps running with its data
        proc = shop.compose("exec", "-T", "cache", "sh", "-c", "echo garbage > /data/devenv-snapshots/broken.rdb")
        assert proc.returncode == 0, proc.stderr
        code, _, err = snapshot(cli, shop, "restore", "broken", "cache")
        assert code == 1
        assert "error: cache: restoring snapshot broken failed: snapshot broken is not a valid RDB file" in err
        assert redis(shop, "GET", "feature:new-checkout") == "off"
        assert redis(shop, "CONFIG", "GET", "save").splitlines()[1] != ""  # automatic saves as they were
        assert snapshot(cli, shop, "rm", "broken")[0] == 0
    finally:
        assert snapshot(cli, shop, "restore", "seeded")[0] == 0
    assert_seeded(shop)


def test_restore_while_the_api_serves_requests(shop, cli):
    assert api(shop, "POST", "/api/visits?path=/before")[0] == 200
    assert snapshot(cli, shop, "save", "one-visit", "db")[0] == 0
    for path in ("/a", "/b", "/c"):
        assert api(shop, "POST", f"/api/visits?path={path}")[0] == 200
    assert api(shop, "GET", "/api/visits")[1]["count"] == 4

    answers: list[int] = []
    stop = threading.Event()

    def hammer() -> None:  # a client that keeps asking during the restore
        while not stop.is_set():
            try:
                answers.append(api(shop, "GET", "/api/visits")[0])
            except OSError:
                answers.append(0)
            time.sleep(0.05)

    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        code, out, err = snapshot(cli, shop, "restore", "one-visit")
    finally:
        stop.set()
        thread.join()
    assert code == 0, out + err
    assert "restarted api (uses db): ready in " in out
    # it keeps answering afterwards, from the restored data
    status, body = api(shop, "GET", "/api/visits")
    assert status == 200 and body["count"] == 1
    assert api(shop, "POST", "/api/visits?path=/after")[0] == 200
    assert api(shop, "GET", "/api/visits")[1]["count"] == 2
    assert answers and answers[0] == 200
    assert snapshot(cli, shop, "rm", "one-visit")[0] == 0


def test_a_snapshot_of_a_database_being_written_is_a_valid_database(shop, cli):
    sql(shop, "CREATE TABLE batches (id bigint PRIMARY KEY, batch int NOT NULL)")
    writer = shop.compose(
        "exec", "-d", "-e", "PGPASSWORD=devenv", "db", "sh", "-c",
        "rm -f /tmp/batches-stop /tmp/batches-done; i=0; until [ -e /tmp/batches-stop ]; do "
        "psql -q -h 127.0.0.1 -U devenv -d \"$POSTGRES_DB\" "
        "-c \"INSERT INTO batches SELECT $i * 100 + g, $i FROM generate_series(1, 100) g\" 2>/dev/null; "
        "i=$((i + 1)); done; touch /tmp/batches-done",
    )
    assert writer.returncode == 0, writer.stderr
    def count() -> int:
        return int(sql(shop, "SELECT count(*) FROM batches"))

    until(lambda: count() > 0, 30, "the writer's first batch")
    code, out, err = snapshot(cli, shop, "save", "busy", "db")
    assert code == 0, out + err
    after_save = count()
    until(lambda: count() > after_save, 30, "a batch written after the save")
    assert shop.compose("exec", "-T", "db", "touch", "/tmp/batches-stop").returncode == 0
    deadline = time.monotonic() + 60
    while shop.compose("exec", "-T", "db", "test", "-e", "/tmp/batches-done").returncode != 0:
        assert time.monotonic() < deadline, "the writer did not stop"
        time.sleep(0.2)
    written = int(sql(shop, "SELECT count(*) FROM batches"))
    assert snapshot(cli, shop, "restore", "busy", "db", "--no-restart")[0] == 0
    rows, batches = sql(shop, "SELECT count(*), count(DISTINCT batch) FROM batches").split("|")
    assert 0 < int(rows) < written  # saved while it was writing
    assert int(rows) == 100 * int(batches)  # whole transactions only
    assert sql(shop, "SELECT count(*) FROM batches WHERE id > 0") == rows  # the primary key index agrees
    sql(shop, "DROP TABLE batches")
    assert snapshot(cli, shop, "rm", "busy")[0] == 0


def test_snapshots_survive_down_and_up(shop, cli):
    code, out, err = devenv(cli, shop, "down")
    assert code == 0, out + err
    code, out, err = devenv(cli, shop, "up", "--timeout", "300")
    assert code == 0, out + err
    assert listed(cli, shop) == [("seeded", "cache"), ("seeded", "db"), ("seeded", "queue")]
    change_everything(shop)
    assert snapshot(cli, shop, "restore", "seeded")[0] == 0
    assert_seeded(shop)


def test_rm_deletes_and_down_volumes_deletes_the_rest(shop, cli):
    assert snapshot(cli, shop, "save", "extra", "cache")[0] == 0
    code, out, err = snapshot(cli, shop, "rm", "extra")
    assert code == 0 and out.startswith("cache: removed snapshot extra (")
    assert snapshot(cli, shop, "rm", "extra")[0] == 2
    assert listed(cli, shop) == [("seeded", "cache"), ("seeded", "db"), ("seeded", "queue")]
    code, out, err = devenv(cli, shop, "down", "--volumes", "--yes")
    assert code == 0, out + err
    code, out, err = devenv(cli, shop, "up", "--timeout", "300")
    assert code == 0, out + err
    assert listed(cli, shop) == []
    code, out, _ = snapshot(cli, shop, "list")
    assert out == f"{shop.name}: no snapshots (save one: devenv snapshot save [NAME])\n"
