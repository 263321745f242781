"""Rich output for a terminal: colours, tables, and tool output in a transient spinner line."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

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

if TYPE_CHECKING:
    from rich.status import Status

CHECK_COLOURS = {"ok": "green", "warn": "yellow", "fail": "red", "skip": "dim"}
OUTCOME_COLOURS = {"passed": "green", "warned": "yellow", "failed": "red", "skipped": "dim"}
OUTPUT_WIDTH = 100  # characters of a tool's output line shown in the spinner


def console(stderr: bool = False) -> Console:
    """A console that writes text as it is: no highlighting, no wrapping of long lines."""
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


class RichRenderer:
    """Progress per service on its own line; build and test output in a spinner that goes away."""

    def __init__(self) -> None:
        self.console = console()
        self.errors = console(stderr=True)
        self.status: Status | None = None

    def _spin(self, message: str) -> None:
        if self.status is None:
            self.status = self.console.status(escape(message))
            self.status.start()
        else:
            self.status.update(escape(message))

    def _plain(self, line: str) -> None:
        self.console.print(line, markup=False, emoji=False)

    @singledispatchmethod
    def render(self, event: Event) -> None:
        """An event without a method of its own: its one-line description (seeding progress), else nothing."""
        if isinstance(event, Described):
            self.render(Step(event.describe()))

    @render.register
    def _message(self, event: Message) -> None:
        self._plain(event.message)

    @render.register
    def _step(self, event: Step) -> None:
        self.console.print(f"[bold blue]==>[/] {escape(event.message)}")
        self._spin(event.message)

    @render.register
    def _warning(self, event: Warning) -> None:
        self.errors.print(f"[yellow]warning:[/] {escape(event.message)}")

    @render.register
    def _output(self, event: Output) -> None:
        self._spin(f"{event.source}: {event.line[:OUTPUT_WIDTH]}")

    @render.register
    def _log_line(self, event: LogLine) -> None:
        self._plain(event.line)

    @render.register
    def _document(self, event: Document) -> None:
        self.close()
        self.console.file.write(event.text)  # byte for byte (no tab expansion): it is for other programs
        self.console.file.flush()

    @render.register
    def _plan(self, event: PlanReady) -> None:
        for action in event.actions:
            verbs = ("build, " if action.build else "") + action.verb
            self.console.print(f"    [bold]{escape(action.service)}[/]: {verbs} [dim]({escape(action.reason)})[/]")

    @render.register
    def _service_changed(self, event: ServiceChanged) -> None:
        colour = {"healthy": "green", "unhealthy": "red", "starting": "yellow"}.get(event.health or "", "")
        if not colour:
            colour = "green" if event.state == "running" else ("red" if event.state in ("exited", "dead") else "yellow")
        self.console.print(
            f"[dim]{event.elapsed:6.1f}s[/] [bold]{escape(event.service)}[/]: "
            f"[{colour}]{escape(text.health_text(event.state, event.health))}[/]"
        )

    @render.register
    def _status(self, event: StatusReport) -> None:
        self.close()
        title = event.project + (f" — ready in {event.elapsed:.1f}s" if event.elapsed else "")
        table = Table(title=escape(title))
        for column in text.STATUS_COLUMNS:
            table.add_column(column)
        for row in event.services:
            service, role, state, health, urls = (escape(cell) for cell in text.status_cells(row))
            colour = "green" if row.ready else "dim" if row.state == "off" else "red"
            table.add_row(service, role, f"[{colour}]{state}[/]", health, urls)
        self.console.print(table)

    @render.register
    def _check(self, event: Check) -> None:
        mark = escape(f"[{text.CHECK_MARKS[event.status]}]")
        colour = CHECK_COLOURS[event.status]
        self.console.print(f"[{colour}]{mark}[/] [bold]{escape(event.name)}[/]: {escape(event.detail)}")
        if event.fix and event.status in ("fail", "warn"):
            self.console.print(f"       [dim]fix:[/] {escape(event.fix)}")

    @render.register
    def _test_result(self, event: ServiceTestResult) -> None:
        colour = "green" if event.passed else "red"
        self.console.print(
            f"[bold]{escape(event.service)}[/]: [{colour}]{escape(text.result_text(event))}[/] "
            f"[dim]({event.seconds:.1f}s)[/]"
        )

    @render.register
    def _test_summary(self, event: TestSummary) -> None:
        self.close()
        for line in text.failure_tails(event):
            self._plain(line)
        table = Table(title=escape(f"{event.project}: tests"))
        for column in text.TEST_COLUMNS:
            table.add_column(column)
        for service, result, seconds, command in text.summary_rows(event):
            colour = "green" if result == "passed" else ("red" if result.startswith("FAILED") else "dim")
            table.add_row(escape(service), f"[{colour}]{escape(result)}[/]", seconds, escape(command))
        self.console.print(table)

    @render.register
    def _check_result(self, event: ServiceCheckResult) -> None:
        colour = OUTCOME_COLOURS[event.outcome]
        self.console.print(
            f"[bold]{escape(event.service)}[/] {escape(event.kind)}: [{colour}]{event.outcome}[/] "
            f"[dim]({event.seconds:.1f}s)[/]"
        )

    @render.register
    def _check_summary(self, event: CheckSummary) -> None:
        self.close()
        for line in text.check_details(event):
            self._plain(line)
        table = Table(title=escape(f"{event.project}: checks"))
        for column in text.CHECK_COLUMNS:
            table.add_column(
                column, justify="right" if column in ("PASSED", "FAILED", "WARNINGS", "SECONDS") else "left"
            )
        for row in text.check_rows(event):
            colour = OUTCOME_COLOURS.get(row[2].split(" ")[0], "")
            cells = [escape(cell) for cell in row]
            cells[2] = f"[{colour}]{cells[2]}[/]" if colour else cells[2]
            table.add_row(*cells)
        self.console.print(table)
        self._plain(text.check_footer(event))

    @render.register
    def _update(self, event: ServiceUpdate) -> None:
        colour = {"conflicts": "red", "updated": "green"}.get(event.status, "dim")
        self.console.print(f"[{colour}]{escape(text.update_lines(event)[0])}[/]")
        for rel in event.changed:
            conflict = rel in event.conflicts
            self.console.print(f"    [red]CONFLICT[/] {escape(rel)}" if conflict else f"    updated  {escape(rel)}")
        for rel in event.deleted:
            self.console.print(f"    deleted  {escape(rel)}")

    @render.register
    def _snapshot_done(self, event: SnapshotDone) -> None:
        self.close()
        colour = "dim" if event.action == "removed" else "green"
        self.console.print(f"[{colour}]{escape(text.snapshot_done_line(event))}[/]")

    @render.register
    def _snapshot_table(self, event: SnapshotTable) -> None:
        self.close()
        if not event.snapshots:
            self._plain(text.snapshot_lines(event)[0])
            return
        table = Table(title=escape(f"{event.project}: snapshots"))
        for column in text.SNAPSHOT_COLUMNS:
            table.add_column(column, justify="right" if column == "SIZE" else "left")
        for entry in event.snapshots:
            name, dependency, kind, size, created = (escape(cell) for cell in text.snapshot_cells(entry))
            table.add_row(f"[bold]{name}[/]", dependency, kind, size, created)
        self.console.print(table)

    @render.register
    def _restarted(self, event: ServicesRestarted) -> None:
        self.close()
        self.console.print(f"[green]{escape(text.restarted_line(event))}[/]")

    @render.register
    def _imported(self, event: ImportedService) -> None:
        self.close()
        first, *rest = text.imported_lines(event)
        colour = "red" if event.differences else "green"
        self.console.print(f"[bold {colour}]{escape(first)}[/]")
        for line in rest:
            style = "red" if line.lstrip().startswith("DIFFERS") else "dim" if "note:" in line else ""
            self.console.print(f"[{style}]{escape(line)}[/]" if style else escape(line))

    @render.register
    def _import_summary(self, event: ImportSummary) -> None:
        self.close()
        for line in text.import_summary_lines(event):
            style = "red" if "DIFFERS" in line else "bold" if line.startswith("self-check") else ""
            self.console.print(f"[{style}]{escape(line)}[/]" if style else escape(line))

    @render.register
    def _history(self, event: ReleaseHistory) -> None:  # devenv history (devenv/cli/render/deliver.py)
        self.close()
        for line in deliver.history_lines(event):
            self._plain(line)

    @render.register
    def _image_built(self, event: ImageBuilt) -> None:  # devenv build
        self.close()
        self.console.print(f"[green]{escape(event.describe())}[/]")

    @render.register
    def _rollout(self, event: RolloutProgress) -> None:  # devenv deploy / rollback
        if event.done:
            self.console.print(f"[green]{escape(event.describe())}[/]")
        self._spin(event.describe())

    def close(self) -> None:
        """Stop the spinner, if one is running."""
        if self.status is not None:
            self.status.stop()
            self.status = None
