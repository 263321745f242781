"""The supervisor (the parent process): preloads the libraries, watches the code and, for
every change, forks a child that imports the code anew.

serve: the new child takes over once it is ready (its startup done), then the old one stops
  accepting; until a child is ready after a failure, the parent answers 503 with the error.
run:  the old child is stopped first (--stop-signal, then SIGKILL after --stop-timeout),
  then the new one starts."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import selectors
import signal
import socket
import sys
import time
import traceback
from typing import TYPE_CHECKING

from .child import Child, Closed, wait_for
from .files import IGNORED_DIRS, Tree
from .listener import answer_unavailable, listen
from .loader import prepare_imports
from .log import log, truthy
from .preload import learn, preload, preload_names
from .runner import run_child
from .server import serve_child
from .watch import Watch

if TYPE_CHECKING:
    from types import FrameType


class Reloader:
    """The parent process's state and loop, for one `serve` or `run` command line."""

    def __init__(self, opts: argparse.Namespace):
        self.opts = opts
        self.mode: str = opts.command
        include = opts.include or ["*.py"]
        ignore = list(IGNORED_DIRS) + (opts.ignore or [])
        tree = Tree(opts.watch or [os.getcwd()], include, ignore)
        self.roots = tree.roots
        polling = opts.poll or truthy(os.environ.get("DEVENV_POLLING")) or truthy(
            os.environ.get("WATCHFILES_FORCE_POLLING")
        )
        poll_s = float(os.environ.get("DEVENV_RELOAD_POLL_MS", "250")) / 1000
        debounce_s = float(os.environ.get("DEVENV_RELOAD_DEBOUNCE_MS", str(opts.debounce_ms))) / 1000
        self.learn = os.environ.get("DEVENV_RELOAD_LEARN", "1").strip().lower() not in ("0", "false", "no", "off")
        self.selector = selectors.DefaultSelector()
        self.watch = Watch(tree, self.selector, polling, poll_s, debounce_s)
        self.children: dict[int, Child] = {}
        self.current: Child | None = None  # serving (serve) or running (run)
        self.pending: Child | None = None  # serve: started, not ready yet
        self.recheck_at: float | None = None
        self.recheck_child: Child | None = None
        self.listener: socket.socket | None = None  # set exactly in serve mode, from the start
        self.serving_errors = False
        self.error_text = "starting"
        self.learned: set[str] = set()
        self.exiting = False
        self.exit_code = 0
        self.stop_ms: int | None = None  # run: how long the previous process took to stop

    # -- setup

    def start(self) -> int:
        rfd, wfd = os.pipe()
        os.set_blocking(rfd, False)
        os.set_blocking(wfd, False)
        self.wakeup, self.wakeup_w = rfd, wfd
        signal.set_wakeup_fd(wfd)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(sig, self._on_signal)
        self.selector.register(rfd, selectors.EVENT_READ, "signal")
        if self.mode == "serve":
            self.listener = listen(self.opts.host, self.opts.port)
        started = time.monotonic()
        preload(preload_names(self.opts.preload), self.roots)
        preload_ms = round((time.monotonic() - started) * 1000)
        self.watch.start()
        what = self.opts.app if self.mode == "serve" else " ".join(self._run_argv())
        log(
            "info",
            "devenv-reload started",
            mode=self.mode,
            target=what,
            watch=self.roots,
            watcher=self.watch.describe(),
            preloaded_ms=preload_ms,
            files=len(self.watch.snapshot),
        )
        self._spawn([])
        return self._loop()

    def _learn(self, names: list[str]) -> None:
        if not self.learn:
            return
        fresh = sorted(n for n in names if n not in sys.modules and n not in self.learned)
        if not fresh:
            return
        self.learned.update(fresh)
        started = time.monotonic()
        learn(fresh, self.roots)
        ms = round((time.monotonic() - started) * 1000)
        log("debug", "preloaded what the app imported", modules=len(fresh), ms=ms)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            self.exiting = True

    # -- the loop

    def _loop(self) -> int:
        stopping_sent = False
        while True:
            if self.exiting and not stopping_sent:
                stopping_sent = True
                for child in list(self.children.values()):
                    self._stop(child, grace=None)
            if self.exiting and not self.children:
                return self.exit_code
            timeout = self._timeout()
            for key, _mask in self.selector.select(timeout):
                tag = key.data
                if tag == "signal":
                    try:
                        while os.read(self.wakeup, 512):
                            pass
                    except (BlockingIOError, InterruptedError):
                        pass
                elif tag == "inotify":
                    self.watch.on_events()
                elif tag == "listener":
                    if self.listener is not None:  # always: registered only in serve mode
                        answer_unavailable(self.listener, self.error_text)
                else:
                    self._on_child_message(tag)
            self._reap()
            now = time.monotonic()
            self.watch.poll(now)
            if self.recheck_at is not None and now >= self.recheck_at:
                self._recheck()
            for child in list(self.children.values()):
                if child.stop_deadline is not None and now >= child.stop_deadline:
                    log("warning", "child did not stop in time; killing it", pid=child.pid)
                    _kill(child.pid, signal.SIGKILL)
                    child.stop_deadline = None
            due = self._reload_due()
            if due is not None and now >= due:
                self._reload()

    def _reload_due(self) -> float | None:
        """When the changes seen so far should be loaded: after a quiet debounce period (at
        most 10 debounce periods after the first), and in run mode once the old process is gone."""
        if not self.watch.dirty or self.exiting:
            return None
        if self.mode == "run" and self.current is not None and self.current.stopping:
            return None  # SIGCHLD wakes the loop when it has exited
        return self.watch.due()

    def _timeout(self) -> float | None:
        now = time.monotonic()
        deadlines = []
        if self.watch.polling:
            deadlines.append(self.watch.last_poll + self.watch.poll_s)
        due = self._reload_due()
        if due is not None:
            deadlines.append(due)
        if self.recheck_at is not None:
            deadlines.append(self.recheck_at)
        deadlines += [c.stop_deadline for c in self.children.values() if c.stop_deadline is not None]
        if self.exiting:
            deadlines.append(now + 0.2)
        if not deadlines:
            return None
        return max(0.0, min(deadlines) - now)

    def _recheck(self) -> None:
        """After a reload: did anything change since the fork that no event reported?"""
        child, self.recheck_at, self.recheck_child = self.recheck_child, None, None
        if child is None:
            return
        self.watch.recheck(child.snapshot)

    # -- reloads

    def _reload(self) -> None:
        if self.mode == "run" and self.current is not None and self.current.exit_code is None:
            if not self.current.stopping:
                self._stop(self.current, grace=self.opts.stop_timeout)
            return  # the new child starts once the old one is gone
        changed = self.watch.take()
        if self.pending is not None:  # superseded before it was ready
            self._stop(self.pending, grace=5.0)
            self.pending = None
        self._spawn(changed)

    def _spawn(self, changed: list[str]) -> None:
        snapshot = self.watch.refresh()
        parent_end, child_end = socket.socketpair()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the parent's loop
            code = 1
            try:
                parent_end.close()
                code = self._child(child_end)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:  # noqa: BLE001
                traceback.print_exc()
                code = 1
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code)
        child_end.close()
        parent_end.setblocking(False)
        child = Child(pid, parent_end, snapshot, changed)
        self.children[pid] = child
        self.selector.register(parent_end, selectors.EVENT_READ, child)
        if self.mode == "serve":
            self.pending = child
        else:
            self.current = child
            child.ready = True
            if self.stop_ms is not None:
                child.timing = {"stop_ms": self.stop_ms}
                self.stop_ms = None
            self._log_reload(child)
            self.recheck_child, self.recheck_at = child, time.monotonic() + 1.0

    def _log_reload(self, child: Child) -> None:
        ms = round((time.monotonic() - child.started) * 1000)
        if child.changed:
            log("info", "reloaded", changed=self.watch.rel(child.changed), pid=child.pid, ms=ms, **child.timing)
        else:
            log("info", "started", pid=child.pid, ms=ms, **child.timing)

    def _on_child_message(self, child: Child) -> None:
        messages = child.messages()
        if messages is None:
            self._close_ctrl(child)
            if child is self.pending:  # died before it was ready
                self.pending = None
                self._failed(child, child.error or "the new code did not start (see the log above)")
            return
        for message in messages:
            event = message.get("event")
            if event == "ready" and child is self.pending:
                child.timing = {k: v for k, v in message.items() if k.endswith("_ms")}
                self._handover(child)
                self._learn(message.get("modules") or [])
            elif event == "failed":
                child.error = message.get("error")
            elif event == "modules":
                self._learn(message.get("modules") or [])

    def _close_ctrl(self, child: Child) -> None:
        """The child's control socket is done with: off the selector, closed."""
        if isinstance(child.ctrl, socket.socket):
            self.selector.unregister(child.ctrl)
            child.ctrl.close()
        child.ctrl = Closed()

    def _handover(self, child: Child) -> None:
        old = self.current
        if old is not None and old.exit_code is None:
            old.send("stop")  # it stops accepting at once, then finishes its requests
            wait_for(old, "closed", timeout=2.0)
            old.stopping = True
            old.stop_deadline = time.monotonic() + 30.0
        if self.serving_errors and self.listener is not None:
            self.selector.unregister(self.listener)
            self.serving_errors = False
        child.send("go")
        child.ready = True
        self.pending = None
        self.current = child
        self._log_reload(child)
        self.recheck_child, self.recheck_at = child, time.monotonic()

    def _failed(self, child: Child, error: str) -> None:
        log("error", "the new code failed to start; answering 503 until the next change", pid=child.pid)
        self.error_text = error
        old = self.current
        if old is not None and old.exit_code is None:
            old.send("stop")
            wait_for(old, "closed", timeout=2.0)
            old.stopping = True
            old.stop_deadline = time.monotonic() + 30.0
        self.current = None
        self._serve_errors()
        self.recheck_child, self.recheck_at = child, time.monotonic()

    def _serve_errors(self) -> None:
        if self.listener is not None and not self.serving_errors and not self.exiting:  # serve mode
            self.selector.register(self.listener, selectors.EVENT_READ, "listener")
            self.serving_errors = True

    def _stop(self, child: Child, grace: float | None) -> None:
        if child.exit_code is not None:
            return
        child.stopping = True
        child.stop_requested = time.monotonic()
        if self.mode == "serve":
            child.send("stop")
            _kill(child.pid, signal.SIGTERM if not child.ready else 0)
        else:
            _kill(child.pid, self.opts.stop_signal)
        if grace is not None:
            child.stop_deadline = time.monotonic() + grace

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            child = self.children.pop(pid, None)
            if child is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            child.exit_code = code
            child.stop_deadline = None
            if not isinstance(child.ctrl, Closed):
                try:
                    for message in child.messages() or []:
                        if message.get("event") == "failed":
                            child.error = message.get("error")
                except OSError:
                    pass
                self._close_ctrl(child)
            if self.exiting:
                if child is self.current:
                    self.exit_code = code if code and code > 0 else 0
                continue
            if child is self.pending:
                self.pending = None
                self._failed(child, child.error or f"the new code exited with code {code} before it was ready")
            elif child is self.current:
                self.current = None
                if child.stopping and self.mode == "run":  # stopped for a reload: the loop starts the next one
                    self.stop_ms = round((time.monotonic() - (child.stop_requested or time.monotonic())) * 1000)
                    continue
                log("error", "the process exited; waiting for a change to start it again", pid=pid, code=code)
                self.error_text = child.error or f"the server exited with code {code} (see the log above)"
                self._serve_errors()

    # -- the child side

    def _child(self, ctrl: socket.socket) -> int:
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _die_with_parent()
        self.selector.close()
        os.close(self.wakeup)
        os.close(self.wakeup_w)
        self.watch.close()
        for other in self.children.values():
            with contextlib.suppress(OSError):
                other.ctrl.close()
        app_dir = os.path.abspath(self.opts.app_dir or os.getcwd())
        prepare_imports(app_dir, self.roots)
        if self.listener is not None:  # serve mode
            return serve_child(self.opts, self.listener, ctrl, self.roots)
        return run_child(self._run_argv(), self.opts, ctrl, self.roots)

    def _run_argv(self) -> list[str]:
        if self.opts.module:
            return ["-m", self.opts.module, *self.opts.args]
        return list(self.opts.args)


def _kill(pid: int, sig: int) -> None:
    if sig == 0:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
