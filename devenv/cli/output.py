"""Render core events and errors: rich in a terminal, plain lines otherwise, or JSON lines."""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Iterable
from typing import Any

from devenv.cli.state import CURRENT


def mode() -> str:
    """The output mode in force: rich, plain or json."""
    if CURRENT.output != "auto":
        return CURRENT.output
    return "rich" if sys.stdout.isatty() else "plain"


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def say(text: str) -> None:
    """Print one line of plain text (no markup) to stdout."""
    if mode() == "json":
        print(json.dumps({"event": "Message", "message": text}), flush=True)
    else:
        print(text, flush=True)


def emit(events: Iterable[Any]) -> list[Any]:
    """Render a stream of runtime events as they come; returns them."""
    kept = []
    render = {"rich": _RichRenderer, "plain": _PlainRenderer, "json": _JsonRenderer}[mode()]()
    try:
        for event in events:
            kept.append(event)
            render.event(event)
    finally:
        render.close()
    return kept


class _JsonRenderer:
    def event(self, event: Any) -> None:
        print(json.dumps(event.as_dict(), default=_jsonable), flush=True)

    def close(self) -> None:
        pass


def _jsonable(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(value)
    return str(value)


def _health_text(state: str, health: str | None) -> str:
    return f"{state} ({health})" if health else state


class _PlainRenderer:
    def event(self, event: Any) -> None:
        name = type(event).__name__
        if name == "Step":
            print(f"==> {event.message}", flush=True)
        elif name == "Warning":
            print(f"warning: {event.message}", file=sys.stderr, flush=True)
        elif name == "PlanReady":
            for action in event.actions:
                verbs = ("build, " if action["build"] == "true" else "") + action["verb"]
                print(f"    {action['service']}: {verbs} ({action['reason']})", flush=True)
        elif name == "Output":
            print(f"    {event.source} | {event.line}", flush=True)
        elif name == "ServiceChanged":
            print(f"[{event.elapsed:6.1f}s] {event.service}: {_health_text(event.state, event.health)}", flush=True)
        elif name == "StatusReport":
            print_status(event)

    def close(self) -> None:
        pass


class _RichRenderer:
    """Progress per service on one live line set; build output in a transient spinner."""

    def __init__(self) -> None:
        self.console = _console()
        self.status = None

    def _spin(self, text: str) -> None:
        from rich.markup import escape

        if self.status is None:
            self.status = self.console.status(escape(text))
            self.status.start()
        else:
            self.status.update(escape(text))

    def event(self, event: Any) -> None:
        from rich.markup import escape

        name = type(event).__name__
        if name == "Step":
            self.console.print(f"[bold blue]==>[/] {escape(event.message)}")
            self._spin(event.message)
        elif name == "Warning":
            self.console.print(f"[yellow]warning:[/] {escape(event.message)}")
        elif name == "PlanReady":
            for action in event.actions:
                verbs = ("build, " if action["build"] == "true" else "") + action["verb"]
                self.console.print(f"    [bold]{escape(action['service'])}[/]: {verbs} [dim]({escape(action['reason'])})[/]")
        elif name == "Output":
            self._spin(f"{event.source}: {event.line[:100]}")
        elif name == "ServiceChanged":
            colour = {"healthy": "green", "unhealthy": "red", "starting": "yellow"}.get(event.health or "", "")
            if not colour:
                colour = "green" if event.state == "running" else ("red" if event.state in ("exited", "dead") else "yellow")
            self.console.print(
                f"[dim]{event.elapsed:6.1f}s[/] [bold]{escape(event.service)}[/]: "
                f"[{colour}]{escape(_health_text(event.state, event.health))}[/]"
            )
        elif name == "StatusReport":
            self.close()
            print_status(event)

    def close(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None


def print_status(report: Any) -> None:
    """The table of services, state, health and URLs."""
    if mode() == "json":
        print(json.dumps(report.as_dict(), default=_jsonable), flush=True)
        return
    if mode() == "rich":
        from rich.table import Table

        table = Table(title=f"{report.project}" + (f" — ready in {report.elapsed:.1f}s" if report.elapsed else ""))
        for column in ("SERVICE", "ROLE", "STATE", "HEALTH", "URL"):
            table.add_column(column)
        for row in report.services:
            colour = "green" if row.ready else "red"
            table.add_row(row.service, row.role, f"[{colour}]{row.state}[/]", row.health or "-", " ".join(row.urls) or "-")
        _console().print(table)
        return
    rows = [("SERVICE", "ROLE", "STATE", "HEALTH", "URL")]
    rows += [(r.service, r.role, r.state, r.health or "-", " ".join(r.urls) or "-") for r in report.services]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip(), flush=True)
    if report.elapsed:
        print(f"{report.project}: ready in {report.elapsed:.1f}s", flush=True)


def error(exc: BaseException) -> None:
    """Print a DevenvError: details, then one line, then the hint; the traceback only with --debug."""
    if CURRENT.debug:
        traceback.print_exception(exc, file=sys.stderr)
    details = getattr(exc, "details", None)
    if details:
        print(details.rstrip(), file=sys.stderr)
    message = getattr(exc, "message", str(exc))
    prefix = "" if type(exc).__name__ == "SpecError" else "error: "
    print(f"{prefix}{message}", file=sys.stderr)
    hint = getattr(exc, "hint", None)
    if hint:
        print(f"hint: {hint}", file=sys.stderr)
    sys.stderr.flush()
