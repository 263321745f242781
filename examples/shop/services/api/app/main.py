"""Example backend: visits stored in PostgreSQL, a hit counter in Redis.

Connection settings come from the environment devenv generates
(DATABASE_URL, REDIS_URL): nobody types credentials twice.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import asynccontextmanager

import psycopg
import redis
from fastapi import FastAPI


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()})


handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(JsonFormatter())
logging.basicConfig(level=os.environ.get("LOG_LEVEL", "info").upper(), handlers=[handler], force=True)
log = logging.getLogger("api")

DATABASE_URL = os.environ["DATABASE_URL"]
REDIS_URL = os.environ["REDIS_URL"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS visits (
    id bigserial PRIMARY KEY,
    path text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
)
"""


def db() -> psycopg.Connection:
    return psycopg.connect(DATABASE_URL, connect_timeout=5)


@asynccontextmanager
async def lifespan(_: FastAPI):
    with db() as conn:
        conn.execute(SCHEMA)
    log.info("schema ready")
    yield


app = FastAPI(title="shop api", lifespan=lifespan)
cache = redis.Redis.from_url(REDIS_URL, socket_timeout=5)


@app.get("/healthz")
def healthz() -> dict:
    """Alive: the process answers."""
    return {"status": "ok"}


@app.get("/readyz")
def readyz() -> dict:
    """Ready: PostgreSQL and Redis answer."""
    with db() as conn:
        conn.execute("SELECT 1")
    cache.ping()
    return {"status": "ready"}


@app.get("/")
def index() -> dict:
    return {"service": "api", "endpoints": ["/healthz", "/readyz", "/api/visits", "/api/hits"]}


@app.post("/api/visits")
def add_visit(path: str = "/") -> dict:
    """Record a visit in PostgreSQL."""
    with db() as conn:
        row = conn.execute("INSERT INTO visits (path) VALUES (%s) RETURNING id", (path,)).fetchone()
    return {"id": row[0], "path": path}


@app.get("/api/visits")
def visits() -> dict:
    """How many visits PostgreSQL holds, and the server that answered."""
    with db() as conn:
        count = conn.execute("SELECT count(*) FROM visits").fetchone()[0]
        version = conn.execute("SHOW server_version").fetchone()[0]
    return {"count": count, "postgres": version}


@app.post("/api/hits")
def hit() -> dict:
    """Count a hit in Redis."""
    return {"hits": int(cache.incr("hits"))}
