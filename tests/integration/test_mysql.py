"""MySQL and MariaDB on the real engine, both from the one MariaDB stand-in (tests/standins/mariadb/).

`mariadb:11` and `mysql:8` reach the same image through the mirror; each kind runs the
seeding program with its own client name (mariadb, mysql) and sets the image up through
its own variables (MARIADB_*, MYSQL_*). For each: the dependency comes up healthy, a
service reads the seeded data through DATABASE_URL (kind_client.py's MySQL protocol),
*.sql and *.csv fixtures seed once, a changed CSV is merged by primary key, failures name
the file and line (or the warning) and keep nothing, data survives down/up, and reset
seeds everything again. A 100,000-row CSV measures the bulk load.
"""

from __future__ import annotations

import time

import pytest

from tests.integration.test_kinds import APP, client, down, seed_counts, seed_log, standins, up

pytestmark = pytest.mark.docker

SCHEMA = """\
CREATE TABLE customers (
  id INT AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(200) NOT NULL UNIQUE,
  name VARCHAR(200),
  country CHAR(2)
);
CREATE TABLE products (sku VARCHAR(32) PRIMARY KEY, name VARCHAR(200) NOT NULL, price_cents INT NOT NULL);
CREATE TABLE events (id INT NOT NULL, kind VARCHAR(20) NOT NULL, payload VARCHAR(100));
CREATE TABLE notes (body TEXT);
"""
CUSTOMERS = (
    "id,email,name,country\n"
    '1,ann@example.com,"Smith, Ann",DE\n'
    '2,bob@example.com,"Bob ""the builder""",\n'  # quotes inside quotes; no country: NULL
    "3,cy@example.com,Cy,FR\n"
)
PRODUCTS = "sku,price_cents,name\r\nMUG-1,1499,Mug\r\nTEE-1,2500,T-shirt\r\n"  # CRLF, columns in another order
SETTINGS = "INSERT INTO notes (body) VALUES ('seeded by 030_notes.sql');\nINSERT INTO notes (body) VALUES ('second');\n"
EVENTS = 100_000


def sql(project, query: str) -> str:
    return client(project, "DATABASE_URL", "mysql", query)


def seed(cli, project, *args: str) -> tuple[int, str, str]:
    return cli("-C", project.root, "--output", "plain", "seed", *args)


@pytest.mark.parametrize("kind", ["mariadb", "mysql"])
def test_seeds_sql_and_csv_once_serves_database_url_and_keeps_data(project, cli, kind):
    standins("mariadb")  # one image: mariadb:11 and mysql:8 are its other names
    fixtures = project.root / "fixtures" / "db"
    fixtures.mkdir(parents=True)
    (fixtures / "001_schema.sql").write_text(SCHEMA)
    (fixtures / "010_customers.csv").write_text(CUSTOMERS)
    (fixtures / "020_products.csv").write_bytes(PRODUCTS.encode())
    (fixtures / "030_notes.sql").write_text(SETTINGS)
    lines = ["id,kind,payload"] + [f"{n},{'click' if n % 3 else 'view'},{'p' * (n % 40)}" for n in range(EVENTS)]
    (fixtures / "040_events.csv").write_text("\n".join(lines) + "\n")
    # mysql with the spec's own credentials (docs/spec.md#credentials), mariadb with devenv's
    credentials = ", user: shopper, password: s3cret-pw, database: orders" if kind == "mysql" else ""
    dependency = f"dependencies:\n  db: {{kind: {kind}{credentials}}}\nfixtures: {{db: fixtures/db}}\n"
    project.write(APP.format(deps="db") + dependency)

    started = time.monotonic()
    out = up(cli, project)
    print(f"{kind}: up with {EVENTS} CSV rows in {time.monotonic() - started:.1f}s")
    assert "db: running (healthy)" in out and "db-seed: exited" in out and "app: running" in out
    assert seed_log(project, "db-seed") == [
        "devenv-seed: applied 001_schema.sql",
        "devenv-seed: applied 010_customers.csv (3 rows into customers)",
        "devenv-seed: applied 020_products.csv (2 rows into products)",
        "devenv-seed: applied 030_notes.sql",
        f"devenv-seed: applied 040_events.csv ({EVENTS} rows into events)",
        "devenv-seed: done: 5 applied, 0 unchanged",
    ]
    # what the service sees through DATABASE_URL (and DB_URL)
    assert "MariaDB" in sql(project, "SELECT VERSION()")
    who = sql(project, "SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1), DATABASE()")
    assert who == ("shopper\torders" if credentials else f"devenv\t{project.name.replace('-', '_')}")
    assert sql(project, "SELECT id, name, country FROM customers ORDER BY id") == (
        '1\tSmith, Ann\tDE\n2\tBob "the builder"\t\\N\n3\tCy\tFR'
    )
    assert client(project, "DB_URL", "mysql", "SELECT name, price_cents FROM products ORDER BY sku") == (
        "Mug\t1499\nT-shirt\t2500"
    )
    assert sql(project, "SELECT COUNT(*), SUM(kind = 'view') FROM events") == f"{EVENTS}\t{(EVENTS + 2) // 3}"
    assert sql(project, "SELECT COUNT(*) FROM notes") == "2"
    assert seed_counts(cli, project) == {"db-seed": (5, 0)}

    # the service writes; seeding again applies nothing and doubles nothing
    assert sql(project, "INSERT INTO customers (email, name) VALUES ('new@example.com', 'New')") == ""
    assert sql(project, "SELECT id FROM customers WHERE email = 'new@example.com'") == "4"
    up(cli, project)
    again = project.compose("run", "--rm", "--no-deps", "-T", "db-seed").stdout.strip().splitlines()
    assert again[-1] == "devenv-seed: done: 0 applied, 5 unchanged"
    assert sql(project, "SELECT (SELECT COUNT(*) FROM customers), (SELECT COUNT(*) FROM notes)") == "4\t2"

    # a changed CSV is merged by its primary key; the service's own row stays
    (fixtures / "010_customers.csv").write_text(CUSTOMERS.replace("Cy,FR", "Cyrus,FR") + "5,eve@example.com,Eve,SE\n")
    assert seed_counts(cli, project) == {"db-seed": (4, 1)}
    code, out, err = seed(cli, project, "db")
    assert code == 0, out + err
    assert "db: applied 010_customers.csv (4 rows into customers, merged by primary key)" in out
    assert sql(project, "SELECT COUNT(*), MAX(id) FROM customers") == "5\t5"
    assert sql(project, "SELECT name FROM customers WHERE id = 3") == "Cyrus"

    # failures name the file and line (or the value), and keep nothing of the file
    bad = fixtures / "050_bad.sql"
    bad.write_text("INSERT INTO notes (body) VALUES ('kept?');\n\nINSERTT INTO notes VALUES (1);\n")
    code, _, err = seed(cli, project, "db")
    assert code == 1
    assert "error: seeding db failed: 050_bad.sql:3: ERROR 1064 (42000): You have an error in your SQL syntax" in err
    assert sql(project, "SELECT COUNT(*) FROM notes WHERE body = 'kept?'") == "0"
    bad.unlink()
    bad = fixtures / "060_customers.csv"
    bad.write_text("id,emial\n9,z@example.com\n")
    code, _, err = seed(cli, project, "db")
    assert code == 1
    assert (
        "error: seeding db failed: 060_customers.csv: header does not match table customers: no column(s) emial "
        "in the table (header: id, emial; table columns: id, email, name, country)"
    ) in err
    bad.write_text("sku,name,price_cents\nX-1,Thing,12\nX-2,Other,lots\n")
    bad.rename(fixtures / "060_products.csv")
    bad = fixtures / "060_products.csv"
    code, _, err = seed(cli, project, "db")
    assert code == 1
    assert "error: seeding db failed: 060_products.csv: Warning 1366: Incorrect integer value: 'lots'" in err
    assert "(nothing from this file was loaded)" in err
    assert sql(project, "SELECT COUNT(*) FROM products WHERE sku LIKE 'X-%'") == "0"
    bad.unlink()

    # data survives down/up
    down(cli, project)
    assert project.volumes() == [f"{project.name}_db-data"]
    up(cli, project)
    assert sql(project, "SELECT COUNT(*) FROM customers") == "5"
    assert seed_counts(cli, project) == {"db-seed": (5, 0)}

    # reset: the database dropped and created again, every file applied again
    code, out, err = seed(cli, project, "--reset")
    assert code == 0, out + err
    assert "db: reset: dropped and re-created database" in out and "db: 5 files applied, 0 unchanged" in out
    assert sql(project, "SELECT COUNT(*) FROM customers") == "4"  # the service's row is gone
