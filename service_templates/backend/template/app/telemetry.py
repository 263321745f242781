"""OpenTelemetry: traces, metrics and logs over OTLP/HTTP (the OpenTelemetry SDK).

Where they go and who we are come from the standard variables, which devenv sets:
OTEL_EXPORTER_OTLP_ENDPOINT (devenv's dashboard, or a cluster's collector),
OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES. Without an endpoint (or with
OTEL_SDK_DISABLED=true, as in the tests) nothing is exported; log lines still carry
the trace and span ids of the request they belong to.

Instrumented: FastAPI's own telemetry (server spans and HTTP metrics, app/main.py), psycopg
(database), redis, httpx and requests (outgoing HTTP), and the pika channel jobs are published on (app/jobs.py; the W3C
trace context goes into the message's AMQP headers).
"""

from __future__ import annotations

import logging
import os
from collections.abc import MutableMapping
from typing import Any

from fastapi.telemetry import TelemetryConfig

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
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(
        MeterProvider(resource=resource, metric_readers=[PeriodicExportingMetricReader(OTLPMetricExporter())])
    )
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

    FastAPI records a server span and the HTTP server metrics (request duration, active
    requests) of every request once the SDK's providers are installed (setup()), and
    nothing while they are not. No spans for the health checks (the engine calls them
    every few seconds), and no operation spans (dependency resolution, endpoint,
    serialization): the request's span has their time, and they would double its cost.
    """
    return TelemetryConfig(operation_spans=False, exclude=_is_health_check)


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
