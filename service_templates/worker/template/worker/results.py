"""Where the outcome of each job is recorded, so others (the backend) can read it.

PostgreSQL (table job_results) when DATABASE_URL is set, else Redis (hash job:<id>,
kept for a week) when REDIS_URL is set, else only the log.
"""

from __future__ import annotations

import json
import logging
from typing import Any

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS job_results (
    id text PRIMARY KEY,
    task text NOT NULL,
    status text NOT NULL,
    result jsonb,
    error text,
    finished_at timestamptz NOT NULL DEFAULT now()
)
"""


class LogResults:
    kind = "log"

    def record(self, job_id: str, task: str, status: str, result: Any = None, error: str | None = None) -> None:
        log.info("job outcome", extra={"job": job_id, "task": task, "status": status, "error": error})

    def close(self) -> None:
        pass


class PostgresResults:
    kind = "postgres"

    def __init__(self, url: str):
        self.url = url
        self.conn: Any = None
        self._connect()

    def _connect(self):
        import psycopg

        self.conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(4243)")  # one creator at a time
            self.conn.execute(SCHEMA)
        return self.conn

    def record(self, job_id: str, task: str, status: str, result: Any = None, error: str | None = None) -> None:
        import psycopg

        sql = """
            INSERT INTO job_results (id, task, status, result, error) VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT (id) DO UPDATE SET task = EXCLUDED.task, status = EXCLUDED.status,
                result = EXCLUDED.result, error = EXCLUDED.error, finished_at = now()
        """
        values = (job_id, task, status, json.dumps(result) if result is not None else None, error)
        try:
            self.conn.execute(sql, values)
        except psycopg.OperationalError:  # the connection broke: one retry on a new one
            self._connect().execute(sql, values)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


class RedisResults:
    kind = "redis"

    def __init__(self, url: str, ttl: int = 7 * 86400):
        import redis

        self.client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=10)
        self.ttl = ttl

    def record(self, job_id: str, task: str, status: str, result: Any = None, error: str | None = None) -> None:
        key = f"job:{job_id}"
        fields = {"id": job_id, "task": task, "status": status, "result": json.dumps(result), "error": error or ""}
        with self.client.pipeline() as pipe:
            pipe.hset(key, mapping=fields)
            pipe.expire(key, self.ttl)
            pipe.execute()

    def close(self) -> None:
        self.client.close()


def make_results(database_url: str | None, redis_url: str | None):
    if database_url:
        return PostgresResults(database_url)
    if redis_url:
        return RedisResults(redis_url)
    return LogResults()
