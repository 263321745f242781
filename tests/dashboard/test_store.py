"""The bounded window: limits drop the oldest, queries see what is held."""

from __future__ import annotations

from devenv.dashboard.metrics import service_metrics
from devenv.dashboard.store import LogRecord, Span, Store


def span(trace: str, span_id: str, start: int = 0, *, parent: str = "", service: str = "api", **kw: object) -> Span:
    fields: dict = {"name": "op", "kind": "server", "end": start + 1_000_000, "status": "unset", **kw}
    return Span(trace_id=trace, span_id=span_id, parent_span_id=parent, service=service, start=start, **fields)


def log(body: str, *, service: str = "api", level: str = "info", trace: str = "") -> LogRecord:
    return LogRecord(time=1, service=service, level=level, body=body, trace_id=trace, span_id="")


def test_spans_beyond_the_limit_drop_the_oldest_and_empty_traces_go() -> None:
    store = Store(max_spans=3)
    store.add_spans([span("t1", "a"), span("t1", "b"), span("t2", "c")])
    store.add_spans([span("t3", "d"), span("t3", "e")])
    assert [s.span_id for s in store.spans] == ["c", "d", "e"]
    assert list(store.traces) == ["t2", "t3"]
    assert [s.span_id for s in store.trace("t3") or []] == ["d", "e"]
    assert store.trace("t1") is None


def test_out_of_order_eviction_keeps_the_index_right() -> None:
    store = Store(max_spans=2)
    store.add_spans([span("t1", "a"), span("t2", "b")])
    store.traces["t1"].appendleft(span("t1", "z"))  # a span held out of arrival order in its trace
    store.add_spans([span("t3", "c")])
    assert [s.span_id for s in store.traces["t1"]] == ["z"]


def test_logs_beyond_the_limit_drop_the_oldest_and_keep_numbering() -> None:
    store = Store(max_logs=2)
    store.add_logs([log("one"), log("two"), log("three")])
    assert [(r.seq, r.body) for r in store.logs] == [(2, "two"), (3, "three")]


def test_log_filters() -> None:
    store = Store()
    store.add_logs(
        [
            log("request done", trace="t1"),
            log("job failed", service="worker", level="error", trace="t1"),
            log("debugging", level="debug"),
            log("Job Done", service="worker", trace="t2"),
        ]
    )
    assert store.services() == ["api", "worker"] and all(store.last_seen.values())
    assert [r.body for r in store.find_logs(trace_id="T1")] == ["request done", "job failed"]
    assert [r.body for r in store.find_logs(service="worker")] == ["job failed", "Job Done"]
    assert [r.body for r in store.find_logs(level="warn")] == ["job failed"]
    assert [r.body for r in store.find_logs(text="job")] == ["job failed", "Job Done"]
    assert [r.body for r in store.find_logs(after=2)] == ["debugging", "Job Done"]
    assert [r.body for r in store.find_logs(limit=2)] == ["debugging", "Job Done"]


def test_trace_summaries_newest_first_with_services_and_errors() -> None:
    store = Store()
    store.add_spans([span("t1", "a", 0), span("t1", "b", 500_000, parent="a", service="worker", status="error")])
    store.add_spans([span("t2", "c", 10_000_000, name="GET /")])
    summaries = store.trace_summaries()
    assert [s["trace_id"] for s in summaries] == ["t2", "t1"]
    first = summaries[1]
    assert first == {
        "trace_id": "t1",
        "services": ["api", "worker"],
        "spans": 2,
        "start": 0,
        "duration_ms": 1.5,
        "error": True,
        "root": "api: op",
    }
    assert [s["trace_id"] for s in store.trace_summaries("worker")] == ["t1"]
    assert [s["trace_id"] for s in store.trace_summaries(limit=1)] == ["t2"]


def test_request_metrics_per_service() -> None:
    store = Store()
    now = 100.0
    base = int(now * 1e9) - 5_000_000_000
    durations = [10, 20, 30, 40, 1000]
    store.add_spans(
        span(f"t{i}", f"s{i}", base, end=base + ms * 1_000_000, status="error" if ms == 1000 else "unset")
        for i, ms in enumerate(durations)
    )
    store.add_spans([span("old", "x", 0), span("t9", "c", base, kind="client")])  # too old; not a request
    [api] = service_metrics(store, window_s=60, now=now)
    assert api["requests"] == 5
    assert api["rate_per_s"] == round(5 / 60, 3)
    assert (api["p50_ms"], api["p99_ms"]) == (30.0, 1000.0)
    assert api["error_rate"] == 0.2
