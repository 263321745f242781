"""Plain lines: for pipes, CI logs and tests. Errors and warnings go to stderr, the rest to stdout."""

from __future__ import annotations

import sys
from functools import singledispatchmethod

from devenv.cli.render import deliver, text
from devenv.events import (
    Check,
    CheckSummary,
    Described,
    Document,
    Event,
    ImageBuilt,
    ImportedService,
    ImportSummary,
    LogLine,
    Message,
    Output,
    PlanReady,
    ReleaseHistory,
    RolloutProgress,
    ServiceChanged,
    ServiceCheckResult,
    ServicesRestarted,
    ServiceTestResult,
    ServiceUpdate,
    SnapshotDone,
    SnapshotTable,
    StatusReport,
    Step,
    TestSummary,
    Warning,
)


def _line(line: str = "") -> None:
    print(line, flush=True)


class PlainRenderer:
    """One method per event class; the text of each is what tests and scripts read."""

    @singledispatchmethod
    def render(self, event: Event) -> None:
        """An event without a method of its own: its one-line description (seeding progress), else nothing."""
        if isinstance(event, Described):
            _line(f"==> {event.describe()}")

    @render.register
    def _message(self, event: Message) -> None:
        _line(event.message)

    @render.register
    def _step(self, event: Step) -> None:
        _line(f"==> {event.message}")

    @render.register
    def _warning(self, event: Warning) -> None:
        print(f"warning: {event.message}", file=sys.stderr, flush=True)

    @render.register
    def _output(self, event: Output) -> None:
        _line(f"    {event.source} | {event.line}")

    @render.register
    def _log_line(self, event: LogLine) -> None:
        _line(event.line)

    @render.register
    def _document(self, event: Document) -> None:
        sys.stdout.write(event.text)
        sys.stdout.flush()

    @render.register
    def _plan(self, event: PlanReady) -> None:
        for action in event.actions:
            _line(f"    {action.describe()}")

    @render.register
    def _service_changed(self, event: ServiceChanged) -> None:
        _line(f"[{event.elapsed:6.1f}s] {event.service}: {text.health_text(event.state, event.health)}")

    @render.register
    def _status(self, event: StatusReport) -> None:
        for line in text.status_lines(event):
            _line(line)

    @render.register
    def _check(self, event: Check) -> None:
        for line in text.check_lines(event):
            _line(line)

    @render.register
    def _test_result(self, event: ServiceTestResult) -> None:
        """Nothing: the summary at the end shows every result (and the output of failures)."""

    @render.register
    def _test_summary(self, event: TestSummary) -> None:
        for line in text.summary_lines(event):
            _line(line)

    @render.register
    def _check_result(self, event: ServiceCheckResult) -> None:
        _line(f"==> {event.service} {event.kind}: {event.outcome} ({event.seconds:.1f}s)")

    @render.register
    def _check_summary(self, event: CheckSummary) -> None:
        for line in text.check_summary_lines(event):
            _line(line)

    @render.register
    def _update(self, event: ServiceUpdate) -> None:
        for line in text.update_lines(event):
            _line(line)

    @render.register
    def _snapshot_done(self, event: SnapshotDone) -> None:
        _line(text.snapshot_done_line(event))

    @render.register
    def _snapshot_table(self, event: SnapshotTable) -> None:
        for line in text.snapshot_lines(event):
            _line(line)

    @render.register
    def _restarted(self, event: ServicesRestarted) -> None:
        _line(text.restarted_line(event))

    @render.register
    def _imported(self, event: ImportedService) -> None:
        for line in text.imported_lines(event):
            _line(line)

    @render.register
    def _import_summary(self, event: ImportSummary) -> None:
        for line in text.import_summary_lines(event):
            _line(line)

    @render.register
    def _history(self, event: ReleaseHistory) -> None:  # devenv history (devenv/cli/render/deliver.py)
        for line in deliver.history_lines(event):
            _line(line)

    @render.register
    def _image_built(self, event: ImageBuilt) -> None:  # devenv build
        _line(f"==> {event.describe()}")

    @render.register
    def _rollout(self, event: RolloutProgress) -> None:  # devenv deploy / rollback
        _line(f"==> {event.describe()}")

    def close(self) -> None:
        """Nothing to clean up: every line is flushed as it is written."""
