"""OpenTelemetry: traces, metrics and logs over OTLP/HTTP (the OpenTelemetry SDK).

Where they go and who we are come from the standard variables, which devenv sets:
OTEL_EXPORTER_OTLP_ENDPOINT (devenv's dashboard, or a cluster's collector),
OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES. Without an endpoint (or with
OTEL_SDK_DISABLED=true, as in the tests) nothing is exported; log lines still carry
the trace and span ids of the request they belong to.

Instrumented: FastAPI's own telemetry (a server span a request, app/main.py), psycopg
(database), redis, httpx and requests (outgoing HTTP), and the pika channel jobs are published on (app/jobs.py; the W3C
trace context goes into the message's AMQP headers).

The HTTP server metric (``http.server.request.duration``) is recorded from the server spans
as they are exported (RequestMetrics), on the exporter's thread: a request pays for its span
only, not for a metric measurement too.
"""

from __future__ import annotations

import logging
import os
from collections.abc import MutableMapping, Sequence
from typing import Any

from fastapi.telemetry import TelemetryConfig
from opentelemetry.metrics import Meter
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import SpanKind

_done = False
# The access log (app/main.py): one line a request, on stdout only. The request's server span
# has its facts (method, route, status, duration); sending the line too would cost each
# request another log record to export (a fifth of the instrumentation's cost).
ACCESS_LOGGER = "app.access"


def enabled() -> bool:
    """Whether telemetry is exported: an OTLP endpoint is set and the SDK is not disabled."""
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    return bool(endpoint) and os.environ.get("OTEL_SDK_DISABLED", "").lower() != "true"


def setup() -> None:
    """Install the SDK's providers and exporters, the log bridge and the library instrumentations (once)."""
    global _done
    if _done or not enabled():
        return
    _done = True
    from opentelemetry import metrics, trace
    from opentelemetry._logs import set_logger_provider
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create()  # OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
    tracer_provider = TracerProvider(resource=resource)
    meter_provider = MeterProvider(
        resource=resource, metric_readers=[PeriodicExportingMetricReader(OTLPMetricExporter())]
    )
    metrics.set_meter_provider(meter_provider)
    exporter = RequestMetrics(OTLPSpanExporter(), meter_provider.get_meter("app.telemetry"))
    tracer_provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(tracer_provider)
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter()))
    set_logger_provider(logger_provider)
    handler = LoggingHandler(logger_provider=logger_provider)
    handler.addFilter(lambda record: record.name != ACCESS_LOGGER)
    logging.getLogger().addHandler(handler)
    logging.getLogger("opentelemetry").propagate = False  # an exporter's complaint must not loop back into it

    PsycopgInstrumentor().instrument(enable_commenter=False)
    RedisInstrumentor().instrument()
    HTTPXClientInstrumentor().instrument()
    RequestsInstrumentor().instrument()


HEALTH_PATHS = ("/healthz", "/readyz")


def _is_health_check(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") in HEALTH_PATHS


def fastapi_telemetry() -> TelemetryConfig:
    """FastAPI's own OpenTelemetry settings (``FastAPI(telemetry=...)``).

    FastAPI records a server span of every request once the SDK's providers are installed
    (setup()), and nothing while they are not. No spans for the health checks (the engine
    calls them every few seconds), and no operation spans (dependency resolution, endpoint,
    serialization): the request's span has their time, and they would double its cost.
    FastAPI's own HTTP metrics are off: RequestMetrics records the request duration from the
    span, off the request's path (measured: they cost a request about 0.06 ms, 6 %).
    """
    return TelemetryConfig(operation_spans=False, metrics=False, exclude=_is_health_check)


# The attributes OpenTelemetry's HTTP semantic conventions give http.server.request.duration,
# and its bucket boundaries (seconds).
METRIC_ATTRIBUTES = (
    "http.request.method",
    "http.route",
    "http.response.status_code",
    "error.type",
    "url.scheme",
    "network.protocol.version",
)
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)


class RequestMetrics(SpanExporter):
    """A span exporter that records ``http.server.request.duration`` from each HTTP server
    span it exports, then hands the spans on to ``exporter``.

    It runs on the batch span processor's thread, so the request itself records nothing but
    its span. (What the span cannot tell afterwards, the number of requests in flight, is
    not recorded.)
    """

    def __init__(self, exporter: SpanExporter, meter: Meter) -> None:
        self._exporter = exporter
        self._duration = meter.create_histogram(
            "http.server.request.duration",
            unit="s",
            description="Duration of HTTP server requests.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Record the duration of every HTTP server span in ``spans``; export them."""
        for span in spans:
            attributes = span.attributes or {}
            if (
                span.kind is SpanKind.SERVER
                and "http.request.method" in attributes
                and span.end_time
                and span.start_time
            ):
                self._duration.record(
                    (span.end_time - span.start_time) / 1e9,
                    {key: attributes[key] for key in METRIC_ATTRIBUTES if key in attributes},
                )
        return self._exporter.export(spans)

    def shutdown(self) -> None:
        """Shut the wrapped exporter down."""
        self._exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the wrapped exporter."""
        return self._exporter.force_flush(timeout_millis)


def instrument_channel(channel) -> None:
    """A span for each publish on this pika channel, its trace context in the AMQP headers.

    Only the channel jobs go out on: pika's global instrumentation also wraps the
    connection's inner channel, and each publish would show up twice.
    """
    if not enabled():
        return
    from opentelemetry.instrumentation.pika import PikaInstrumentor

    PikaInstrumentor.instrument_channel(channel)


def quiet():
    """A context in which instrumented libraries make no spans (health checks' pings)."""
    from opentelemetry.instrumentation.utils import suppress_instrumentation

    return suppress_instrumentation()


def current_ids() -> dict[str, str]:
    """{"trace_id", "span_id"} of the current span, as hex; empty outside a trace."""
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {}
    return {"trace_id": format(context.trace_id, "032x"), "span_id": format(context.span_id, "016x")}


def inject(carrier: dict[str, str]) -> dict[str, str]:
    """Put the current trace context (W3C ``traceparent``) into ``carrier``; returns it."""
    from opentelemetry import propagate

    propagate.inject(carrier)
    return carrier
