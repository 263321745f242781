from app.main import app
from fastapi.testclient import TestClient


def test_healthz_answers():
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
