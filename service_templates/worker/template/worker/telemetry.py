"""OpenTelemetry: traces, metrics and logs over OTLP/HTTP (the OpenTelemetry SDK).

Where they go and who we are come from the standard variables, which devenv sets:
OTEL_EXPORTER_OTLP_ENDPOINT (devenv's dashboard, or a cluster's collector),
OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES. Without an endpoint (or with
OTEL_SDK_DISABLED=true, as in the tests) nothing is exported; log lines still carry
the trace and span ids of the job they belong to.

Each job runs in a consumer span that continues the trace of the request that queued
it: its W3C trace context comes in the message's AMQP headers (RabbitMQ) or the job's
field "trace" (Redis). psycopg and redis are instrumented (the outcome's database
spans); waiting for the next job makes no spans. Each job's duration is also recorded
as the metric ``messaging.process.duration`` (JobMetrics), by task and outcome.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from typing import Any

from opentelemetry.metrics import Meter

_done = False


def enabled() -> bool:
    """Whether telemetry is exported: an OTLP endpoint is set and the SDK is not disabled."""
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    return bool(endpoint) and os.environ.get("OTEL_SDK_DISABLED", "").lower() != "true"


def setup() -> None:
    """Install the SDK's providers and exporters, the log bridge and the library instrumentations (once)."""
    global _done, _jobs
    if _done or not enabled():
        return
    _done = True
    from opentelemetry import metrics, trace
    from opentelemetry._logs import set_logger_provider
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
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
    meter_provider = MeterProvider(
        resource=resource, metric_readers=[PeriodicExportingMetricReader(OTLPMetricExporter())]
    )
    metrics.set_meter_provider(meter_provider)
    _jobs = JobMetrics(meter_provider.get_meter("worker"))
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter()))
    set_logger_provider(logger_provider)
    logging.getLogger().addHandler(LoggingHandler(logger_provider=logger_provider))
    logging.getLogger("opentelemetry").propagate = False  # an exporter's complaint must not loop back into it

    PsycopgInstrumentor().instrument(enable_commenter=False)
    RedisInstrumentor().instrument()


def quiet():
    """A context in which instrumented libraries make no spans (polling the queue)."""
    from opentelemetry.instrumentation.utils import suppress_instrumentation

    return suppress_instrumentation()


@contextmanager
def job_span(queue: str, system: str, job_id: str, task: str, carrier: dict[str, Any]):
    """A consumer span for one job, child of the context in ``carrier`` (``traceparent``, ...)."""
    from opentelemetry import propagate, trace
    from opentelemetry.trace import SpanKind

    context = propagate.extract({str(k): str(v) for k, v in (carrier or {}).items()})
    tracer = trace.get_tracer("worker")
    attributes = {
        "messaging.system": system,
        "messaging.operation.type": "process",
        "messaging.destination.name": queue,
        "messaging.message.id": job_id,
        "job.task": task,
    }
    with tracer.start_as_current_span(
        f"{queue} process", context=context, kind=SpanKind.CONSUMER, attributes=attributes
    ) as span:
        yield span


# OpenTelemetry's messaging semantic conventions: the bucket boundaries (seconds) of
# messaging.process.duration.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)


class JobMetrics:
    """``messaging.process.duration``: how long each job took, by queue, task and outcome."""

    def __init__(self, meter: Meter) -> None:
        self._duration = meter.create_histogram(
            "messaging.process.duration",
            unit="s",
            description="Duration of processing a job.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )

    def record(self, seconds: float, *, queue: str, system: str, task: str, error: str | None = None) -> None:
        """One job's duration; ``error``: the exception's type name when the job failed."""
        attributes = {
            "messaging.system": system,
            "messaging.operation.type": "process",
            "messaging.destination.name": queue,
            "job.task": task,
        }
        if error:
            attributes["error.type"] = error
        self._duration.record(seconds, attributes)


_jobs: JobMetrics | None = None  # set by setup(): nothing is recorded while telemetry is off


def record_job(seconds: float, *, queue: str, system: str, task: str, error: str | None = None) -> None:
    """Record one job's duration (JobMetrics); nothing while telemetry is off."""
    if _jobs is not None:
        _jobs.record(seconds, queue=queue, system=system, task=task, error=error)


def current_ids() -> dict[str, str]:
    """{"trace_id", "span_id"} of the current span, as hex; empty outside a trace."""
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {}
    return {"trace_id": format(context.trace_id, "032x"), "span_id": format(context.span_id, "016x")}
