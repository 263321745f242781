"""Fixtures. `devenv test` runs these tests inside the dev image with the service's
dependencies up, so DATABASE_URL (and REDIS_URL or AMQP_URL) point at real servers;
tests that need one are skipped where it is not set."""

from __future__ import annotations

import os

os.environ.setdefault("OTEL_SDK_DISABLED", "true")  # tests export no telemetry (app/telemetry.py)

import pytest
from fastapi.testclient import TestClient

from app.main import app


@pytest.fixture
def client():
    with TestClient(app) as test_client:
        yield test_client


needs_database = pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="needs DATABASE_URL")
needs_queue = pytest.mark.skipif(
    not (os.environ.get("AMQP_URL") or os.environ.get("REDIS_URL")), reason="needs AMQP_URL or REDIS_URL"
)
