"""Fixtures on the real engine: PostgreSQL, Redis and RabbitMQ seeded on `up`, idempotently.

One project for the module (the tests run in order and build on each other's state):
the repo-root sample set is copied in, so files can be changed and broken freely.
"""

from __future__ import annotations

import json
import shutil
import uuid

import pytest

from tests.integration import conftest
from tests.integration.conftest import MIRROR_PREFIX, ROOT, _load_standins

pytestmark = pytest.mark.docker

SPEC = """\
services:
  app:
    image: python:3.11-slim
    command: [python3, -m, http.server, "8000"]
    depends_on: [db]
dependencies:
  db: {kind: postgres, version: "15"}
  cache: {kind: redis, version: "7"}
  queue: {kind: rabbitmq, version: "3"}
fixtures:
  db: fixtures/db
  cache: fixtures/cache
  queue: fixtures/queue
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory, engine):
    _load_standins().ensure_images(["postgres", "redis", "rabbitmq", "python"], prefix=MIRROR_PREFIX)
    name = f"t-{uuid.uuid4().hex[:10]}"
    root = tmp_path_factory.mktemp("fixtures") / name
    root.mkdir()
    shutil.copytree(ROOT / "fixtures", root / "fixtures")
    made = conftest.TestProject(root, name)
    made.write(SPEC)
    yield made
    conftest.remove_project(name)


def sql(shop: conftest.TestProject, query: str) -> str:
    database = shop.name.replace("-", "_")
    proc = shop.compose("exec", "-T", "db", "psql", "-q", "-U", "devenv", "-d", database, "-Atc", query)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def redis(shop: conftest.TestProject, *args: str) -> str:
    proc = shop.compose("exec", "-T", "cache", "redis-cli", "--raw", *args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def queues(shop: conftest.TestProject) -> list[str]:
    proc = shop.compose("exec", "-T", "queue", "rabbitmqctl", "-q", "list_queues", "name")
    assert proc.returncode == 0, proc.stderr
    return sorted(line for line in proc.stdout.split() if line != "name")


COUNTS = (
    "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM products), (SELECT count(*) FROM orders), "
    "(SELECT count(*) FROM order_items)"
)
RECORDS = "SELECT file, checksum, applied_at FROM devenv_fixtures ORDER BY file"


def seed_rows(cli, shop) -> dict[str, dict]:
    code, out, err = cli("-C", shop.root, "status", "--json")
    assert code == 0, err
    return {row["service"]: row for row in json.loads(out)["services"] if row["service"].endswith("-seed")}


def test_up_seeds_postgres_redis_and_rabbitmq(shop, cli):
    code, out, err = cli("-C", shop.root, "--output", "plain", "up", "--timeout", "240")
    assert code == 0, out + err
    assert "db-seed: exited" in out and "app: running" in out
    assert sql(shop, COUNTS) == "200|60|500|1001"
    assert sql(shop, "SELECT name, price_cents FROM products WHERE sku = 'BOO-0055-S'") == "Notebook, dotted (S)|1499"
    # identity sequences moved past the loaded ids: the app can insert
    insert = "INSERT INTO customers (email, name, country) VALUES ('new@example.com', 'New', 'DE') RETURNING id"
    assert sql(shop, insert) == "201"
    assert sql(shop, "SELECT count(*) FROM order_totals") == "500"
    assert redis(shop, "GET", "feature:new-checkout") == "on"
    assert redis(shop, "HGET", "product:1", "sku") == "MUG-0001-S"
    assert redis(shop, "LRANGE", "catalog:categories", "0", "-1").split() == ["mugs", "shirts", "stickers", "books"]
    assert queues(shop) == ["emails.send", "orders.created", "shop.dead-letter"]
    rows = seed_rows(cli, shop)
    assert {name: (row["fixtures_applied"], row["fixtures_pending"]) for name, row in rows.items()} == {
        "db-seed": (6, 0),
        "cache-seed": (2, 0),
        "queue-seed": (1, 0),
    }
    assert rows["db-seed"]["health"] == "6 applied, 0 pending"


def test_up_again_applies_nothing_and_duplicates_nothing(shop, cli):
    before = sql(shop, RECORDS)
    code, out, err = cli("-C", shop.root, "--output", "plain", "up", "--timeout", "240")
    assert code == 0, out + err
    assert sql(shop, RECORDS) == before  # no file re-applied (applied_at unchanged)
    assert sql(shop, COUNTS) == "201|60|500|1001"  # the row the app added stays; nothing doubled
    assert "==> starting" not in out  # everything current, nothing pending: `up` ran nothing
    logs = shop.compose("logs", "--no-log-prefix", "db-seed").stdout.strip().splitlines()
    assert logs.count("devenv-seed: done: 6 applied, 0 unchanged") == 1 and "0 applied" not in logs[-1]
    # the seeding program itself, run again as plain compose would: applies nothing, doubles nothing
    again = shop.compose("run", "--rm", "--no-deps", "-T", "db-seed").stdout.strip().splitlines()
    assert again[-1] == "devenv-seed: done: 0 applied, 6 unchanged"
    assert sql(shop, RECORDS) == before and sql(shop, COUNTS) == "201|60|500|1001"


def test_changed_file_is_the_only_one_seed_applies(shop, cli):
    products = shop.root / "fixtures" / "db" / "020_products.csv"
    text = products.read_text().replace(
        "1,MUG-0001-S,Classic Mug (S),mugs,1499,", "1,MUG-0001-S,Classic Mug (S),mugs,1299,"
    )
    products.write_text(text + "61,MUG-0061-XL,Giant Mug (XL),mugs,2999,5\n")
    (shop.root / "fixtures" / "cache" / "001_settings.redis").open("a").write("SET feature:recommendations on\n")
    rows = seed_rows(cli, shop)
    assert rows["db-seed"]["health"] == "5 applied, 1 pending"
    assert rows["cache-seed"]["health"] == "1 applied, 1 pending"
    before = dict(line.split("|", 1) for line in sql(shop, RECORDS).splitlines())

    code, out, err = cli("-C", shop.root, "--output", "plain", "seed", "db", "cache")
    assert code == 0, out + err
    assert "db: applied 020_products.csv (61 rows into products, merged by primary key)" in out
    assert "db: 1 file applied, 5 unchanged" in out
    assert "cache: applied 001_settings.redis (8 commands)" in out
    assert len([line for line in out.splitlines() if ": applied " in line]) == 2  # nothing else re-applied
    after = dict(line.split("|", 1) for line in sql(shop, RECORDS).splitlines())
    assert [f for f in after if after[f] != before[f]] == ["020_products.csv"]
    assert sql(shop, "SELECT count(*), count(DISTINCT id) FROM products") == "61|61"
    assert sql(shop, "SELECT price_cents FROM products WHERE id = 1") == "1299"
    assert redis(shop, "GET", "feature:recommendations") == "on"
    assert {row["fixtures_pending"] for row in seed_rows(cli, shop).values()} == {0}


def test_bad_sql_file_fails_with_file_and_line_and_applies_nothing_of_it(shop, cli):
    bad = shop.root / "fixtures" / "db" / "050_bad.sql"
    bad.write_text(
        "INSERT INTO products (sku, name, category, price_cents) VALUES ('X-1', 'x', 'mugs', 1);\n"
        "\n"
        "INSERTT INTO products VALUES (1);\n"
    )
    try:
        code, _out, err = cli("-C", shop.root, "--output", "plain", "seed", "db")
        assert code == 1
        assert 'error: seeding db failed: 050_bad.sql:3: ERROR: syntax error at or near "INSERTT"' in err
        assert "LINE 1: INSERTT INTO products VALUES (1);" in err  # the database's own lines
        assert sql(shop, "SELECT count(*) FROM products WHERE sku = 'X-1'") == "0"  # its own transaction
        assert "050_bad.sql" not in sql(shop, RECORDS)
        assert sql(shop, "SELECT count(*) FROM devenv_fixtures") == "6"  # earlier files stay applied

        # `up` stops at the failed seeding too: the service that needs db is not started again
        code, _out, err = cli("-C", shop.root, "--output", "plain", "up", "--timeout", "120")
        assert code == 1
        assert "db-seed" in err
    finally:
        bad.unlink()


def test_mismatched_csv_header_names_the_file_and_the_columns(shop, cli):
    bad = shop.root / "fixtures" / "db" / "060_customers.csv"
    bad.write_text("id,emial,name,country\n500,z@example.com,Z,DE\n")
    try:
        code, _, err = cli("-C", shop.root, "--output", "plain", "seed", "db")
        assert code == 1
        assert (
            "error: seeding db failed: 060_customers.csv: header does not match table customers: "
            "no column(s) emial in the table (header: id, emial, name, country; "
            "table columns: id, email, name, country, created_at)"
        ) in err
        assert sql(shop, "SELECT count(*) FROM customers WHERE id = 500") == "0"
    finally:
        bad.unlink()


def test_bad_redis_file_fails_with_file_and_line(shop, cli):
    bad = shop.root / "fixtures" / "cache" / "020_bad.redis"
    bad.write_text("SET fine 1\n# comment\nSETT oops 2\n")
    try:
        code, _, err = cli("-C", shop.root, "--output", "plain", "seed", "cache")
        assert code == 1
        assert "error: seeding cache failed: 020_bad.redis:3: ERR unknown command 'SETT'" in err
        assert redis(shop, "EXISTS", "fine") == "0"  # MULTI/EXEC: nothing of the file applied
    finally:
        bad.unlink()


def test_reset_drops_what_fixtures_made_and_loads_everything_again(shop, cli):
    sql(shop, "INSERT INTO customers (email, name, country) VALUES ('stray@example.com', 'Stray', 'SE')")
    redis(shop, "SET", "stray", "1")
    code, out, err = cli("-C", shop.root, "--output", "plain", "seed", "--reset")
    assert code == 0, out + err
    assert "db: reset: dropped and re-created schema public" in out
    assert "db: 6 files applied, 0 unchanged" in out
    assert "cache: 2 files applied, 0 unchanged" in out
    assert "queue: 1 file applied, 0 unchanged" in out
    assert sql(shop, COUNTS) == "200|61|500|1001"
    assert redis(shop, "EXISTS", "stray") == "0"
    assert queues(shop) == ["emails.send", "orders.created", "shop.dead-letter"]


def test_plain_docker_compose_up_wait_seeds_the_same_data(shop, cli):
    code, _, err = cli("-C", shop.root, "down", "--volumes", "--yes")
    assert code == 0, err
    proc = shop.compose("up", "--detach", "--wait", "--wait-timeout", "240")
    assert proc.returncode == 0, proc.stderr
    assert sql(shop, COUNTS) == "200|61|500|1001"
    assert redis(shop, "HGET", "product:1", "sku") == "MUG-0001-S"
    assert queues(shop) == ["emails.send", "orders.created", "shop.dead-letter"]
    assert sql(shop, "SELECT count(*) FROM devenv_fixtures") == "6"
