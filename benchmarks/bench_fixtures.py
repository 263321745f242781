"""Loading a 1,000,000-row CSV into PostgreSQL: `devenv seed` against `psql \\copy` and row-by-row INSERTs.

Same run, same server (the project's PostgreSQL 15 container), same file, same table
(bigint primary key plus four columns). Each method starts from an empty table:

- devenv: the CSV is a fixture file; `devenv seed db` end to end (CLI start, start of the
  seed container, checksum, header check, the load in one transaction, record);
- psql \\copy: `docker exec <db> psql -c "\\copy events FROM file CSV HEADER"`, the file
  already inside the container, end to end (the strictest baseline: no container start);
- INSERTs: one INSERT statement per row from a SQL file through psql, in one transaction
  (BENCH_INSERT_ROWS rows, default all of them; rows/s is what is compared).

devenv and \\copy alternate for BENCH_ROUNDS rounds; medians give rows/s and ratios in
benchmarks/results/fixtures.json. Goal: devenv >= 0.8x the \\copy throughput.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
from pathlib import Path

from common import DEVENV, postgres_project, remove_project, run, standins, summary, timed, write

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
INSERT_ROWS = int(os.environ.get("BENCH_INSERT_ROWS", str(ROWS)))
GOAL = 0.8

SCHEMA = """\
CREATE TABLE IF NOT EXISTS events (
    id          bigint PRIMARY KEY,
    user_id     integer NOT NULL,
    kind        text NOT NULL,
    amount      numeric(10, 2) NOT NULL,
    created_at  timestamptz NOT NULL
);
"""
SPEC = """\
name: {name}
dependencies:
  db: {{kind: postgres, version: "15"}}
fixtures:
  db: fixtures/db
images:
  mirror: {{docker.io: devenv-local}}
"""


def make_csv(path: Path, rows: int) -> None:
    rng = random.Random(1)
    kinds = ["view", "click", "add_to_cart", "checkout", "refund"]
    with path.open("w", encoding="utf-8") as out:
        out.write("id,user_id,kind,amount,created_at\n")
        chunk = []
        for i in range(1, rows + 1):
            chunk.append(
                f"{i},{rng.randrange(1, 50000)},{rng.choice(kinds)},{rng.randrange(0, 100000) / 100:.2f},"
                f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d} {rng.randrange(24):02d}:00:00+00\n"
            )
            if len(chunk) == 10000:
                out.write("".join(chunk))
                chunk = []
        out.write("".join(chunk))


def make_inserts(csv_path: Path, sql_path: Path, rows: int) -> None:
    with csv_path.open(encoding="utf-8") as src, sql_path.open("w", encoding="utf-8") as out:
        next(src)
        for n, line in enumerate(src):
            if n >= rows:
                break
            i, user, kind, amount, created = line.rstrip("\n").split(",")
            out.write(f"INSERT INTO events VALUES ({i}, {user}, '{kind}', {amount}, '{created}');\n")


def main() -> int:
    standins(["postgres"])
    name, base, root, fixtures = postgres_project("bench-fx", SCHEMA, SPEC)
    env = {**os.environ, "COMPOSE_BAKE": "false"}
    database = name.replace("-", "_")
    data = base / "events.csv"
    inserts = base / "events.sql"
    try:
        print(f"generating {ROWS} rows ...", flush=True)
        make_csv(data, ROWS)
        size = data.stat().st_size
        run([DEVENV, "-C", str(root), "--output", "plain", "up", "--timeout", "300"], env=env)
        container = run(
            ["docker", "compose", "-p", name, "ps", "-q", "db"], env=env
        ).stdout.strip()
        run(["docker", "cp", str(data), f"{container}:/tmp/events.csv"])
        psql = ["docker", "exec", "-e", "PGPASSWORD=devenv", container, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-h", "127.0.0.1", "-U", "devenv", "-d", database]

        def empty() -> None:
            run([*psql, "-c", "TRUNCATE events", "-c", "DELETE FROM devenv_fixtures WHERE file = '010_events.csv'",
                 "-c", "CHECKPOINT"])

        def count() -> int:
            return int(run([*psql, "-Atc", "SELECT count(*) FROM events"]).stdout.strip())

        shutil.copy(data, fixtures / "010_events.csv")
        seed = [DEVENV, "-C", str(root), "--output", "plain", "seed", "db"]
        samples: dict[str, list[float]] = {"devenv": [], "copy": []}
        noop: list[float] = []
        for _ in range(ROUNDS):
            for method in ("copy", "devenv"):
                empty()
                if method == "devenv":
                    took = timed(seed, env=env)
                else:
                    took = timed([*psql, "-c", "\\copy events FROM '/tmp/events.csv' WITH (FORMAT csv, HEADER true)"])
                assert count() == ROWS, f"{method} loaded {count()} rows, expected {ROWS}"
                samples[method].append(took)
                print(f"{method}: {took:.2f}s ({ROWS / took:,.0f} rows/s)", flush=True)
            # the fixed cost of a `devenv seed` that finds nothing to do (the file is applied now)
            noop.append(timed(seed, env=env))
            print(f"devenv, nothing pending: {noop[-1]:.2f}s", flush=True)

        print(f"row-by-row INSERTs of {INSERT_ROWS} rows ...", flush=True)
        make_inserts(data, inserts, INSERT_ROWS)
        run(["docker", "cp", str(inserts), f"{container}:/tmp/events.sql"])
        empty()
        insert_s = timed([*psql, "-1", "-f", "/tmp/events.sql"])
        assert count() == INSERT_ROWS
        print(f"inserts: {insert_s:.2f}s ({INSERT_ROWS / insert_s:,.0f} rows/s)", flush=True)

        devenv_s, copy_s = summary(samples["devenv"]), summary(samples["copy"])
        devenv_rate = ROWS / devenv_s["median_s"]
        copy_rate = ROWS / copy_s["median_s"]
        insert_rate = INSERT_ROWS / insert_s
        out = {
            "rows": ROWS,
            "csv_bytes": size,
            "rounds": ROUNDS,
            "table": "events (bigint primary key, integer, text, numeric, timestamptz)",
            "devenv_seed": {
                **devenv_s, "rows_per_s": round(devenv_rate),
                "what": "`devenv seed db` end to end: CLI, start of db-seed, sha256, header check, load, record",
            },
            "psql_copy": {
                **copy_s, "rows_per_s": round(copy_rate),
                "what": "`docker exec db psql -c '\\copy events FROM file CSV HEADER'`, file already in the container",
            },
            "row_by_row_inserts": {"rows": INSERT_ROWS, "seconds": round(insert_s, 3), "rows_per_s": round(insert_rate),
                                   "what": "one INSERT per row through psql -f, one transaction"},
            "devenv_seed_nothing_pending": {
                **summary(noop),  # one per round, right after the devenv load
                "what": "fixed cost per `devenv seed`: CLI, container start, checksums, record lookup",
            },
            "devenv_load_rows_per_s_without_fixed_cost": round(
                ROWS / statistics.median(max(d - n, 1e-3) for d, n in zip(samples["devenv"], noop, strict=True))
            ),
            "ratio_devenv_vs_copy": round(devenv_rate / copy_rate, 3),
            "ratio_devenv_vs_inserts": round(devenv_rate / insert_rate, 2),
            "goal": f"devenv >= {GOAL}x psql \\copy throughput",
            "goal_met": devenv_rate / copy_rate >= GOAL,
        }
        path = write("fixtures.json", out)
        print(
            f"devenv seed {devenv_rate:,.0f} rows/s, psql \\copy {copy_rate:,.0f} rows/s "
            f"(ratio {out['ratio_devenv_vs_copy']:.2f}), INSERTs {insert_rate:,.0f} rows/s "
            f"(devenv {out['ratio_devenv_vs_inserts']:.1f}x)"
        )
        print(f"wrote {path}")
    finally:
        remove_project(name, directory=base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
