"""Structured logs: one JSON object per line on stdout (what `devenv logs` shows)."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

from app import telemetry

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
    "otelSpanID",
    "otelTraceID",
    "otelTraceSampled",
    "otelServiceName",
}


class JsonFormatter(logging.Formatter):
    """Format a record as JSON: time, level, logger, msg and any `extra={...}` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(telemetry.current_ids())  # trace_id, span_id of the request or job
        entry.update(
            {key: value for key, value in vars(record).items() if key not in _RESERVED and not key.startswith("_")}
        )
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def setup() -> None:
    """Log JSON to stdout at LOG_LEVEL (default info), unless logging is configured already."""
    root = logging.getLogger()
    root.setLevel(os.environ.get("LOG_LEVEL", "info").upper())
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        root.handlers = [handler]
    logging.getLogger("pika").setLevel(logging.WARNING)  # chatty at INFO: eight lines per job published
