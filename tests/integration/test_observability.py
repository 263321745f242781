"""One trace from the browser to the worker: the three templates, RabbitMQ, Redis and devenv's dashboard.

A job started from the frontend in headless Chromium makes one trace: the browser's fetch, the
backend's server span, its Redis call (the job's status) and its publish to RabbitMQ, and the
worker's consumer span and its database write (PostgreSQL), all sharing the trace id, the W3C
context having crossed the queue in the AMQP headers. The dashboard returns the backend's and
the worker's log records of that trace, and its waterfall page shows it (the screenshot in
docs/observability.md is taken here).
"""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
import urllib.request

import pytest
from ruamel.yaml import YAML

from tests.conftest import must
from tests.integration.cdp import CHROMIUM, Browser
from tests.integration.conftest import ROOT, _load_standins, free_port, init_project, remove_project, until, wait_http

pytestmark = [
    pytest.mark.docker,
    pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium (apt-get install chromium)"),
]
SCREENSHOT = ROOT / "docs" / "images" / "waterfall.png"


def get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def stack(tmp_path_factory, standins):
    _load_standins().ensure_images(["rabbitmq"], prefix="devenv-local")
    root, name = init_project(tmp_path_factory.mktemp("otel"))
    web_port = free_port()
    must("-C", root, "add", "dependency", "postgres", "--version", "15")  # the stand-in's version
    must("-C", root, "add", "dependency", "rabbitmq")
    must("-C", root, "add", "dependency", "redis", "--version", "7")
    must("-C", root, "add", "service", "api", "--template", "backend", "--host-port", free_port())
    must("-C", root, "add", "service", "worker", "--template", "worker", "--queue", "rabbitmq")
    must("-C", root, "add", "service", "web", "--template", "frontend", "--host-port", web_port)
    yaml = YAML()  # round trip: the file stays as `devenv add` wrote it
    spec = yaml.load(root / "devenv.yaml")
    assert list(spec["services"]["worker"]["depends_on"]) == ["rabbitmq", "postgres"]  # outcomes go to PostgreSQL
    spec["services"]["api"]["depends_on"].append("redis")  # the backend marks queued jobs in Redis
    yaml.dump(spec, root / "devenv.yaml")
    try:
        started = time.monotonic()
        out = must("-C", root, "--output", "plain", "up", "--timeout", "600")
        print(f"devenv up: {time.monotonic() - started:.0f}s")
        url = must("-C", root, "dashboard", "--no-open").strip()  # on the host port the engine picked
        assert url.startswith("http://localhost:") and url.rstrip("/") in out  # also in the final table
        yield root, web_port, int(url.rstrip("/").rsplit(":", 1)[1])
    finally:
        remove_project(name)


def db_system(span: dict) -> str | None:
    attributes = span["attributes"]
    return attributes.get("db.system") or attributes.get("db.system.name")


def test_a_job_from_the_browser_is_one_trace_through_the_queue(stack, update_golden: bool) -> None:
    root, web_port, dash_port = stack
    dashboard = f"http://127.0.0.1:{dash_port}"
    wait_http(f"{dashboard}/healthz")

    def the_resources() -> dict[str, dict] | None:  # one probe each, 1 s: a stalled moment reads as unhealthy
        found = {r["name"]: r for r in get(f"{dashboard}/api/resources")}
        return found if found.get("api", {}).get("health") == "healthy" else None

    resources = until(the_resources, 30, "the api healthy on the dashboard", interval=0.5)
    assert set(resources) == {"api", "worker", "web", "postgres", "rabbitmq", "redis"}
    assert resources["rabbitmq"]["state"] == "running"

    with Browser() as browser:
        page = browser.page()
        page.call("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 720, "deviceScaleFactor": 1,
                                                         "mobile": False})  # fmt: skip
        page.load_until(f"http://localhost:{web_port}/", "!!document.querySelector('[data-testid=run-job]')", 180)
        page.evaluate("document.querySelector('[data-testid=run-job]').click()")
        shown = until(lambda: page.evaluate("(document.querySelector('[data-testid=job]') || {}).textContent || ''"),
                      30, "the queued job", interval=0.5)  # fmt: skip
        assert shown.startswith("job ") and shown.endswith(": queued"), shown
        job_id = shown.split()[1].rstrip(":")

        def complete(spans: list[dict]) -> bool:
            """Every span asserted below is in: each service exports in batches of its own, every second."""
            have = {(s["service"], s["kind"], db_system(s) or "") for s in spans}
            return (
                any(s["attributes"].get("messaging.message.id") == job_id for s in spans)
                and any(s["service"] == "web" and "/api/jobs" in json.dumps(s["attributes"]) for s in spans)
                and any(s["service"] == "api" and s["kind"] == "server" and "/api/jobs" in s["name"] for s in spans)
                and {("api", "client", "redis"), ("api", "producer", ""), ("worker", "consumer", "")} <= have
                and any(s["service"] == "worker" and db_system(s) == "postgresql" for s in spans)
            )

        def the_trace() -> list[dict] | None:
            for summary in get(f"{dashboard}/api/traces?service=worker"):
                if {"web", "api", "worker"} <= set(summary["services"]):
                    spans = get(f"{dashboard}/api/traces/{summary['trace_id']}")["spans"]
                    if complete(spans):
                        time.sleep(2.5)  # and nothing more on its way: the count holds across an export round
                        again = get(f"{dashboard}/api/traces/{summary['trace_id']}")["spans"]
                        return again if len(again) == len(spans) else None
            return None

        spans = until(the_trace, 60, "one trace from web through api to worker", interval=0.5)
        trace_id = spans[0]["trace_id"]
        assert {s["trace_id"] for s in spans} == {trace_id}
        by_id = {s["span_id"]: s for s in spans}

        def of(service: str, kind: str, db: bool = False) -> list[dict]:
            return [s for s in spans if s["service"] == service and s["kind"] == kind and bool(db_system(s)) == db]

        fetch = [s for s in of("web", "client") if "/api/jobs" in json.dumps(s["attributes"])]
        assert fetch, [(s["service"], s["name"]) for s in spans]
        [server] = [s for s in of("api", "server") if "/api/jobs" in s["name"]]
        assert server["parent_span_id"] == fetch[0]["span_id"]  # the fetch carried traceparent
        assert [db_system(s) for s in of("api", "client", db=True)] == ["redis"]  # the job's status
        [publish] = of("api", "producer")
        assert publish["attributes"]["messaging.system"] == "rabbitmq"
        [consume] = of("worker", "consumer")
        assert consume["parent_span_id"] == publish["span_id"]  # the context crossed RabbitMQ
        worker_db = [s for s in spans if s["service"] == "worker" and db_system(s) == "postgresql"]
        assert worker_db and all(s["parent_span_id"] == consume["span_id"] for s in worker_db)

        # each service exports its logs in batches of its own: wait for both lines, not for the first of each
        wanted = {("api", "job queued"), ("worker", "job done")}
        seen: list[dict] = []

        def the_logs() -> list[dict] | None:
            seen[:] = get(f"{dashboard}/api/logs?trace_id={trace_id}")
            return seen if wanted <= {(r["service"], r["body"]) for r in seen} else None

        try:
            records = until(the_logs, 30, "the trace's logs", interval=0.5)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; got {[(r['service'], r['body']) for r in seen]}") from None
        assert {r["trace_id"] for r in records} == {trace_id}
        assert all(r["span_id"] in by_id for r in records)
        api_only = get(f"{dashboard}/api/logs?" + urllib.parse.urlencode({"service": "api", "trace_id": trace_id}))
        assert api_only and {r["service"] for r in api_only} == {"api"}

        rows = page.load_until(f"{dashboard}/#/traces/{trace_id}", "document.querySelectorAll('.span-row').length", 30)
        assert rows == len(spans)
        page.evaluate(f"document.querySelector('.span-row[data-span=\"{consume['span_id']}\"]').click()")
        assert "messaging.destination.name" in page.evaluate("document.querySelector('.details').textContent")
        shot = base64.b64decode(page.call("Page.captureScreenshot", {"format": "png"})["data"])
        assert shot.startswith(b"\x89PNG")
        if update_golden:  # the docs' screenshot is rewritten like a golden file, not on every run
            SCREENSHOT.write_bytes(shot)

    # the services' own log lines carry the ids, too (what `devenv logs` shows)
    logs = must("-C", root, "logs", "worker", "--tail", "200")
    assert f'"trace_id": "{trace_id}"' in logs, logs[-2000:]

    # the metrics the SDKs export (every 60 s by default): the api's request durations, recorded
    # from its server spans as they are exported, and the worker's job durations
    def reported() -> dict[str, set[str]] | None:
        found = {m["service"]: {r["name"] for r in m["reported"]} for m in get(f"{dashboard}/api/metrics")}
        ok = "http.server.request.duration" in found.get("api", set()) and "messaging.process.duration" in found.get(
            "worker", set()
        )
        return found if ok else None

    until(reported, 150, "the api's and the worker's metrics", interval=0.5)
