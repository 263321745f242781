"""The one place the CLI prints: events through a renderer (rich, plain or JSON lines), and errors.

A command parses its flags, makes one core call that returns events, and passes them to
:func:`emit`, which renders each as it comes with the renderer of the output mode:
``rich`` in a terminal, ``plain`` lines otherwise, or ``json`` (``--output``). Each
renderer has one method per event class (:mod:`devenv.cli.render`).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterable
from typing import Literal, Protocol, TypeVar

from devenv.cli.state import CURRENT
from devenv.events import Event, Message, Warning

Mode = Literal["rich", "plain", "json"]
E = TypeVar("E", bound=Event)
MODES: dict[str, Mode] = {"rich": "rich", "plain": "plain", "json": "json"}


class Renderer(Protocol):
    """Shows events in one output mode."""

    def render(self, event: Event) -> None:
        """Show one event."""

    def close(self) -> None:
        """Finish: stop what is still live on the terminal (a spinner)."""


def current_mode() -> Mode:
    """The output mode in force: ``--output``, or rich in a terminal and plain otherwise."""
    chosen = MODES.get(CURRENT.output)
    if chosen is not None:
        return chosen
    return "rich" if sys.stdout.isatty() else "plain"


def renderer(for_mode: Mode) -> Renderer:
    """A new renderer for ``for_mode`` (the rich one imports rich only when it is used)."""
    if for_mode == "json":
        from devenv.cli.render.json_renderer import JsonRenderer

        return JsonRenderer()
    if for_mode == "rich":
        from devenv.cli.render.rich_renderer import RichRenderer

        return RichRenderer()
    from devenv.cli.render.plain_renderer import PlainRenderer

    return PlainRenderer()


def emit(events: Iterable[E], mode: Mode | None = None) -> list[E]:
    """Render ``events`` as they come, in ``mode`` (default: the mode in force); return them.

    The returned list is what the command decides its exit code from.
    """
    shown = renderer(mode or current_mode())
    kept: list[E] = []
    try:
        for event in events:
            kept.append(event)
            shown.render(event)
    finally:
        shown.close()
    return kept


def say(*lines: str) -> None:
    """Show lines of text for the user (each a :class:`~devenv.events.Message`)."""
    emit(Message(line) for line in lines)


def warn(*messages: str) -> None:
    """Show warnings (each a :class:`~devenv.events.Warning`)."""
    emit(Warning(message) for message in messages)


def interrupted() -> None:
    """Say that Ctrl-C stopped the command, and how to carry on."""
    print("interrupted; run `devenv up` again to converge, or `devenv down`", file=sys.stderr, flush=True)


def error(exc: BaseException) -> None:
    """Print a DevenvError: details, then one line, then the hint; the traceback only with --debug."""
    if CURRENT.debug:
        traceback.print_exception(exc, file=sys.stderr)
    details = getattr(exc, "details", None)
    if details:
        print(details.rstrip(), file=sys.stderr)
    message = getattr(exc, "message", str(exc))
    from devenv.errors import SpecError

    prefix = "" if isinstance(exc, SpecError) else "error: "
    print(f"{prefix}{message}", file=sys.stderr)
    hint = getattr(exc, "hint", None)
    if hint:
        print(f"hint: {hint}", file=sys.stderr)
    sys.stderr.flush()
