"""The main loop: connect, take a job, run it, record the outcome, acknowledge it.

SIGTERM (`docker stop`, `devenv down`) and SIGINT stop the loop gracefully: the
job being run finishes and is acknowledged, then the worker exits 0.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from opentelemetry.trace import StatusCode

from worker import logs, tasks, telemetry
from worker.health import Health, serve
from worker.queue import Delivery, Queue
from worker.results import make_results
from worker.settings import Settings

log = logging.getLogger("worker")


def process(delivery: Delivery, results, health: Health | None = None) -> str:
    """Run one delivered job and record its outcome; returns 'done' or 'failed'."""
    job = delivery.job
    if job is None or not isinstance(job.get("task"), str):
        log.error("dropping a message that is not a job", extra={"body": delivery.raw[:200]})
        if health:
            health.count(ok=False)
        return "failed"
    job_id = str(job.get("id", "?"))
    task = job["task"]
    with telemetry.job_span(delivery.queue, delivery.system, job_id, task, delivery.headers) as span:
        started = time.perf_counter()
        try:
            result = tasks.run(task, job.get("payload") or {})
        except Exception as exc:  # a failing job must not stop the worker
            telemetry.record_job(
                time.perf_counter() - started,
                queue=delivery.queue,
                system=delivery.system,
                task=task,
                error=type(exc).__name__,
            )
            log.exception("job failed", extra={"job": job_id, "task": task})
            span.record_exception(exc)
            span.set_status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}")
            results.record(job_id, task, "failed", error=f"{type(exc).__name__}: {exc}")
            if health:
                health.count(ok=False)
            return "failed"
        results.record(job_id, task, "done", result=result)
        seconds = time.perf_counter() - started
        telemetry.record_job(seconds, queue=delivery.queue, system=delivery.system, task=task)
        ms = round(seconds * 1000, 1)
        log.info("job done", extra={"job": job_id, "task": task, "ms": ms})
    if health:
        health.count(ok=True)
    return "done"


def retry(what: str, make, stop: threading.Event, health: Health):
    """Call ``make()`` until it succeeds (with backoff) or we are stopped; None when stopped."""
    delay = 0.5
    while not stop.is_set():
        try:
            return make()
        except Exception as exc:  # noqa: BLE001 - the dependency may still be starting
            health.beat(queue_ok=False)
            log.warning(f"{what} unreachable, retrying", extra={"error": str(exc), "retry_in": delay})
            stop.wait(delay)
            delay = min(delay * 2, 10)
    return None


def connect(settings: Settings) -> Queue:
    queue = Queue(settings.queue_url, settings.queue_name, settings.worker_id)
    recovered = queue.recover()
    log.info("connected", extra={"queue": queue.kind, "queue_name": settings.queue_name, "recovered": recovered})
    return queue


def run(settings: Settings, stop: threading.Event, health: Health) -> None:
    results = retry("result store", lambda: make_results(settings.database_url, settings.redis_url), stop, health)
    if results is None:
        return
    log.info("recording outcomes", extra={"store": results.kind})
    queue = None
    try:
        while not stop.is_set():
            if queue is None:
                queue = retry("queue", lambda: connect(settings), stop, health)
                continue
            try:
                health.beat(queue_ok=True)
                with telemetry.quiet():  # waiting for a job makes no spans
                    delivery = queue.get(timeout=1.0)
                if delivery is None:
                    continue
                process(delivery, results, health)
                queue.ack(delivery)
            except Exception as exc:  # noqa: BLE001 - broker or result store trouble
                # Start over on a new connection: the job not acknowledged goes back
                # to the queue (RabbitMQ redelivers it; Redis `recover` moves it back).
                error = f"{type(exc).__name__}: {exc}"
                log.warning("queue or result store failed; reconnecting", extra={"error": error})
                health.beat(queue_ok=False)
                queue.close()
                queue = None
                stop.wait(1.0)
    finally:
        if queue is not None:
            queue.close()
        results.close()


def main() -> None:
    logs.setup()
    telemetry.setup()  # traces, metrics and logs to OTEL_EXPORTER_OTLP_ENDPOINT (worker/telemetry.py)
    settings = Settings.from_env()
    stop = threading.Event()

    def on_signal(signum, _frame) -> None:
        log.info("stopping after the current job", extra={"signal": signal.Signals(signum).name})
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    health = Health(stale_after=settings.stale_after)
    server = serve(health, settings.health_port)
    log.info("worker started", extra={"worker_id": settings.worker_id, "health_port": settings.health_port})
    try:
        run(settings, stop, health)
    finally:
        server.shutdown()
        log.info("worker stopped")
