"""Text shared by the plain and rich renderers: tables and the lines of doctor, update, test and snapshot."""

from __future__ import annotations

import calendar
import time

from devenv.events import (
    Check,
    CheckSummary,
    ImportedService,
    ImportSummary,
    ServicesRestarted,
    ServiceStatus,
    ServiceTestResult,
    ServiceUpdate,
    SnapshotDone,
    SnapshotEntry,
    SnapshotTable,
    StatusReport,
    TestSummary,
)

CHECK_MARKS = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL", "skip": "skip"}
STATUS_COLUMNS = ("SERVICE", "ROLE", "STATE", "HEALTH", "URL")
TEST_COLUMNS = ("SERVICE", "RESULT", "SECONDS", "COMMAND")
SNAPSHOT_COLUMNS = ("NAME", "DEPENDENCY", "KIND", "SIZE", "CREATED")
CHECK_COLUMNS = ("SERVICE", "CHECK", "RESULT", "PASSED", "FAILED", "WARNINGS", "SECONDS")


def health_text(state: str, health: str | None) -> str:
    """``running (healthy)``, or the state alone without a health check."""
    return f"{state} ({health})" if health else state


def table(rows: list[tuple[str, ...]]) -> list[str]:
    """Columns padded to their widest cell, two spaces apart, no trailing blanks."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


def status_cells(row: ServiceStatus) -> tuple[str, str, str, str, str]:
    """One row of the status table: service, role, state, health, URLs."""
    urls = " ".join(row.urls) or "-"
    if getattr(row, "note", None):
        urls += f" ({row.note})"
    return row.service, row.role, row.state, row.health or "-", urls


def status_lines(report: StatusReport) -> list[str]:
    """The status table, then ``<project>: ready in N s`` after `up`."""
    lines = table([STATUS_COLUMNS, *(status_cells(r) for r in report.services)])
    if report.elapsed:
        lines.append(f"{report.project}: ready in {report.elapsed:.1f}s")
    return lines


def check_lines(check: Check) -> list[str]:
    """``[ok  ] name: detail``, and ``       fix: ...`` under a warning or a failure."""
    lines = [f"[{CHECK_MARKS[check.status]}] {check.name}: {check.detail}"]
    if check.fix and check.status in ("fail", "warn"):
        lines.append(f"       fix: {check.fix}")
    return lines


def update_lines(update: ServiceUpdate) -> list[str]:
    """What `devenv update` did to one service, then one line per file it changed."""
    if update.status == "skipped":
        return [f"{update.service}: skipped ({update.reason})"]
    if update.status == "up-to-date":
        return [f"{update.service}: up to date ({update.template} {update.new_version})"]
    lines = [f"{update.service}: {update.template} {update.old_version} -> {update.new_version}"]
    for rel in update.changed:
        mark = "CONFLICT" if rel in update.conflicts else "updated"
        lines.append(f"    {mark:8} {rel}")
    lines += [f"    {'deleted':8} {rel}" for rel in update.deleted]
    return lines


def result_text(result: ServiceTestResult) -> str:
    """``passed``, or ``FAILED (exit code)``."""
    return "passed" if result.passed else f"FAILED ({result.exit_code})"


def failure_tails(summary: TestSummary) -> list[str]:
    """The last output lines of each failed service's tests, under a header."""
    lines: list[str] = []
    for result in summary.results:
        if not result.passed:
            lines.append(f"--- last lines of {result.service}'s tests (exit {result.exit_code}) ---")
            lines += result.tail
    return lines


def summary_rows(summary: TestSummary) -> list[tuple[str, str, str, str]]:
    """The rows of the test summary table (without the header)."""
    rows = [(r.service, result_text(r), f"{r.seconds:.1f}", " ".join(r.command)) for r in summary.results]
    rows += [(name, "skipped (no test command)", "-", "-") for name in summary.skipped]
    return rows


def summary_lines(summary: TestSummary) -> list[str]:
    """The tails of failures, then the table of every service."""
    return failure_tails(summary) + table([TEST_COLUMNS, *summary_rows(summary)])


def human_size(size: int | None) -> str:
    """``93.1 MiB``: bytes in binary units, one decimal from KiB on."""
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # not reached


def local_time(iso: str) -> str:
    """``2025-03-14T09:30:00Z`` in the local time zone, ``2025-03-14 10:30:00``; as it is when it is not that."""
    try:
        seconds = calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return iso or "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


def snapshot_done_line(event: SnapshotDone) -> str:
    """``db: saved snapshot before-demo (93.1 MiB, 0.21s)``."""
    size = human_size(event.size_bytes)
    detail = size if event.action == "removed" else f"{size}, {event.elapsed:.2f}s"
    return f"{event.dependency}: {event.action} snapshot {event.name} ({detail})"


def snapshot_cells(entry: SnapshotEntry) -> tuple[str, str, str, str, str]:
    """One row of the snapshot table: name, dependency, kind, size, local time."""
    return entry.name, entry.dependency, entry.kind, human_size(entry.size_bytes), local_time(entry.created_at)


def snapshot_lines(report: SnapshotTable) -> list[str]:
    """The snapshot table, or a line saying there is none."""
    if not report.snapshots:
        return [f"{report.project}: no snapshots (save one: devenv snapshot save [NAME])"]
    return table([SNAPSHOT_COLUMNS, *(snapshot_cells(entry) for entry in report.snapshots)])


def restarted_line(event: ServicesRestarted) -> str:
    """``restarted api, worker (they use db): ready in 2.1s``."""
    verb = "uses" if len(event.services) == 1 else "use"
    return (
        f"restarted {', '.join(event.services)} ({verb} {', '.join(event.dependencies)}): ready in {event.elapsed:.1f}s"
    )


def imported_lines(event: ImportedService) -> list[str]:
    """``db: dependency (postgres 16)``, then one indented line per kind of finding."""
    name = event.service if event.service == event.original else f"{event.service} (was {event.original})"
    lines = [f"{name}: {event.summary}"]
    if event.raw:
        lines.append(f"    kept as raw compose: {', '.join(event.raw)}")
    if event.removed:
        lines.append(f"    left out of devenv's rendering (the original has none): {', '.join(event.removed)}")
    if event.added:
        lines.append(f"    devenv adds: {'; '.join(event.added)}")
    if event.kubernetes:
        lines.append(f"    not carried to Kubernetes: {', '.join(event.kubernetes)}")
    lines += [f"    note: {note}" for note in event.notes]
    lines += [f"    DIFFERS {difference}" for difference in event.differences]
    return lines


def import_summary_lines(event: ImportSummary) -> list[str]:
    """Top-level raw keys and notes, what moved and was written, and the self-check's count."""
    lines = []
    if event.raw:
        lines.append(f"top level: kept as raw compose: {', '.join(event.raw)}")
    if event.added:
        lines.append(f"top level: devenv adds: {', '.join(event.added)}")
    if event.kubernetes:
        lines.append(f"top level: not carried to Kubernetes: {', '.join(event.kubernetes)}")
    lines += [f"top level: DIFFERS {difference}" for difference in event.differences]
    lines += [f"note: {note}" for note in event.notes]
    lines += [f"moved {move}" for move in event.moved]
    if event.written:
        lines.append(f"wrote {', '.join(event.written)}")
    same = "the same" if event.equivalent == event.settings else "the same, the rest named above"
    lines.append(
        f"self-check (docker compose config {event.compose_version}): {event.equivalent} of {event.settings} "
        f"settings of {event.services} service{'s' if event.services != 1 else ''} and the top level read {same}"
    )
    return lines


# --- devenv check -------------------------------------------------------------------------------


def check_rows(summary: CheckSummary) -> list[tuple[str, str, str, str, str, str, str]]:
    """One row per service and check (without the header); ``-`` for a skipped check's counts."""
    rows = []
    for r in summary.results:
        result = r.outcome if r.required or r.outcome in ("skipped", "passed") else f"{r.outcome} (warn only)"
        counts = ("-", "-", "-") if r.outcome == "skipped" else (str(r.passed), str(r.failed), str(r.warnings))
        rows.append((r.service, r.kind, result, *counts, f"{r.seconds:.1f}"))
    rows += [(name, "-", "nothing to check", "-", "-", "-", "-") for name in summary.skipped]
    return rows


def check_details(summary: CheckSummary) -> list[str]:
    """Under a header per check: what a failed check found (or its last lines), warnings, skip reasons."""
    lines: list[str] = []
    for r in summary.results:
        if r.outcome == "failed":
            lines.append(f"--- {r.service} {r.kind}: FAILED (exit {r.exit_code}) ---")
            lines += r.findings or r.output
        elif r.outcome == "warned" and r.findings:
            lines.append(f"--- {r.service} {r.kind}: warnings ---")
            lines += r.findings
        elif r.outcome == "skipped":
            lines.append(f"--- {r.service} {r.kind}: skipped: {r.reason} ---")
    return lines


def check_footer(summary: CheckSummary) -> str:
    """``shop: 2 checks failed (api/style, web/types) in 31.2s, 2 services at a time``."""
    failed = summary.failed
    verdict = (
        f"{len(failed)} check{'s' if len(failed) != 1 else ''} failed ({', '.join(failed)})"
        if failed
        else ("every required check passed")
    )
    return f"{summary.project}: {verdict} in {summary.seconds:.1f}s, {summary.parallel} at a time"


def check_summary_lines(summary: CheckSummary) -> list[str]:
    """Details, then the table, then the footer line."""
    return check_details(summary) + table([CHECK_COLUMNS, *check_rows(summary)]) + [check_footer(summary)]
