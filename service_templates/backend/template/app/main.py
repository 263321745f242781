"""The HTTP API.

/healthz  alive: the process answers (liveness)
/readyz   ready: PostgreSQL (and the job queue, when there is one) answer (readiness)
/api/items        the example resource, stored in PostgreSQL
/api/jobs         background jobs for a worker service
"""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app import db, jobs, logs, telemetry
from app.settings import Settings

logs.setup()
telemetry.setup()  # traces, metrics and logs to OTEL_EXPORTER_OTLP_ENDPOINT (app/telemetry.py)
log = logging.getLogger("app")
access = logging.getLogger(telemetry.ACCESS_LOGGER)  # stdout only: the request's span has the same facts


class NewItem(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class NewJob(BaseModel):
    task: str = Field(default="word_count", min_length=1, max_length=100)
    payload: dict[str, Any] = Field(default_factory=dict)


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings = Settings.from_env()
    app.state.settings = settings
    app.state.pool = None
    if settings.database_url:
        pool = db.make_pool(settings.database_url)
        pool.open(wait=False)
        db.migrate(pool)
        app.state.pool = pool
    else:
        log.warning("DATABASE_URL is not set: /api/items answers 503")
    log.info("started", extra={"queue": jobs.queue_kind(settings)})
    try:
        yield
    finally:
        if app.state.pool is not None:
            app.state.pool.close()
        log.info("stopped")


app = FastAPI(title="backend", lifespan=lifespan, telemetry=telemetry.fastapi_telemetry())


@app.middleware("http")
async def access_log(request: Request, call_next):
    started = time.perf_counter()
    response = await call_next(request)
    if request.url.path not in telemetry.HEALTH_PATHS:
        access.info(
            "request",
            extra={
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
    return response


def _pool(request: Request):
    pool = request.app.state.pool
    if pool is None:
        raise HTTPException(503, "no database configured (DATABASE_URL)")
    return pool


@app.get("/healthz")
def healthz() -> dict:
    """Alive: the process answers."""
    return {"status": "ok"}


@app.get("/readyz")
def readyz(request: Request):
    """Ready: every dependency this service uses answers."""
    settings: Settings = request.app.state.settings
    checks: dict[str, str] = {}
    if request.app.state.pool is not None:
        checks["database"] = _check(lambda: db.ping(request.app.state.pool))
    if jobs.queue_kind(settings):
        checks["queue"] = _check(lambda: jobs.ping_queue(settings))
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)


def _check(probe) -> str:
    try:
        with telemetry.quiet():
            probe()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"error: {exc}"


@app.get("/api/items")
def list_items(request: Request) -> dict:
    return {"items": db.list_items(_pool(request))}


@app.post("/api/items", status_code=201)
def add_item(item: NewItem, request: Request) -> dict:
    return db.add_item(_pool(request), item.name)


@app.post("/api/jobs", status_code=202)
def add_job(new: NewJob, request: Request) -> dict:
    job = jobs.make_job(new.task, new.payload)
    try:
        jobs.enqueue(request.app.state.settings, job)
    except jobs.NoQueue as exc:
        raise HTTPException(503, str(exc)) from None
    log.info("job queued", extra={"job": job["id"], "task": job["task"]})
    return {"id": job["id"], "status": "queued"}


@app.get("/api/jobs/{job_id}")
def job_status(job_id: str, request: Request) -> dict:
    """The job's outcome: from PostgreSQL, else Redis; 'pending' while nobody recorded one."""
    found = None
    if request.app.state.pool is not None:
        found = db.job_result(request.app.state.pool, job_id)
    if found is None:
        found = jobs.redis_result(request.app.state.settings, job_id)
    return found or {"id": job_id, "status": "pending"}
