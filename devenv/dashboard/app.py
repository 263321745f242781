"""The dashboard's web app (Starlette): OTLP/HTTP receiver, JSON API and the static page.

POST /v1/traces | /v1/logs | /v1/metrics   OTLP/HTTP, protobuf or JSON (gzip allowed)
GET  /api/traces?service=NAME               trace summaries, newest first
GET  /api/traces/{trace_id}                 {"spans": [...]}
GET  /api/logs?service=&trace_id=&level=&q=&after=&limit=
GET  /api/resources                         services and dependencies, state, health, URLs
GET  /api/metrics                           per service: request rate, latency percentiles, error rate
GET  /healthz
GET  /                                      the page (static/)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import metrics, otlp
from .resources import Resources
from .store import Store

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
PROTOBUF = "application/x-protobuf"
MAX_BODY = 32 * 1024 * 1024


def _int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name, "")
    return int(raw) if raw.isdigit() else default


def create_app(store: Store | None = None, resources_file: Path | None = None) -> Starlette:
    """The app over ``store`` (default: limits from DEVENV_DASHBOARD_MAX_SPANS / _MAX_LOGS)."""
    if store is None:
        limits = {key: f"DEVENV_DASHBOARD_{key.upper()}" for key in ("max_spans", "max_logs")}
        store = Store(**{key: int(os.environ[var]) for key, var in limits.items() if var in os.environ})
    held = store
    resources = Resources(resources_file or Path(os.environ.get("DEVENV_DASHBOARD_RESOURCES", HERE / "resources.json")))

    def receiver(decode: Callable[[bytes, str, str], list[Any]], add: Callable[[list[Any]], int]) -> Any:
        async def receive(request: Request) -> Response:
            body = await request.body()
            if len(body) > MAX_BODY:
                return JSONResponse({"error": "body too large"}, status_code=413)
            content_type = request.headers.get("content-type", PROTOBUF)
            try:
                items = decode(body, content_type, request.headers.get("content-encoding", ""))
            except otlp.BadRequest as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
            add(items)
            if "json" in content_type:
                return JSONResponse({})
            return Response(b"", media_type=PROTOBUF)  # an empty Export*ServiceResponse

        return receive

    async def traces(request: Request) -> Response:
        service = request.query_params.get("service") or None
        return JSONResponse(held.trace_summaries(service, limit=_int(request, "limit", 200)))

    async def trace(request: Request) -> Response:
        spans = held.trace(request.path_params["trace_id"])
        if spans is None:
            return JSONResponse({"error": "no such trace (or it left the window)"}, status_code=404)
        return JSONResponse({"spans": [s.to_json() for s in spans]})

    async def logs(request: Request) -> Response:
        q = request.query_params
        found = held.find_logs(
            service=q.get("service") or None,
            trace_id=q.get("trace_id") or None,
            level=q.get("level") or None,
            text=q.get("q") or None,
            after=_int(request, "after", 0),
            limit=_int(request, "limit", 500),
        )
        return JSONResponse([r.to_json() for r in found])

    async def resource_list(request: Request) -> Response:
        return JSONResponse(await resources.current(held.last_seen))

    async def metric_list(request: Request) -> Response:
        window = float(_int(request, "window", 60) or 60)
        return JSONResponse(metrics.service_metrics(held, window_s=window))

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "spans": len(held.spans), "logs": len(held.logs)})

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html")

    routes = [
        Route("/v1/traces", receiver(otlp.decode_traces, held.add_spans), methods=["POST"]),
        Route("/v1/logs", receiver(otlp.decode_logs, held.add_logs), methods=["POST"]),
        Route("/v1/metrics", receiver(otlp.decode_metrics, held.add_metrics), methods=["POST"]),
        Route("/api/traces", traces),
        Route("/api/traces/{trace_id}", trace),
        Route("/api/logs", logs),
        Route("/api/resources", resource_list),
        Route("/api/metrics", metric_list),
        Route("/healthz", healthz),
        Route("/", index),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.store = held
    return app
