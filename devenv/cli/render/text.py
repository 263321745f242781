"""Text shared by the plain and rich renderers: tables and the lines of doctor, update and test."""

from __future__ import annotations

from devenv.events import Check, ServiceStatus, ServiceTestResult, ServiceUpdate, StatusReport, TestSummary

CHECK_MARKS = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL", "skip": "skip"}
STATUS_COLUMNS = ("SERVICE", "ROLE", "STATE", "HEALTH", "URL")
TEST_COLUMNS = ("SERVICE", "RESULT", "SECONDS", "COMMAND")


def health_text(state: str, health: str | None) -> str:
    """``running (healthy)``, or the state alone without a health check."""
    return f"{state} ({health})" if health else state


def table(rows: list[tuple[str, ...]]) -> list[str]:
    """Columns padded to their widest cell, two spaces apart, no trailing blanks."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


def status_cells(row: ServiceStatus) -> tuple[str, str, str, str, str]:
    """One row of the status table: service, role, state, health, URLs."""
    return row.service, row.role, row.state, row.health or "-", " ".join(row.urls) or "-"


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
