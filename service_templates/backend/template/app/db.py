"""PostgreSQL: a connection pool, the schema, and the example resource (items)."""

from __future__ import annotations

import logging
import time
from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
"""

SEED = ["Write devenv.yaml", "Run devenv up", "Ship it"]


def make_pool(url: str) -> ConnectionPool:
    """A small pool; opened by the app's lifespan."""
    return ConnectionPool(url, min_size=1, max_size=5, open=False, kwargs={"connect_timeout": 5})


def migrate(pool: ConnectionPool, attempts: int = 30) -> None:
    """Create the tables and seed example rows, retrying while the database starts."""
    for attempt in range(1, attempts + 1):
        try:
            with pool.connection(timeout=5) as conn:
                # one migration at a time, even with several replicas starting together
                conn.execute("SELECT pg_advisory_xact_lock(4242)")
                conn.execute(SCHEMA)
                (count,) = conn.execute("SELECT count(*) FROM items").fetchone() or (0,)
                if count == 0:
                    with conn.cursor() as cur:
                        cur.executemany("INSERT INTO items (name) VALUES (%s)", [(name,) for name in SEED])
            log.info("database schema ready")
            return
        except Exception as exc:  # the database may still be starting
            if attempt == attempts:
                raise
            log.warning("database not ready, retrying", extra={"attempt": attempt, "error": str(exc)})
            time.sleep(1)


def list_items(pool: ConnectionPool) -> list[dict[str, Any]]:
    with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT id, name FROM items ORDER BY id").fetchall()


def add_item(pool: ConnectionPool, name: str) -> dict[str, Any]:
    with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute("INSERT INTO items (name) VALUES (%s) RETURNING id, name", (name,)).fetchone()
        assert row is not None  # RETURNING gives the new row
        return row


def job_result(pool: ConnectionPool, job_id: str) -> dict[str, Any] | None:
    """A job's outcome as the worker recorded it in PostgreSQL (table job_results), if any."""
    with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        table = cur.execute("SELECT to_regclass('job_results') AS t").fetchone()
        if table is None or table["t"] is None:
            return None
        return cur.execute(
            "SELECT id, task, status, result, error FROM job_results WHERE id = %s", (job_id,)
        ).fetchone()


def ping(pool: ConnectionPool) -> None:
    with pool.connection(timeout=2) as conn:
        conn.execute("SELECT 1")
