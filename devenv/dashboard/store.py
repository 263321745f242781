"""The dashboard's memory: a bounded window of spans, log records and metric points.

Everything is kept in insertion order; when a limit is reached the oldest entries go
first (a trace loses its oldest spans, then disappears). Standard library only.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

LEVELS = ("trace", "debug", "info", "warn", "error", "fatal")


@dataclass(slots=True)
class Span:
    """One span, as the JSON API returns it (times in nanoseconds since the epoch)."""

    trace_id: str
    span_id: str
    parent_span_id: str
    service: str
    name: str
    kind: str
    start: int
    end: int
    status: str  # "unset" | "ok" | "error"
    attributes: dict[str, Any] = field(default_factory=dict)
    status_message: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The API shape of the span."""
        return {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_span_id": self.parent_span_id or None,
            "service": self.service,
            "name": self.name,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "duration_ms": round((self.end - self.start) / 1e6, 3),
            "status": self.status,
            "status_message": self.status_message,
            "attributes": self.attributes,
            "events": self.events,
        }


@dataclass(slots=True)
class LogRecord:
    """One log record (time in nanoseconds since the epoch)."""

    time: int
    service: str
    level: str
    body: str
    trace_id: str
    span_id: str
    attributes: dict[str, Any] = field(default_factory=dict)
    seq: int = 0

    def to_json(self) -> dict[str, Any]:
        """The API shape of the record."""
        return {
            "seq": self.seq,
            "time": self.time,
            "service": self.service,
            "level": self.level,
            "body": self.body,
            "trace_id": self.trace_id or None,
            "span_id": self.span_id or None,
            "attributes": self.attributes,
        }


@dataclass(slots=True)
class MetricPoint:
    """The latest value of one metric of one service."""

    service: str
    name: str
    unit: str
    value: float
    time: int


class Store:
    """Bounded in-memory window: at most ``max_spans`` spans and ``max_logs`` log records."""

    def __init__(self, max_spans: int = 20_000, max_logs: int = 20_000, max_metrics: int = 2_000) -> None:
        self.max_spans = max_spans
        self.max_logs = max_logs
        self.max_metrics = max_metrics
        self.spans: deque[Span] = deque()
        self.traces: dict[str, deque[Span]] = {}
        self.logs: deque[LogRecord] = deque()
        self.metrics: dict[tuple[str, str], MetricPoint] = {}
        self.last_seen: dict[str, float] = {}  # service -> wall time of its last telemetry
        self._seq = itertools.count(1)

    def add_spans(self, spans: Iterable[Span]) -> int:
        """Keep ``spans``, dropping the oldest beyond the limit; returns how many were added."""
        added, now = 0, time.time()
        traces = self.traces
        for span in spans:
            self.spans.append(span)
            found = traces.get(span.trace_id)
            if found is None:
                traces[span.trace_id] = found = deque()
            found.append(span)
            added += 1
            self.last_seen[span.service] = now
        self._drop_spans()
        return added

    def _drop_spans(self) -> None:
        while len(self.spans) > self.max_spans:
            old = self.spans.popleft()
            bucket = self.traces.get(old.trace_id)
            if bucket is None:
                continue
            if bucket and bucket[0] is old:
                bucket.popleft()
            else:  # not the trace's oldest (spans arrived out of order): find it
                bucket.remove(old)
            if not bucket:
                del self.traces[old.trace_id]

    def add_logs(self, records: Iterable[LogRecord]) -> int:
        """Keep ``records`` (numbered in arrival order), dropping the oldest beyond the limit."""
        added, now = 0, time.time()
        for record in records:
            record.seq = next(self._seq)
            self.logs.append(record)
            self.last_seen[record.service] = now
            added += 1
        while len(self.logs) > self.max_logs:
            self.logs.popleft()
        return added

    def add_metrics(self, points: Iterable[MetricPoint]) -> int:
        """Keep the latest value of each (service, metric)."""
        added, now = 0, time.time()
        for point in points:
            key = (point.service, point.name)
            self.metrics.pop(key, None)
            self.metrics[key] = point
            self.last_seen[point.service] = now
            added += 1
        while len(self.metrics) > self.max_metrics:
            del self.metrics[next(iter(self.metrics))]
        return added

    # --- queries -------------------------------------------------------------------------

    def trace_summaries(self, service: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """The newest traces first: ``{trace_id, services, spans, start, duration_ms, error, root}``."""
        out: list[dict[str, Any]] = []
        for trace_id in reversed(self.traces):
            spans = self.traces[trace_id]
            services = sorted({s.service for s in spans})
            if service and service not in services:
                continue
            start = min(s.start for s in spans)
            end = max(s.end for s in spans)
            root = next((s for s in spans if not s.parent_span_id), None) or min(spans, key=lambda s: s.start)
            out.append(
                {
                    "trace_id": trace_id,
                    "services": services,
                    "spans": len(spans),
                    "start": start,
                    "duration_ms": round((end - start) / 1e6, 3),
                    "error": any(s.status == "error" for s in spans),
                    "root": f"{root.service}: {root.name}",
                }
            )
            if len(out) >= limit:
                break
        return out

    def trace(self, trace_id: str) -> list[Span] | None:
        """The spans of one trace, by start time, or None."""
        spans = self.traces.get(trace_id.lower())
        return sorted(spans, key=lambda s: s.start) if spans else None

    def find_logs(
        self,
        *,
        service: str | None = None,
        trace_id: str | None = None,
        level: str | None = None,
        text: str | None = None,
        after: int = 0,
        limit: int = 500,
    ) -> list[LogRecord]:
        """Matching records, oldest first: the newest ``limit`` of them with ``seq > after``."""
        minimum = LEVELS.index(level) if level in LEVELS else 0
        needle = text.lower() if text else None
        trace = trace_id.lower() if trace_id else None
        out: list[LogRecord] = []
        for record in reversed(self.logs):
            if record.seq <= after:
                break
            if service and record.service != service:
                continue
            if trace and record.trace_id != trace:
                continue
            if minimum and (record.level not in LEVELS or LEVELS.index(record.level) < minimum):
                continue
            if needle and needle not in record.body.lower():
                continue
            out.append(record)
            if len(out) >= limit:
                break
        out.reverse()
        return out

    def services(self) -> list[str]:
        """Every service that sent telemetry still held."""
        return sorted(self.last_seen)
