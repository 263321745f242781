"""Observability: the dashboard's ingest rate, memory and page load, the backend's instrumentation cost,
and the idle CPU of the three-template stack with the dashboard on. Every figure with its baseline,
measured in the same run.

* ingest     - OTLP/HTTP protobuf requests (500 spans each, 8 attributes a span, as the SDK's batch
               exporter sends them) to the dashboard (devenv/dashboard, uvicorn, one process) over
               keep-alive connections from 4 client threads; spans per second. Baseline: the same
               requests to the same server stack whose /v1/traces reads the body and answers without
               decoding or storing (the HTTP part alone). Goal: >= 20,000 spans/s.
* memory     - resident memory (VmRSS) of the dashboard process at its retention limit (20,000 spans
               and 20,000 log records held, twice that sent); baseline: the same process empty.
               Goal: <= 200 MB.
* latency    - the backend template (app/ of service_templates/backend, its requirements in a
               throw-away venv) on uvicorn with its default LOG_LEVEL (info: an access log line per
               request), on two requests: GET /api/jobs/{id} (no dependency: the instrumentation's
               whole cost shows) and GET /api/items (one query to a throw-away PostgreSQL, a typical
               endpoint). p50 over 2,000 sequential keep-alive requests, with the SDK exporting to a
               dashboard vs with OTEL_SDK_DISABLED=true (no instrumentation), alternating rounds.
               Goal: <= 15 % slower, for the worse of the two.
* page_load  - headless Chromium opens the dashboard's trace list with 10,000 spans held (500 traces
               of 20 spans, from 4 services) until the list is drawn (performance.now() when the
               page's first view is ready), and the waterfall of one trace; baseline: an empty
               dashboard. Goal: <= 1 s.
* idle       - benchmarks/bench_idle.py's method (containers' cgroup CPU + the engine's processes)
               on the three-template stack (api, worker on Redis, web, PostgreSQL, Redis): with the
               dashboard running and the SDKs exporting (devenv.yaml as generated) vs the same stack
               with `observability: false`, alternating. Goal: <= 5 % of one core.

Results: benchmarks/results/observability.json.

    .venv/bin/python benchmarks/bench_observability.py [--parts ingest,memory,...] [--idle-seconds 60]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import RESULTS, ROOT, free_port, log, write
from common import cdp as load_cdp

sys.path.insert(0, str(ROOT))
GOALS = {"ingest_spans_per_s": 20_000, "memory_mb": 200, "latency_overhead_percent": 15, "page_load_s": 1.0,
         "idle_total_percent": 5.0}  # fmt: skip
BATCH = 500
PARTS = ("ingest", "memory", "page_load", "latency", "idle")
PROTOBUF = {"Content-Type": "application/x-protobuf"}


# --------------------------------------------------------------------------- OTLP requests


def trace_batches(traces: int, spans_per_trace: int, services: int = 4, seed: int = 1) -> list[bytes]:
    """ExportTraceServiceRequest bodies of BATCH spans each (the proto classes, as an SDK exporter sends)."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.resource.v1.resource_pb2 import Resource
    from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span

    rng = random.Random(seed)
    now = time.time_ns()
    spans: list[tuple[int, Span]] = []
    for t in range(traces):
        trace_id = rng.randbytes(16)
        parent = b""
        for i in range(spans_per_trace):
            span_id = rng.randbytes(8)
            start = now + t * 1_000_000 + i * 10_000
            attrs = [
                KeyValue(key="http.request.method", value=AnyValue(string_value="POST")),
                KeyValue(key="url.path", value=AnyValue(string_value=f"/api/items/{i}")),
                KeyValue(key="http.response.status_code", value=AnyValue(int_value=200)),
                KeyValue(key="server.address", value=AnyValue(string_value="api")),
                KeyValue(key="db.system.name", value=AnyValue(string_value="postgresql")),
                KeyValue(key="db.query.text", value=AnyValue(string_value="SELECT id, name FROM items")),
                KeyValue(key="network.peer.port", value=AnyValue(int_value=5432)),
                KeyValue(key="retry", value=AnyValue(bool_value=False)),
            ]
            kind = Span.SPAN_KIND_SERVER if i == 0 else Span.SPAN_KIND_CLIENT
            span = Span(trace_id=trace_id, span_id=span_id, parent_span_id=parent, name=f"op {i}", kind=kind,
                        start_time_unix_nano=start, end_time_unix_nano=start + 5_000_000, attributes=attrs)  # fmt: skip
            spans.append((i % services, span))
            parent = parent or span_id
    bodies = []
    for at in range(0, len(spans), BATCH):
        by_service: dict[int, list[Span]] = {}
        for service, span in spans[at : at + BATCH]:
            by_service.setdefault(service, []).append(span)
        request = ExportTraceServiceRequest(
            resource_spans=[
                ResourceSpans(
                    resource=Resource(
                        attributes=[KeyValue(key="service.name", value=AnyValue(string_value=f"svc{s}"))]
                    ),
                    scope_spans=[ScopeSpans(spans=items)],
                )
                for s, items in sorted(by_service.items())
            ]
        )
        bodies.append(request.SerializeToString())
    return bodies


def log_batches(count: int, seed: int = 2) -> list[bytes]:
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord, ResourceLogs, ScopeLogs
    from opentelemetry.proto.resource.v1.resource_pb2 import Resource

    rng = random.Random(seed)
    bodies = []
    for at in range(0, count, BATCH):
        records = [
            LogRecord(time_unix_nano=time.time_ns(), severity_number=9, severity_text="INFO",
                      body=AnyValue(string_value=f"request done {at + i}: GET /api/items 200 in 3.2 ms"),
                      trace_id=rng.randbytes(16), span_id=rng.randbytes(8),
                      attributes=[KeyValue(key="logger", value=AnyValue(string_value="app"))])
            for i in range(min(BATCH, count - at))
        ]  # fmt: skip
        resource = Resource(attributes=[KeyValue(key="service.name", value=AnyValue(string_value="api"))])
        bodies.append(
            ExportLogsServiceRequest(
                resource_logs=[ResourceLogs(resource=resource, scope_logs=[ScopeLogs(log_records=records)])]
            ).SerializeToString()
        )
    return bodies


# --------------------------------------------------------------------------- a dashboard process


BASELINE_APP = """
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

async def receive(request):
    await request.body()  # read, not decoded, not stored
    return Response(b"", media_type="application/x-protobuf")

app = Starlette(routes=[Route("/v1/traces", receive, methods=["POST"])])
"""


class Server:
    """The dashboard (python -m devenv.dashboard) or the baseline app, on a free port, in its own process."""

    def __init__(self, baseline: bool = False, max_spans: int = 20_000, max_logs: int = 20_000):
        self.port = free_port()
        self.tmp: str | None = None
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DEVENV_DASHBOARD_HOST": "127.0.0.1",
               "DEVENV_DASHBOARD_PORT": str(self.port), "DEVENV_DASHBOARD_OTLP_PORT": str(self.port),
               "DEVENV_DASHBOARD_MAX_SPANS": str(max_spans), "DEVENV_DASHBOARD_MAX_LOGS": str(max_logs)}  # fmt: skip
        if baseline:
            self.tmp = tempfile.mkdtemp(prefix="bench-otlp-")
            Path(self.tmp, "baseline_app.py").write_text(BASELINE_APP)
            argv = [sys.executable, "-m", "uvicorn", "baseline_app:app", "--port", str(self.port),
                    "--log-level", "warning", "--no-access-log", "--app-dir", self.tmp]  # fmt: skip
        else:
            argv = [sys.executable, "-m", "devenv.dashboard"]
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    stderr = self.proc.stderr.read() if self.proc.stderr else ""
                    raise RuntimeError(f"server did not start: {stderr}") from None
                time.sleep(0.1)

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        raise RuntimeError("no VmRSS")

    def post_all(self, path: str, bodies: list[bytes], threads: int = 4) -> float:
        """Send every body (split over ``threads`` keep-alive connections); the seconds it took."""
        errors: list[str] = []

        def send(part: list[bytes]) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            for body in part:
                conn.request("POST", path, body=body, headers=PROTOBUF)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(f"{path}: {response.status}")
            conn.close()

        workers = [threading.Thread(target=send, args=(bodies[i::threads],)) for i in range(threads)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
        if errors:
            raise RuntimeError(errors[0])
        return elapsed

    def get(self, path: str) -> bytes:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", path)
        body = conn.getresponse().read()
        conn.close()
        return body

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


# --------------------------------------------------------------------------- the measurements


def ingest(rounds: int) -> dict[str, Any]:
    bodies = trace_batches(traces=2_000, spans_per_trace=20)  # 40,000 spans, 80 requests
    spans = len(bodies) * BATCH
    out: dict[str, Any] = {"spans_per_round": spans, "batch": BATCH, "client_threads": 4}
    for name, baseline in (("dashboard", False), ("baseline_no_decode", True)):
        server = Server(baseline=baseline, max_spans=20_000)
        try:
            server.post_all("/v1/traces", bodies[:8])  # warm up
            rates = [spans / server.post_all("/v1/traces", bodies) for _ in range(rounds)]
        finally:
            server.stop()
        out[name] = {"spans_per_s_median": round(statistics.median(rates)), "rounds": [round(r) for r in rates]}
        log(f"ingest {name}: {out[name]['spans_per_s_median']} spans/s")
    out["goal_spans_per_s"] = GOALS["ingest_spans_per_s"]
    out["met"] = out["dashboard"]["spans_per_s_median"] >= GOALS["ingest_spans_per_s"]
    return out


def memory() -> dict[str, Any]:
    server = Server(max_spans=20_000, max_logs=20_000)
    try:
        time.sleep(1)
        empty = server.rss_mb()
        server.post_all("/v1/traces", trace_batches(traces=2_000, spans_per_trace=20, seed=3))  # 40,000 spans
        server.post_all("/v1/logs", log_batches(40_000))
        health = server.get("/healthz").decode()
        time.sleep(1)
        full = server.rss_mb()
    finally:
        server.stop()
    log(f"memory: empty {empty} MB, at the limit {full} MB ({health})")
    return {"held": health, "baseline_empty_mb": empty, "at_limit_mb": full, "goal_mb": GOALS["memory_mb"],
            "met": full <= GOALS["memory_mb"]}  # fmt: skip


def _load_time(page, url: str, timeout: float = 30) -> float:
    page.call("Page.navigate", {"url": "about:blank"})
    page.call("Page.navigate", {"url": url})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate("window.__devenvReady === undefined ? null : window.__devenvReady")
        if value is not None:
            return round(value / 1000, 4)
        time.sleep(0.02)
    raise RuntimeError(f"{url}: not drawn within {timeout}s")


def page_load(rounds: int) -> dict[str, Any]:
    cdp = load_cdp()
    out: dict[str, Any] = {"spans_held": 10_000, "goal_s": GOALS["page_load_s"]}
    with cdp.Browser() as browser:
        page = browser.page()
        for name, traces in (("with_10000_spans", 500), ("baseline_empty", 0)):
            server = Server(max_spans=20_000)
            try:
                if traces:
                    server.post_all("/v1/traces", trace_batches(traces=traces, spans_per_trace=20, seed=4))
                    trace_id = json.loads(server.get("/api/traces?limit=1"))[0]["trace_id"]
                else:
                    trace_id = "0" * 32
                base = f"http://127.0.0.1:{server.port}/"
                _load_time(page, base + "#/traces")  # warm the browser's cache and the server
                lists = [_load_time(page, base + "#/traces") for _ in range(rounds)]
                waterfalls = [_load_time(page, base + f"#/traces/{trace_id}") for _ in range(rounds)]
                rows = page.evaluate("document.querySelectorAll('.span-row').length")
            finally:
                server.stop()
            out[name] = {"trace_list_s_median": statistics.median(lists), "trace_list_s": lists,
                         "waterfall_s_median": statistics.median(waterfalls), "waterfall_rows": rows}  # fmt: skip
            log(f"page load {name}: list {out[name]['trace_list_s_median']}s, waterfall "
                f"{out[name]['waterfall_s_median']}s")  # fmt: skip
    worst = max(out["with_10000_spans"]["trace_list_s_median"], out["with_10000_spans"]["waterfall_s_median"])
    out["met"] = worst <= GOALS["page_load_s"]
    return out


def _backend_venv() -> Path:
    venv = Path(tempfile.mkdtemp(prefix="bench-backend-")) / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    requirements = ROOT / "service_templates" / "backend" / "template" / "requirements.txt"
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-r", str(requirements)], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return venv


# request: its path, and whether the backend gets DATABASE_URL (without it GET /api/jobs/{id}
# asks nothing: its status is "pending")
REQUESTS = {"no_dependency": ("/api/jobs/job{i}", False), "database": ("/api/items", True)}  # fmt: skip


def _p50_ms(port: int, requests: int, path: str) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    samples = []
    for i in range(requests + 100):
        started = time.perf_counter()
        conn.request("GET", path.format(i=i))
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"backend answered {response.status}")
        if i >= 100:  # the first ones warm up
            samples.append((time.perf_counter() - started) * 1000)
    conn.close()
    return round(statistics.median(samples), 4)


class Postgres:
    """A throw-away PostgreSQL (the stand-in image) on a loopback port, for GET /api/items."""

    def __init__(self) -> None:
        import docker
        from common import standins

        [image] = standins(["postgres"])
        self.port = free_port()
        self.client = docker.from_env(version="auto", timeout=120)
        self.container = self.client.containers.run(
            image, name=f"bench-otel-pg-{os.getpid()}", detach=True, ports={"5432/tcp": ("127.0.0.1", self.port)},
            environment={"POSTGRES_USER": "bench", "POSTGRES_PASSWORD": "bench", "POSTGRES_DB": "bench"},
        )  # fmt: skip
        self.url = f"postgresql://bench:bench@127.0.0.1:{self.port}/bench"
        deadline = time.monotonic() + 60
        while self.container.exec_run(["pg_isready", "-U", "bench", "-h", "127.0.0.1"]).exit_code != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not start")
            time.sleep(0.5)

    def remove(self) -> None:
        self.container.remove(force=True)


def _backend(venv: Path, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [str(venv / "bin" / "uvicorn"), "app.main:app", "--port", str(port), "--log-level", "warning",
         "--no-access-log"],
        cwd=ROOT / "service_templates" / "backend" / "template", env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.terminate()
                raise RuntimeError("the backend did not start") from None
            time.sleep(0.1)


def latency(rounds: int, requests: int = 2_000) -> dict[str, Any]:
    log("backend venv (the template's requirements)")
    venv = _backend_venv()
    dashboard = Server()
    postgres = Postgres()
    configs = ("instrumented", "baseline_sdk_disabled")
    results: dict[str, dict[str, list[float]]] = {r: {c: [] for c in configs} for r in REQUESTS}
    load = [round(x, 2) for x in os.getloadavg()]
    try:
        for _ in range(rounds):
            for config in configs:
                # the template's defaults: LOG_LEVEL info, an access log line per request
                env = {**os.environ, "OTEL_SERVICE_NAME": "api", "OTEL_BSP_SCHEDULE_DELAY": "1000",
                       "OTEL_BLRP_SCHEDULE_DELAY": "1000", "LOG_LEVEL": "info"}  # fmt: skip
                env.pop("OTEL_SDK_DISABLED", None)
                if config == "instrumented":
                    env["OTEL_EXPORTER_OTLP_ENDPOINT"] = f"http://127.0.0.1:{dashboard.port}"
                else:
                    env["OTEL_SDK_DISABLED"] = "true"
                for request, (path, database) in REQUESTS.items():
                    proc, port = _backend(venv, {**env, "DATABASE_URL": postgres.url} if database else env)
                    try:
                        results[request][config].append(_p50_ms(port, requests, path))
                    finally:
                        proc.terminate()
                        proc.wait(10)
                    log(f"latency {request} {config}: p50 {results[request][config][-1]} ms")
        traces = len(json.loads(dashboard.get("/api/traces?limit=100000")))
    finally:
        dashboard.stop()
        postgres.remove()
        shutil.rmtree(venv.parent, ignore_errors=True)
    load.extend(round(x, 2) for x in os.getloadavg())
    out: dict[str, Any] = {"requests_per_round": requests, "log_level": "info",
                           "load_average_1_5_15_before_after": load, "dashboard_traces_held": traces}  # fmt: skip
    for request, (path, _) in REQUESTS.items():
        with_sdk = statistics.median(results[request]["instrumented"])
        without = statistics.median(results[request]["baseline_sdk_disabled"])
        out[request] = {"request": "GET " + path.replace("job{i}", "{id}"), "instrumented_p50_ms": with_sdk,
                        "baseline_p50_ms": without, "overhead_ms": round(with_sdk - without, 4),
                        "overhead_percent": round((with_sdk / without - 1) * 100, 2),
                        "rounds": results[request]}  # fmt: skip
    worst = max(out[request]["overhead_percent"] for request in REQUESTS)
    out.update({"worst_overhead_percent": worst, "goal_overhead_percent": GOALS["latency_overhead_percent"],
                "met": worst <= GOALS["latency_overhead_percent"]})  # fmt: skip
    return out


def idle(seconds: float, settle: float, rounds: int) -> dict[str, Any]:
    import docker
    import yaml
    from bench_idle import Stack, measure
    from common import standins
    from idle_cpu import medians

    client = docker.from_env(version="auto", timeout=120)
    standins(["postgres", "redis", "python", "node"])
    stack = Stack()
    configs = ("dashboard_on", "observability_off")
    measured: list[dict] = []
    try:
        log(f"scaffolding {stack.root}")
        stack.create()
        spec_on = (stack.root / "devenv.yaml").read_text()
        stack.devenv("up", "--timeout", "900")
        for number in range(1, rounds + 1):
            for config in configs:
                stack.down()
                spec = spec_on if config == "dashboard_on" else spec_on + "observability: false\n"
                (stack.root / "devenv.yaml").write_text(spec)
                stack.devenv("up", "--timeout", "600")
                services = sorted(yaml.safe_load((stack.root / "docker-compose.yml").read_text())["services"])
                log(f"idle round {number}, {config} ({', '.join(services)}): settling {settle:g}s, measuring")
                time.sleep(settle)
                load = os.getloadavg()[0]
                result = measure(client, stack.name, seconds)
                load_after = os.getloadavg()[0]
                measured.append({"round": number, "config": config, **result,
                                 "load_average_1m_before_after": [round(load, 2), round(load_after, 2)]})  # fmt: skip
                log(f"  total {result['total_percent']}% (containers {result['containers_percent']}%)")
    finally:
        stack.remove()
    median = {config: medians(measured, config) for config in configs}
    total = median["dashboard_on"]["total_percent"]
    return {"window_seconds": seconds, "settle_seconds": settle, "rounds": measured, "median": median,
            "goal_total_percent": GOALS["idle_total_percent"],
            "met": None if total is None else total <= GOALS["idle_total_percent"]}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each in-process measurement (default 3)")
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"comma-separated, default all: {','.join(PARTS)}; results of "
        "the others stay as the results file has them (a partial run is for working on one part)",
    )
    parser.add_argument("--idle-seconds", type=float, default=60.0, help="idle window per round (default 60)")
    parser.add_argument("--idle-settle", type=float, default=20.0, help="wait before measuring idle (default 20)")
    parser.add_argument("--idle-rounds", type=int, default=2, help="rounds of (on, off) for idle (default 2)")
    args = parser.parse_args()
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown parts: {', '.join(unknown)}")
    previous = RESULTS / "observability.json"
    results: dict[str, Any] = {"benchmark": "observability"}
    if set(parts) != set(PARTS) and previous.exists():
        kept = json.loads(previous.read_text())
        results.update({key: kept[key] for key in PARTS if key in kept and key not in parts})
    for part in parts:
        if part == "ingest":
            results["ingest"] = ingest(args.rounds)
        elif part == "memory":
            results["memory"] = memory()
        elif part == "page_load":
            results["page_load"] = page_load(args.rounds)
        elif part == "latency":
            results["latency"] = latency(args.rounds)
        elif part == "idle":
            results["idle"] = idle(args.idle_seconds, args.idle_settle, args.idle_rounds)
    results["met"] = {key: results[key].get("met") for key in PARTS if key in results}
    path = write("observability.json", results)
    print(f"goals met: {results['met']}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
