"""Per-service request metrics computed from the server spans held: rate, latency percentiles, errors."""

from __future__ import annotations

import time
from typing import Any

from .store import Store

SERVER_KINDS = frozenset(("server", "consumer"))


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def service_metrics(store: Store, window_s: float = 60.0, now: float | None = None) -> list[dict[str, Any]]:
    """One entry per service: requests (server and consumer spans) in the last ``window_s`` seconds,
    their rate per second, p50/p95/p99 latency in ms, error rate, and the latest reported metrics."""
    now_ns = int((now if now is not None else time.time()) * 1e9)
    since = now_ns - int(window_s * 1e9)
    durations: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    for span in store.spans:
        if span.kind not in SERVER_KINDS or span.end < since:
            continue
        durations.setdefault(span.service, []).append((span.end - span.start) / 1e6)
        if span.status == "error" or int(span.attributes.get("http.response.status_code", 0) or 0) >= 500:
            errors[span.service] = errors.get(span.service, 0) + 1
    reported: dict[str, list[dict[str, Any]]] = {}
    for point in store.metrics.values():
        reported.setdefault(point.service, []).append({"name": point.name, "unit": point.unit, "value": point.value})
    out = []
    for service in sorted(set(store.last_seen) | set(durations)):
        values = sorted(durations.get(service, []))
        count = len(values)
        out.append(
            {
                "service": service,
                "window_s": window_s,
                "requests": count,
                "rate_per_s": round(count / window_s, 3),
                "p50_ms": round(percentile(values, 0.50), 3),
                "p95_ms": round(percentile(values, 0.95), 3),
                "p99_ms": round(percentile(values, 0.99), 3),
                "error_rate": round(errors.get(service, 0) / count, 4) if count else 0.0,
                "reported": sorted(reported.get(service, []), key=lambda m: str(m["name"])),
            }
        )
    return out
