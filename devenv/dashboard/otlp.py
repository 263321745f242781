"""Decode OTLP/HTTP requests (protobuf or JSON) into the store's records.

Uses the generated classes of ``opentelemetry-proto``. OTLP/JSON differs from the
protobuf JSON mapping in one point: trace and span ids are hex strings, not base64;
they are converted before parsing.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from .store import LogRecord, MetricPoint, Span

KINDS = ("unspecified", "internal", "server", "client", "producer", "consumer")
STATUS = ("unset", "ok", "error")
_ID_KEYS = frozenset(("traceId", "spanId", "parentSpanId"))


class BadRequest(ValueError):
    """The body is not a valid OTLP export request."""


def _parse(body: bytes, content_type: str, encoding: str, message: Message) -> None:
    if encoding.lower() == "gzip":
        try:
            body = gzip.decompress(body)
        except OSError as exc:
            raise BadRequest(f"bad gzip body: {exc}") from None
    if "json" in content_type.lower():
        try:
            data = json.loads(body)
            json_format.ParseDict(_hex_ids_to_base64(data), message, ignore_unknown_fields=True)
        except (ValueError, json_format.ParseError) as exc:
            raise BadRequest(f"bad OTLP/JSON: {exc}") from None
    else:
        try:
            message.ParseFromString(body)
        except DecodeError as exc:
            raise BadRequest(f"bad OTLP/protobuf: {exc}") from None


def _hex_ids_to_base64(data: Any) -> Any:
    """OTLP/JSON ids (hex) as the protobuf JSON mapping wants bytes (base64), recursively."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if key in _ID_KEYS and isinstance(value, str):
                with contextlib.suppress(ValueError):  # else already base64 (some exporters)
                    value = base64.b64encode(bytes.fromhex(value)).decode()
            else:
                value = _hex_ids_to_base64(value)
            out[key] = value
        return out
    if isinstance(data, list):
        return [_hex_ids_to_base64(item) for item in data]
    return data


def value_of(value: AnyValue) -> Any:
    """An OTLP AnyValue as plain JSON data."""
    which = value.WhichOneof("value")
    if which is None:
        return None
    if which == "array_value":
        return [value_of(item) for item in value.array_value.values]
    if which == "kvlist_value":
        return attributes_of(value.kvlist_value.values)
    if which == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, which)


def attributes_of(items: Any) -> dict[str, Any]:
    """A repeated KeyValue as a dict."""
    out: dict[str, Any] = {}
    item: KeyValue
    for item in items:
        out[item.key] = value_of(item.value)
    return out


def _service(resource_attributes: Any) -> str:
    for item in resource_attributes:
        if item.key == "service.name":
            return str(value_of(item.value))
    return "unknown"


def decode_traces(body: bytes, content_type: str = "application/x-protobuf", encoding: str = "") -> list[Span]:
    """The spans of an OTLP trace export request."""
    request = ExportTraceServiceRequest()
    _parse(body, content_type, encoding, request)
    out: list[Span] = []
    for resource_spans in request.resource_spans:
        service = _service(resource_spans.resource.attributes)
        for scope in resource_spans.scope_spans:
            for span in scope.spans:
                code = span.status.code
                out.append(
                    Span(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        service=service,
                        name=span.name,
                        kind=KINDS[span.kind] if 0 <= span.kind < len(KINDS) else "unspecified",
                        start=span.start_time_unix_nano,
                        end=max(span.end_time_unix_nano, span.start_time_unix_nano),
                        status=STATUS[code] if 0 <= code < len(STATUS) else "unset",
                        status_message=span.status.message,
                        attributes=attributes_of(span.attributes) if span.attributes else {},
                        events=[
                            {"name": e.name, "time": e.time_unix_nano, "attributes": attributes_of(e.attributes)}
                            for e in span.events
                        ],
                    )
                )
    return out


def level_of(severity_number: int, severity_text: str) -> str:
    """A log level name (trace, debug, info, warn, error, fatal) from OTLP severity."""
    if severity_number > 0:
        return ("trace", "debug", "info", "warn", "error", "fatal")[min((severity_number - 1) // 4, 5)]
    text = severity_text.lower()
    return {"warning": "warn", "critical": "fatal", "": "info"}.get(text, text)


def decode_logs(body: bytes, content_type: str = "application/x-protobuf", encoding: str = "") -> list[LogRecord]:
    """The log records of an OTLP logs export request."""
    request = ExportLogsServiceRequest()
    _parse(body, content_type, encoding, request)
    out: list[LogRecord] = []
    for resource_logs in request.resource_logs:
        service = _service(resource_logs.resource.attributes)
        for scope in resource_logs.scope_logs:
            for record in scope.log_records:
                body_value = value_of(record.body)
                out.append(
                    LogRecord(
                        time=record.time_unix_nano or record.observed_time_unix_nano,
                        service=service,
                        level=level_of(record.severity_number, record.severity_text),
                        body=body_value if isinstance(body_value, str) else json.dumps(body_value),
                        trace_id=record.trace_id.hex(),
                        span_id=record.span_id.hex(),
                        attributes=attributes_of(record.attributes),
                    )
                )
    return out


def decode_metrics(body: bytes, content_type: str = "application/x-protobuf", encoding: str = "") -> list[MetricPoint]:
    """The latest data point of each metric in an OTLP metrics export request (sums, gauges,
    and histograms as their mean)."""
    request = ExportMetricsServiceRequest()
    _parse(body, content_type, encoding, request)
    out: list[MetricPoint] = []
    for resource_metrics in request.resource_metrics:
        service = _service(resource_metrics.resource.attributes)
        for scope in resource_metrics.scope_metrics:
            for metric in scope.metrics:
                which = metric.WhichOneof("data")
                if which in ("sum", "gauge"):
                    points = getattr(metric, which).data_points
                    if not points:
                        continue
                    total = 0.0
                    for point in points:
                        total += point.as_double if point.WhichOneof("value") == "as_double" else point.as_int
                    stamp = max(p.time_unix_nano for p in points)
                elif which == "histogram":
                    hist = metric.histogram.data_points
                    if not hist:
                        continue
                    count = sum(p.count for p in hist)
                    total = sum(p.sum for p in hist) / count if count else 0.0
                    stamp = max(p.time_unix_nano for p in hist)
                else:
                    continue
                out.append(MetricPoint(service=service, name=metric.name, unit=metric.unit, value=total, time=stamp))
    return out
