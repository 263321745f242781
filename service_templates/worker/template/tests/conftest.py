"""Tests log at INFO through the service's JSON formatter, so every log call runs."""

import os

os.environ.setdefault("OTEL_SDK_DISABLED", "true")  # tests export no telemetry (worker/telemetry.py)

from worker import logs

logs.setup()
