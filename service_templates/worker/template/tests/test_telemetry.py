"""JobMetrics: each job's duration as messaging.process.duration, by task and outcome."""

from __future__ import annotations

import json
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import Histogram, InMemoryMetricReader

from worker import telemetry
from worker.main import process
from worker.queue import Delivery


class Outcomes:
    kind = "memory"

    def record(self, job_id: str, task: str, status: str, result: object = None, error: object = None) -> None:
        pass


def test_every_job_records_its_duration_by_task_and_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_SDK_DISABLED")  # this test's provider only (conftest.py disables the SDK)
    reader = InMemoryMetricReader()
    monkeypatch.setattr(telemetry, "_jobs", telemetry.JobMetrics(MeterProvider([reader]).get_meter("t")))
    jobs: list[dict[str, Any]] = [
        {"id": "1", "task": "word_count", "payload": {"text": "a b"}},
        {"id": "2", "task": "word_count", "payload": {"text": ""}},
        {"id": "3", "task": "nope"},
    ]
    for job in jobs:
        process(Delivery(job=job, raw=json.dumps(job)), Outcomes())

    data = reader.get_metrics_data()
    assert data is not None
    [metric] = [m for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics]
    assert metric.name == "messaging.process.duration" and metric.unit == "s"
    assert isinstance(metric.data, Histogram)
    counts = {
        (attrs.get("job.task"), attrs.get("error.type")): point.count
        for point in metric.data.data_points
        for attrs in [dict(point.attributes or {})]
    }
    assert counts == {("word_count", None): 2, ("nope", "UnknownTask"): 1}


def test_nothing_is_recorded_while_telemetry_is_off() -> None:
    assert telemetry._jobs is None  # setup() did not run: OTEL_SDK_DISABLED
    telemetry.record_job(0.1, queue="jobs", system="redis", task="word_count")  # and this is a no-op
