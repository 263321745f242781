"""The control channel between the supervisor and each forked child: a socket pair carrying
JSON lines from the child ("ready", "failed", "closed", "modules") and bare words from the
parent ("go", "stop")."""

from __future__ import annotations

import contextlib
import json
import selectors
import socket
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .files import Snapshot

    Message = dict[str, Any]  # one JSON line from a child


class Closed:
    """Stands in for a child's control socket once it is closed."""

    def send(self, *_args: object) -> None:
        pass

    def sendall(self, *_args: object) -> None:
        pass

    def recv(self, *_args: object) -> bytes:
        return b""

    def close(self) -> None:
        pass


class Child:
    """A forked child, as the supervisor sees it."""

    def __init__(self, pid: int, ctrl: socket.socket, snapshot: Snapshot, changed: list[str]):
        self.pid = pid
        self.ctrl: socket.socket | Closed = ctrl
        self.snapshot = snapshot
        self.changed = changed
        self.started = time.monotonic()
        self.buffer = b""
        self.ready = False
        self.stopping = False
        self.stop_deadline: float | None = None
        self.exit_code: int | None = None
        self.error: str | None = None
        self.timing: dict[str, Any] = {}
        self.stop_requested: float | None = None

    def send(self, line: str) -> None:
        with contextlib.suppress(OSError):
            self.ctrl.sendall(line.encode() + b"\n")

    def messages(self) -> list[Message] | None:
        """Messages waiting on the control socket; None at end of file."""
        try:
            data = self.ctrl.recv(65536)
        except (BlockingIOError, InterruptedError):
            return []
        except OSError:
            data = b""
        if not data:
            return None
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        out = []
        for line in lines:
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out


def send(ctrl: socket.socket, event: str, **fields: object) -> None:
    """In a child: tell the parent ``event``."""
    with contextlib.suppress(OSError):
        ctrl.sendall(json.dumps({"event": event, **fields}).encode() + b"\n")


def wait_for(child: Child, event: str, timeout: float) -> bool:
    """Block (briefly) until ``child`` sends ``event``; False on timeout or end of file."""
    deadline = time.monotonic() + timeout
    sock = child.ctrl
    if isinstance(sock, Closed):
        return False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        ready = selectors.DefaultSelector()
        try:
            ready.register(sock, selectors.EVENT_READ)
            if not ready.select(remaining):
                return False
        finally:
            ready.close()
        messages = child.messages()
        if messages is None:
            return False
        if any(m.get("event") == event for m in messages):
            return True
