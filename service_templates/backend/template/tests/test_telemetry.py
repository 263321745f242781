"""RequestMetrics: the request duration metric, recorded from the server spans as they are exported."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import Histogram, InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from app.telemetry import RequestMetrics


def test_server_spans_become_request_durations_and_are_still_exported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_SDK_DISABLED")  # the providers of this test only (conftest.py disables the SDK)
    reader = InMemoryMetricReader()
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(RequestMetrics(spans, MeterProvider([reader]).get_meter("t"))))
    tracer = provider.get_tracer("t")
    request = {"http.request.method": "GET", "url.path": "/api/items/7", "http.route": "/api/items/{id}"}
    for status in (200, 200, 500):
        span = tracer.start_span("GET /api/items/{id}", kind=SpanKind.SERVER, attributes=request, start_time=1_000)
        span.set_attribute("http.response.status_code", status)
        span.end(end_time=1_000 + 25_000_000)  # 25 ms
    tracer.start_span("SELECT", kind=SpanKind.CLIENT, attributes={"db.system.name": "postgresql"}).end()
    tracer.start_span("job", kind=SpanKind.SERVER).end()  # a server span that is not HTTP

    assert len(spans.get_finished_spans()) == 5  # every span still goes on
    data = reader.get_metrics_data()
    assert data is not None
    [metric] = [m for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics]
    assert metric.name == "http.server.request.duration" and metric.unit == "s"
    assert isinstance(metric.data, Histogram)
    points = {(point.attributes or {})["http.response.status_code"]: point for point in metric.data.data_points}
    assert points[200].count == 2 and points[500].count == 1
    assert abs(points[200].sum - 0.05) < 1e-9
    assert dict(points[200].attributes or {}) == {
        "http.request.method": "GET",
        "http.route": "/api/items/{id}",
        "http.response.status_code": 200,
    }  # url.path is left out: a metric keeps the route, not each path
