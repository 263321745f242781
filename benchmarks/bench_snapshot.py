"""Getting a 1,000,000-row PostgreSQL database back: `devenv snapshot restore` against re-seeding the
same fixtures (`devenv seed db --reset`) and against `pg_restore` of a custom-format dump.

Same run, same server (the project's PostgreSQL 15 container), same data: the fixtures of
bench_fixtures.py (001_schema.sql and a 1,000,000-row 010_events.csv into `events`, bigint
primary key plus four columns), seeded by `devenv up`, then saved once as snapshot `bench`
and dumped once with `pg_dump -Fc`. Each round, for each method in turn: the data is changed
(every tenth row deleted, then CHECKPOINT, so no method pays for another's dirty pages), the
method brings the 1,000,000 rows back (checked by a count), and its time is taken:

- devenv restore: `devenv snapshot restore bench` end to end (CLI start, project load, engine
  calls, the template copy and the swap in the server);
- devenv seed --reset: `devenv seed db --reset` end to end (drop the schema, load both files);
- pg_restore: `docker exec <db> pg_restore --clean --if-exists -d <db> -j N /tmp/events.dump`
  (the dump already in the container, no CLI start: the strictest baseline), for N = 1 and
  N = 2 (the machine's cores); the faster median is the baseline.

Besides: `devenv snapshot save` (with --force, the same name) and the server's own part of a
restore (restore.sql through `docker exec psql`, no devenv). BENCH_ROUNDS rounds (default 5);
medians in benchmarks/results/snapshot.json. Goal: devenv restore <= 1 s.
"""

from __future__ import annotations

import os
import sys

from bench_fixtures import SCHEMA, make_csv
from common import DEVENV, ROOT, postgres_project, remove_project, run, standins, summary, timed, write

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
GOAL_S = 1.0
SPEC = """\
name: {name}
dependencies:
  db: {{kind: postgres, version: "15"}}
fixtures:
  db: fixtures/db
images:
  mirror: {{docker.io: devenv-local}}
"""


def main() -> int:
    standins(["postgres"])
    name, base, root, fixtures = postgres_project("bench-snap", SCHEMA, SPEC)
    env = {**os.environ, "COMPOSE_BAKE": "false"}
    database = name.replace("-", "_")
    devenv = [DEVENV, "-C", str(root), "--output", "plain"]
    try:
        print(f"generating {ROWS} rows ...", flush=True)
        make_csv(fixtures / "010_events.csv", ROWS)
        csv_bytes = (fixtures / "010_events.csv").stat().st_size
        run([*devenv, "up", "--timeout", "600"], env=env)
        container = run(["docker", "compose", "-p", name, "ps", "-q", "db"], env=env).stdout.strip()
        psql = ["docker", "exec", "-e", "PGPASSWORD=devenv", container, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-h", "127.0.0.1", "-U", "devenv", "-d", database]

        def count() -> int:
            return int(run([*psql, "-Atc", "SELECT count(*) FROM events"]).stdout.strip())

        def change() -> None:
            run([*psql, "-c", "DELETE FROM events WHERE id % 10 = 0", "-c", "CHECKPOINT"])
            assert count() == ROWS - ROWS // 10

        assert count() == ROWS
        size = int(run([*psql, "-Atc", "SELECT pg_database_size(current_database())"]).stdout.strip())
        run([*devenv, "snapshot", "save", "bench"], env=env)
        dump_s = timed(["docker", "exec", "-e", "PGPASSWORD=devenv", container, "pg_dump", "-Fc", "-h", "127.0.0.1",
                        "-U", "devenv", "-d", database, "-f", "/tmp/events.dump"])
        dump_bytes = int(run(["docker", "exec", container, "stat", "-c", "%s", "/tmp/events.dump"]).stdout)
        restore_sql = (ROOT / "devenv" / "kinds" / "postgres" / "snapshot" / "restore.sql").read_text()
        in_server = ["docker", "exec", "-i", "-e", "PGPASSWORD=devenv", container, "psql", "-X", "-q", "-At",
                     "-h", "127.0.0.1", "-U", "devenv", "-d", "postgres", "-v", f"db={database}",
                     "-v", "snap=devenv_snap_bench", "-v", "name=bench", "-f", "-"]

        def pg_restore(jobs: int) -> list[str]:
            return ["docker", "exec", "-e", "PGPASSWORD=devenv", container, "pg_restore", "--clean", "--if-exists",
                    "--exit-on-error", "-j", str(jobs), "-h", "127.0.0.1", "-U", "devenv", "-d", database,
                    "/tmp/events.dump"]

        methods = {
            "devenv_restore": lambda: timed([*devenv, "snapshot", "restore", "bench"], env=env),
            "devenv_seed_reset": lambda: timed([*devenv, "seed", "db", "--reset"], env=env),
            "pg_restore_j1": lambda: timed(pg_restore(1)),
            "pg_restore_j2": lambda: timed(pg_restore(2)),
            "restore_sql_in_server": lambda: timed(in_server, stdin=restore_sql),
        }
        samples: dict[str, list[float]] = {key: [] for key in methods}
        saves: list[float] = []
        for round_ in range(ROUNDS):
            order = list(methods)[round_ % len(methods):] + list(methods)[:round_ % len(methods)]
            for key in order:
                change()
                took = methods[key]()
                assert count() == ROWS, f"{key} left {count()} rows, expected {ROWS}"
                samples[key].append(took)
                print(f"round {round_ + 1}: {key}: {took:.3f}s", flush=True)
            saves.append(timed([*devenv, "snapshot", "save", "bench", "--force"], env=env))
            print(f"round {round_ + 1}: devenv save --force: {saves[-1]:.3f}s", flush=True)

        stats = {key: summary(values) for key, values in samples.items()}
        restore = stats["devenv_restore"]["median_s"]
        best_pg = min(stats["pg_restore_j1"]["median_s"], stats["pg_restore_j2"]["median_s"])
        out = {
            "rows": ROWS,
            "csv_bytes": csv_bytes,
            "database_bytes": size,
            "dump_bytes": dump_bytes,
            "pg_dump_fc_seconds": round(dump_s, 3),
            "rounds": ROUNDS,
            "table": "events (bigint primary key, integer, text, numeric, timestamptz), from bench_fixtures.py",
            "before_each": "DELETE FROM events WHERE id % 10 = 0; CHECKPOINT",
            "devenv_snapshot_restore": {
                **stats["devenv_restore"],
                "what": "`devenv snapshot restore bench` end to end: CLI, project, engine, template copy, swap",
            },
            "devenv_seed_reset": {
                **stats["devenv_seed_reset"],
                "what": "`devenv seed db --reset` end to end: drop schema public, 001_schema.sql, the 1M-row CSV",
            },
            "pg_restore_j1": {
                **stats["pg_restore_j1"],
                "what": "`docker exec db pg_restore --clean --if-exists -j 1` of a `pg_dump -Fc` in the container",
            },
            "pg_restore_j2": {**stats["pg_restore_j2"], "what": "the same with -j 2"},
            "restore_sql_in_server": {
                **stats["restore_sql_in_server"],
                "what": "restore.sql through `docker exec psql` (the server's part of a devenv restore)",
            },
            "devenv_snapshot_save": {
                **summary(saves), "what": "`devenv snapshot save bench --force` end to end (after each round)"
            },
            "ratio_seed_reset_vs_restore": round(stats["devenv_seed_reset"]["median_s"] / restore, 1),
            "ratio_pg_restore_vs_restore": round(best_pg / restore, 1),
            "goal": f"devenv snapshot restore <= {GOAL_S} s",
            "goal_met": restore <= GOAL_S,
        }
        path = write("snapshot.json", out)
        reset = stats["devenv_seed_reset"]["median_s"]
        print(
            f"devenv snapshot restore {restore:.3f}s; devenv seed --reset {reset:.3f}s "
            f"({out['ratio_seed_reset_vs_restore']}x); pg_restore {best_pg:.3f}s "
            f"({out['ratio_pg_restore_vs_restore']}x)"
        )
        print(f"wrote {path}")
    finally:
        remove_project(name, directory=base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
