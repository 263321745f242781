import json

from worker.health import Health
from worker.main import process
from worker.queue import Delivery


class MemoryResults:
    kind = "memory"

    def __init__(self):
        self.outcomes = {}

    def record(self, job_id, task, status, result=None, error=None):
        self.outcomes[job_id] = (task, status, result, error)

    def close(self):
        pass


def delivery(job) -> Delivery:
    raw = json.dumps(job) if not isinstance(job, str) else job
    return Delivery(job=job if isinstance(job, dict) else None, raw=raw)


def test_a_job_runs_and_its_outcome_is_recorded():
    results, health = MemoryResults(), Health()
    assert process(delivery({"id": "j1", "task": "word_count", "payload": {"text": "a b"}}), results, health) == "done"
    assert results.outcomes["j1"] == ("word_count", "done", {"words": 2, "characters": 3}, None)
    assert health.processed == 1


def test_a_failing_job_is_recorded_as_failed_and_the_worker_goes_on():
    results, health = MemoryResults(), Health()
    assert process(delivery({"id": "j2", "task": "nope"}), results, health) == "failed"
    task, status, _, error = results.outcomes["j2"]
    assert (task, status) == ("nope", "failed") and "UnknownTask" in error
    assert health.failed == 1


def test_a_message_that_is_not_a_job_is_dropped():
    results = MemoryResults()
    assert process(delivery("not json"), results) == "failed"
    assert results.outcomes == {}
