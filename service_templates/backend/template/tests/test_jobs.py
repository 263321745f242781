import pytest

from app.jobs import make_job
from tests.conftest import needs_queue


def test_a_job_has_an_id_task_and_payload():
    job = make_job("word_count", {"text": "a b"})
    assert len(job["id"]) == 32
    assert job["task"] == "word_count"
    assert job["payload"] == {"text": "a b"}


@pytest.mark.integration
@needs_queue
def test_a_job_is_queued(client):
    response = client.post("/api/jobs", json={"task": "word_count", "payload": {"text": "one two"}})
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    status = client.get(f"/api/jobs/{job_id}").json()
    assert status["id"] == job_id
    assert status["status"] in ("pending", "queued", "done")
