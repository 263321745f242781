"""OTLP decoding: requests built with the proto classes, as protobuf and as OTLP/JSON."""

from __future__ import annotations

import gzip
import json

import pytest
from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord, ResourceLogs, ScopeLogs
from opentelemetry.proto.metrics.v1.metrics_pb2 import Gauge, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

from devenv.dashboard import otlp

TRACE = bytes.fromhex("0af7651916cd43dd8448eb211c80319c")
ROOT = bytes.fromhex("b7ad6b7169203331")
CHILD = bytes.fromhex("00f067aa0ba902b7")


def resource(service: str) -> Resource:
    return Resource(attributes=[KeyValue(key="service.name", value=AnyValue(string_value=service))])


def trace_request() -> ExportTraceServiceRequest:
    spans = [
        Span(trace_id=TRACE, span_id=ROOT, name="POST /api/jobs", kind=Span.SPAN_KIND_SERVER,
             start_time_unix_nano=1_000_000_000, end_time_unix_nano=1_050_000_000,
             attributes=[KeyValue(key="http.response.status_code", value=AnyValue(int_value=202))]),
        Span(trace_id=TRACE, span_id=CHILD, parent_span_id=ROOT, name="jobs publish", kind=Span.SPAN_KIND_PRODUCER,
             start_time_unix_nano=1_010_000_000, end_time_unix_nano=1_020_000_000,
             status=Status(code=Status.STATUS_CODE_ERROR, message="boom")),
    ]  # fmt: skip
    return ExportTraceServiceRequest(
        resource_spans=[ResourceSpans(resource=resource("api"), scope_spans=[ScopeSpans(spans=spans)])]
    )


def check_spans(spans: list[otlp.Span]) -> None:
    assert [(s.trace_id, s.span_id, s.parent_span_id) for s in spans] == [
        (TRACE.hex(), ROOT.hex(), ""),
        (TRACE.hex(), CHILD.hex(), ROOT.hex()),
    ]
    root, child = spans
    assert (root.service, root.name, root.kind, root.status) == ("api", "POST /api/jobs", "server", "unset")
    assert root.attributes == {"http.response.status_code": 202}
    assert (root.start, root.end) == (1_000_000_000, 1_050_000_000)
    assert (child.kind, child.status, child.status_message) == ("producer", "error", "boom")


def test_traces_from_protobuf() -> None:
    check_spans(otlp.decode_traces(trace_request().SerializeToString()))


def test_traces_from_gzipped_protobuf() -> None:
    check_spans(otlp.decode_traces(gzip.compress(trace_request().SerializeToString()), encoding="gzip"))


def test_traces_from_json_with_hex_ids() -> None:
    data = json_format.MessageToDict(trace_request())
    spans = data["resourceSpans"][0]["scopeSpans"][0]["spans"]
    spans[0].update(traceId=TRACE.hex(), spanId=ROOT.hex())
    spans[1].update(traceId=TRACE.hex(), spanId=CHILD.hex(), parentSpanId=ROOT.hex())
    check_spans(otlp.decode_traces(json.dumps(data).encode(), "application/json"))


def test_bad_bodies_are_refused() -> None:
    with pytest.raises(otlp.BadRequest):
        otlp.decode_traces(b"\xff\xff\xff", "application/x-protobuf")
    with pytest.raises(otlp.BadRequest):
        otlp.decode_traces(b"{not json", "application/json")
    with pytest.raises(otlp.BadRequest):
        otlp.decode_traces(b"not gzip", encoding="gzip")


def test_logs_with_levels_and_ids() -> None:
    records = [
        LogRecord(time_unix_nano=5, severity_number=9, severity_text="INFO", body=AnyValue(string_value="job queued"),
                  trace_id=TRACE, span_id=ROOT),
        LogRecord(observed_time_unix_nano=6, severity_number=17, body=AnyValue(string_value="failed")),
        LogRecord(time_unix_nano=7, severity_text="WARNING", body=AnyValue(int_value=3)),
    ]  # fmt: skip
    request = ExportLogsServiceRequest(
        resource_logs=[ResourceLogs(resource=resource("worker"), scope_logs=[ScopeLogs(log_records=records)])]
    )
    for body, content_type in (
        (request.SerializeToString(), "application/x-protobuf"),
        (json.dumps(_hex_log_ids(json_format.MessageToDict(request))).encode(), "application/json"),
    ):
        found = otlp.decode_logs(body, content_type)
        assert [(r.time, r.service, r.level, r.body, r.trace_id, r.span_id) for r in found] == [
            (5, "worker", "info", "job queued", TRACE.hex(), ROOT.hex()),
            (6, "worker", "error", "failed", "", ""),
            (7, "worker", "warn", "3", "", ""),
        ]


def _hex_log_ids(data: dict) -> dict:
    record = data["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    record.update(traceId=TRACE.hex(), spanId=ROOT.hex())
    return data


def test_metrics_latest_values() -> None:
    gauge = Metric(
        name="queue.depth",
        unit="{job}",
        gauge=Gauge(data_points=[NumberDataPoint(as_int=4, time_unix_nano=9), NumberDataPoint(as_double=1.5)]),
    )
    request = ExportMetricsServiceRequest(
        resource_metrics=[ResourceMetrics(resource=resource("worker"), scope_metrics=[ScopeMetrics(metrics=[gauge])])]
    )
    [point] = otlp.decode_metrics(request.SerializeToString())
    assert (point.service, point.name, point.unit, point.value, point.time) == (
        "worker",
        "queue.depth",
        "{job}",
        5.5,
        9,
    )
