"""The reloader's log: one JSON line per entry on stderr, like the templates' logs."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone


def log(level: str, msg: str, **extra: object) -> None:
    """One JSON line on stderr, like the templates' logs."""
    entry = {
        # datetime.UTC is Python 3.11+; containers may run Python 3.9
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),  # noqa: UP017
        "level": level,
        "logger": "devenv.reload",
        "msg": msg,
        **extra,
    }
    try:
        sys.stderr.write(json.dumps(entry, default=str) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def truthy(value: str | None) -> bool:
    """An environment flag's value read as a yes (1, true, yes, on)."""
    return (value or "").strip().lower() in ("1", "true", "yes", "on")
