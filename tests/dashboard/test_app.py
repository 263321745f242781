"""The JSON API over real OTLP requests: spans made by the OpenTelemetry SDK, encoded by its exporter's encoder."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.testclient import TestClient

from devenv.dashboard.app import create_app
from devenv.dashboard.store import Store

PROTOBUF = {"content-type": "application/x-protobuf"}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    resources = tmp_path / "resources.json"
    resources.write_text(
        json.dumps({"resources": [{"name": "nowhere.invalid", "type": "service", "port": 9, "urls": []}]})
    )
    return TestClient(create_app(Store(max_spans=1000, max_logs=1000), resources))


def sdk_spans(service: str):
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("POST /api/jobs", kind=SpanKind.SERVER) as root:
        root.set_attribute("http.route", "/api/jobs")
        with tracer.start_as_current_span("jobs publish", kind=SpanKind.PRODUCER) as child:
            child.set_status(Status(StatusCode.ERROR, "broker gone"))
        logger_provider = LoggerProvider(resource=Resource.create({"service.name": service}))
        logs = InMemoryLogRecordExporter()
        logger_provider.add_log_record_processor(SimpleLogRecordProcessor(logs))
        logger = logging.getLogger("test-dashboard")
        handler = LoggingHandler(logger_provider=logger_provider)
        logger.addHandler(handler)
        logger.warning("job queued")
        logger.removeHandler(handler)
    return exporter.get_finished_spans(), logs.get_finished_logs(), root


def test_traces_and_logs_round_trip(client: TestClient) -> None:
    spans, logs, root = sdk_spans("api")
    trace_id = format(root.get_span_context().trace_id, "032x")
    answer = client.post("/v1/traces", content=encode_spans(spans).SerializeToString(), headers=PROTOBUF)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/x-protobuf"
    assert client.post("/v1/logs", content=encode_logs(logs).SerializeToString(), headers=PROTOBUF).status_code == 200

    [summary] = client.get("/api/traces", params={"service": "api"}).json()
    assert summary["trace_id"] == trace_id
    assert (summary["services"], summary["spans"], summary["error"]) == (["api"], 2, True)
    assert set(summary) >= {"trace_id", "services", "spans", "start", "duration_ms", "error"}
    assert client.get("/api/traces", params={"service": "other"}).json() == []

    detail = client.get(f"/api/traces/{trace_id}").json()["spans"]
    assert [(s["name"], s["kind"], s["status"], s["service"]) for s in detail] == [
        ("POST /api/jobs", "server", "unset", "api"),
        ("jobs publish", "producer", "error", "api"),
    ]
    assert detail[1]["parent_span_id"] == detail[0]["span_id"]
    assert detail[0]["attributes"]["http.route"] == "/api/jobs"
    for key in ("trace_id", "span_id", "parent_span_id", "service", "name", "kind", "start", "end", "status"):
        assert key in detail[0]

    [record] = client.get("/api/logs", params={"service": "api", "trace_id": trace_id}).json()
    assert (record["level"], record["body"], record["trace_id"]) == ("warn", "job queued", trace_id)
    assert record["span_id"] == detail[0]["span_id"]
    assert set(record) >= {"time", "service", "level", "body", "trace_id", "span_id"}


def test_json_requests_answer_json(client: TestClient) -> None:
    answer = client.post("/v1/traces", content=b'{"resourceSpans": []}', headers={"content-type": "application/json"})
    assert (answer.status_code, answer.json()) == (200, {})


def test_bad_requests_and_unknown_traces(client: TestClient) -> None:
    assert client.post("/v1/traces", content=b"\xff\xff", headers=PROTOBUF).status_code == 400
    assert client.get("/api/traces/0123").status_code == 404


def test_resources_metrics_and_page(client: TestClient) -> None:
    [resource] = client.get("/api/resources").json()
    assert (resource["name"], resource["state"], resource["health"]) == ("nowhere.invalid", "unreachable", None)
    spans, _, _ = sdk_spans("api")
    client.post("/v1/traces", content=encode_spans(spans).SerializeToString(), headers=PROTOBUF)
    [api] = client.get("/api/metrics").json()
    assert (api["service"], api["requests"]) == ("api", 1)
    assert client.get("/").text.startswith("<!doctype html>")
    assert "waterfall" in client.get("/static/app.js").text
