"""devenv-reload: a preloading fork-server reloader for Python services in development.

    python reload.py serve MODULE:APP [--host 0.0.0.0] [--port 8000] [--log-config FILE] [--no-access-log]
    python reload.py run -m MODULE [ARG...]
    python reload.py run SCRIPT [ARG...]

The parent process imports the heavy libraries once (FastAPI, uvicorn, pydantic,
psycopg, redis, ... and whatever third-party modules the app imported last time),
watches the code (inotify; polling with DEVENV_POLLING=1) and, for every change,
forks a fresh child that imports the code anew. Nothing of the app's code is ever
imported in the parent, so each child runs exactly what is on disk.

serve: the parent holds the listening socket, so no connection is refused during a
  swap. The new child imports the app and runs its startup; only then the old child
  stops accepting and the new one starts (connections wait in the socket's backlog
  for the few milliseconds in between). If the new code fails to import or start,
  the parent answers 503 with the error until the next change.
run:  the old child is stopped first (SIGTERM, then SIGKILL after --stop-timeout
  seconds: a worker finishes its current job), then the new one starts.

No edit is lost: changes made while a child starts are noticed (events, and a
re-check of the files' stat and content after each reload) and start another one.
Code is always compiled from source, so a stale __pycache__ never masks an edit.
Settings (environment): DEVENV_POLLING / WATCHFILES_FORCE_POLLING (poll instead of
inotify), DEVENV_RELOAD_POLL_MS (250), DEVENV_RELOAD_DEBOUNCE_MS (10),
DEVENV_RELOAD_PRELOAD (more modules to import up front, comma-separated),
DEVENV_RELOAD_LEARN=0 (do not import what the app used).

Standard library only; part of devenv (devenv/reload/reloader.py), delivered into
containers as a Compose config.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import fnmatch
import gc
import hashlib
import importlib
import importlib.machinery
import json
import os
import selectors
import signal
import socket
import struct
import sys
import threading
import time
import traceback
import warnings
from datetime import datetime, timezone

PRELOAD = (
    "asyncio", "json", "logging.config", "email.utils", "http", "uuid", "decimal", "typing", "dataclasses",
    "pydantic", "pydantic.main", "pydantic.fields", "pydantic_core", "pydantic.v1", "pydantic_settings",
    "starlette.applications", "starlette.routing", "starlette.responses", "starlette.middleware",
    "fastapi", "fastapi.routing", "fastapi.responses", "fastapi.middleware", "fastapi.encoders", "fastapi.security",
    "uvicorn", "uvicorn.config", "uvicorn.server", "uvicorn.main", "uvicorn.lifespan.on", "uvicorn.lifespan.off",
    "uvicorn.loops.auto", "uvicorn.loops.asyncio", "uvicorn.loops.uvloop", "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.h11_impl", "uvicorn.protocols.http.httptools_impl", "uvicorn.protocols.websockets.auto",
    "uvicorn.logging", "anyio", "anyio._backends._asyncio", "h11", "httptools", "uvloop", "sniffio",
    "psycopg", "psycopg.pq", "psycopg.types", "psycopg_pool", "psycopg2", "asyncpg",
    "sqlalchemy", "sqlalchemy.orm", "sqlalchemy.ext.asyncio", "sqlmodel", "alembic",
    "redis", "redis.asyncio", "pika", "aio_pika", "kombu", "celery", "rq", "httpx", "requests", "orjson",
)
IGNORED_DIRS = (
    ".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv", ".tox", ".nox", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".hypothesis", "build", "dist", "*.egg-info", ".devenv",
)
RACY_NS = 3_000_000_000  # files changed this recently are also compared by content (mtime is coarse)

# inotify(7)
IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_Q_OVERFLOW, IN_IGNORED = 0x400, 0x800, 0x4000, 0x8000
IN_ONLYDIR, IN_DONT_FOLLOW, IN_EXCL_UNLINK, IN_ISDIR = 0x1000000, 0x2000000, 0x4000000, 0x40000000
IN_NONBLOCK, IN_CLOEXEC = 0o4000, 0o2000000
WATCH_MASK = (
    IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
    | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK
)
EVENT = struct.Struct("iIII")


def log(level: str, msg: str, **extra) -> None:
    """One JSON line on stderr, like the templates' logs."""
    entry = {
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "level": level,
        "logger": "devenv.reload",
        "msg": msg,
        **extra,
    }
    try:
        sys.stderr.write(json.dumps(entry, default=str) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


# --------------------------------------------------------------------------- files


class Tree:
    """The watched files: under ``roots``, matching ``include``, outside ignored directories."""

    def __init__(self, roots: list[str], include: list[str], ignore: list[str]):
        self.roots = [os.path.abspath(root) for root in roots]
        self.include = include
        self.ignore = ignore

    def wanted_dir(self, name: str) -> bool:
        return not any(fnmatch.fnmatchcase(name, pattern) for pattern in self.ignore)

    def wanted_file(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.include)

    def wanted_path(self, path: str) -> bool:
        """A file path under a root, in no ignored directory, matching ``include``."""
        for root in self.roots:
            rel = os.path.relpath(path, root)
            if rel.startswith(".."):
                continue
            parts = rel.split(os.sep)
            return self.wanted_file(parts[-1]) and all(self.wanted_dir(part) for part in parts[:-1])
        return False

    def dirs(self, top: str | None = None) -> list[str]:
        """Every directory to watch (under ``top``, default: all roots)."""
        out: list[str] = []
        stack = [top] if top else list(self.roots)
        while stack:
            path = stack.pop()
            out.append(path)
            try:
                with os.scandir(path) as entries:
                    for entry in entries:
                        if entry.is_dir(follow_symlinks=False) and self.wanted_dir(entry.name):
                            stack.append(entry.path)
            except OSError:
                continue
        return out

    def snapshot(self, top: str | None = None) -> dict[str, tuple]:
        """{path: (mtime_ns, size, inode, digest or None)}; files changed within RACY_NS get a digest."""
        now = time.time_ns()
        out: dict[str, tuple] = {}
        for directory in self.dirs(top):
            try:
                with os.scandir(directory) as entries:
                    for entry in entries:
                        if not self.wanted_file(entry.name):
                            continue
                        try:
                            if not entry.is_file():
                                continue
                            st = entry.stat()
                        except OSError:
                            continue
                        digest = _digest(entry.path) if now - st.st_mtime_ns < RACY_NS else None
                        out[entry.path] = (st.st_mtime_ns, st.st_size, st.st_ino, digest)
            except OSError:
                continue
        return out


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    except OSError:
        return None


def changed_files(before: dict[str, tuple], after: dict[str, tuple]) -> list[str]:
    """Paths added, removed or changed between two snapshots (content compared for racy entries)."""
    out = []
    for path in before.keys() | after.keys():
        old, new = before.get(path), after.get(path)
        if old is None or new is None or old[:3] != new[:3]:
            out.append(path)
        elif old[3] is not None and (new[3] or _digest(path)) != old[3]:
            out.append(path)
    return sorted(out)


class Inotify:
    """inotify(7) through ctypes: recursive watches, names of changed files."""

    def __init__(self, tree: Tree):
        self.tree = tree
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        fd = self.libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1: " + os.strerror(ctypes.get_errno()))
        self.fd = fd
        self.paths: dict[int, str] = {}
        for root in tree.roots:
            self.add_tree(root)

    def fileno(self) -> int:
        return self.fd

    def add_tree(self, top: str) -> None:
        for directory in self.tree.dirs(top):
            wd = self.libc.inotify_add_watch(self.fd, os.fsencode(directory), WATCH_MASK)
            if wd < 0:
                err = ctypes.get_errno()
                if err in (errno.ENOENT, errno.ENOTDIR, errno.EACCES):
                    continue
                raise OSError(err, f"inotify_add_watch {directory}: {os.strerror(err)}")
            self.paths[wd] = directory

    def read(self) -> tuple[set[str], bool]:
        """(changed wanted paths, rescan needed) from the events waiting."""
        changed: set[str] = set()
        rescan = False
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                break
            except InterruptedError:
                continue
            if not data:
                break
            offset = 0
            while offset < len(data):
                wd, mask, _cookie, length = EVENT.unpack_from(data, offset)
                name = data[offset + EVENT.size : offset + EVENT.size + length].rstrip(b"\0")
                offset += EVENT.size + length
                if mask & IN_Q_OVERFLOW:
                    rescan = True
                    continue
                directory = self.paths.get(wd)
                if mask & IN_IGNORED:
                    self.paths.pop(wd, None)
                    continue
                if directory is None:
                    continue
                if not name:  # the watched directory itself went away or moved
                    if mask & (IN_DELETE_SELF | IN_MOVE_SELF):
                        rescan = True
                    continue
                path = os.path.join(directory, os.fsdecode(name))
                if mask & IN_ISDIR:
                    if not self.tree.wanted_dir(os.path.basename(path)):
                        continue
                    if mask & (IN_CREATE | IN_MOVED_TO):
                        self.add_tree(path)
                        changed.update(self.tree.snapshot(path))
                    elif mask & (IN_MOVED_FROM | IN_DELETE):
                        rescan = True
                elif self.tree.wanted_path(path):
                    changed.add(path)
        return changed, rescan

    def close(self) -> None:
        os.close(self.fd)


# --------------------------------------------------------------------------- children


class NoCacheLoader(importlib.machinery.SourceFileLoader):
    """Compile the app's modules from source every time: a __pycache__ entry written for an
    earlier version with the same size in the same second would otherwise be used."""

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        return self.source_to_code(self.get_data(path), path)


def _code_path_hook(roots: list[str]):
    loaders = [
        (importlib.machinery.ExtensionFileLoader, importlib.machinery.EXTENSION_SUFFIXES),
        (NoCacheLoader, importlib.machinery.SOURCE_SUFFIXES),
    ]

    def hook(path: str):
        absolute = os.path.abspath(path or ".")
        if _under(absolute, roots) and os.path.isdir(absolute):
            return importlib.machinery.FileFinder(path, *loaders)
        raise ImportError("not code")

    return hook


class Child:
    def __init__(self, pid: int, ctrl: socket.socket, snapshot: dict[str, tuple], changed: list[str]):
        self.pid = pid
        self.ctrl = ctrl
        self.snapshot = snapshot
        self.changed = changed
        self.started = time.monotonic()
        self.buffer = b""
        self.ready = False
        self.stopping = False
        self.stop_deadline: float | None = None
        self.exit_code: int | None = None
        self.error: str | None = None
        self.timing: dict = {}
        self.stop_requested: float | None = None

    def send(self, line: str) -> None:
        try:
            self.ctrl.sendall(line.encode() + b"\n")
        except OSError:
            pass

    def messages(self) -> list[dict] | None:
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


def _send(ctrl: socket.socket, event: str, **fields) -> None:
    try:
        ctrl.sendall(json.dumps({"event": event, **fields}).encode() + b"\n")
    except OSError:
        pass


def _under(path: str, roots: list[str]) -> bool:
    path = os.path.abspath(path)
    return any(path == root or path.startswith(root + os.sep) for root in roots)


def _loaded_modules(roots: list[str]) -> list[str]:
    """Third-party and standard-library modules the app imported (candidates to preload)."""
    out = []
    for name, module in list(sys.modules.items()):
        if name in ("__main__", "__mp_main__") or module is None:
            continue
        places = [getattr(module, "__file__", None) or ""] + list(getattr(module, "__path__", None) or [])
        if any(_under(place, roots) for place in places if isinstance(place, str) and place):
            continue
        out.append(name)
    return out


# --------------------------------------------------------------------------- parent


class Reloader:
    def __init__(self, opts: argparse.Namespace):
        self.opts = opts
        self.mode = opts.command
        include = opts.include or ["*.py"]
        ignore = list(IGNORED_DIRS) + (opts.ignore or [])
        self.tree = Tree(opts.watch or [os.getcwd()], include, ignore)
        self.roots = self.tree.roots
        self.polling = opts.poll or truthy(os.environ.get("DEVENV_POLLING")) or truthy(
            os.environ.get("WATCHFILES_FORCE_POLLING")
        )
        self.poll_s = float(os.environ.get("DEVENV_RELOAD_POLL_MS", "250")) / 1000
        self.debounce_s = float(os.environ.get("DEVENV_RELOAD_DEBOUNCE_MS", str(opts.debounce_ms))) / 1000
        self.learn = os.environ.get("DEVENV_RELOAD_LEARN", "1").strip().lower() not in ("0", "false", "no", "off")
        self.selector = selectors.DefaultSelector()
        self.children: dict[int, Child] = {}
        self.current: Child | None = None  # serving (serve) or running (run)
        self.pending: Child | None = None  # serve: started, not ready yet
        self.dirty: set[str] = set()
        self.dirty_since: float | None = None
        self.last_event = 0.0
        self.last_poll = 0.0
        self.recheck_at: float | None = None
        self.recheck_child: Child | None = None
        self.listener: socket.socket | None = None
        self.serving_errors = False
        self.error_text = "starting"
        self.learned: set[str] = set()
        self.exiting = False
        self.exit_code = 0
        self.watcher: Inotify | None = None
        self.snapshot: dict[str, tuple] = {}
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
            self.listener = self._listen()
        started = time.monotonic()
        self._preload()
        preload_ms = round((time.monotonic() - started) * 1000)
        if not self.polling:
            try:
                self.watcher = Inotify(self.tree)
                self.selector.register(self.watcher, selectors.EVENT_READ, "inotify")
            except OSError as exc:
                log("warning", "inotify unavailable; polling instead", error=str(exc))
                self.polling = True
        self.snapshot = self.tree.snapshot()
        what = self.opts.app if self.mode == "serve" else " ".join(self._run_argv())
        log(
            "info",
            "devenv-reload started",
            mode=self.mode,
            target=what,
            watch=self.roots,
            watcher=f"polling every {round(self.poll_s * 1000)} ms" if self.polling else "inotify",
            preloaded_ms=preload_ms,
            files=len(self.snapshot),
        )
        self._spawn([])
        return self._loop()

    def _listen(self) -> socket.socket:
        host, port = self.opts.host, self.opts.port
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.setblocking(False)
        return sock

    def _preload(self) -> None:
        """Import the heavy libraries once, with the code directories off sys.path."""
        saved = list(sys.path)
        sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) not in self.roots and p != _script_dir()]
        names = list(PRELOAD) + [n.strip() for n in os.environ.get("DEVENV_RELOAD_PRELOAD", "").split(",") if n.strip()]
        if self.opts.preload:
            names += self.opts.preload
        try:
            for name in names:
                self._import_quietly(name)
        finally:
            sys.path[:] = [p for p in saved if p != _script_dir()]
        gc.collect()
        gc.freeze()
        threads = _threads()
        if threads > 1:
            log("warning", "a preloaded module started threads; forking may be unsafe", threads=threads)

    def _import_quietly(self, name: str) -> None:
        if name in sys.modules:
            return
        try:
            with warnings.catch_warnings():  # import-time deprecation notices: the app's business
                warnings.simplefilter("ignore")
                importlib.import_module(name)
        except Exception:  # noqa: BLE001 - not installed, or fails outside the app: the child imports it
            pass

    def _learn(self, names: list[str]) -> None:
        if not self.learn:
            return
        fresh = sorted(n for n in names if n not in sys.modules and n not in self.learned)
        if not fresh:
            return
        self.learned.update(fresh)
        started = time.monotonic()
        saved = list(sys.path)
        sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) not in self.roots]
        try:
            for name in fresh:
                self._import_quietly(name)
        finally:
            sys.path[:] = saved
        gc.collect()
        gc.freeze()
        log("debug", "preloaded what the app imported", modules=len(fresh), ms=round((time.monotonic() - started) * 1000))

    def _on_signal(self, signum, _frame) -> None:
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
                    self._on_events()
                elif tag == "listener":
                    self._answer_error()
                else:
                    self._on_child_message(tag)
            self._reap()
            now = time.monotonic()
            if self.polling and now >= self.last_poll + self.poll_s:
                self._mark(self._rescan())
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

    def _on_events(self) -> None:
        try:
            changed, rescan = self.watcher.read()
        except OSError as exc:  # e.g. out of inotify watches (fs.inotify.max_user_watches)
            log("warning", "inotify failed; polling instead", error=str(exc))
            self.selector.unregister(self.watcher)
            self.watcher.close()
            self.watcher = None
            self.polling = True
            changed, rescan = set(), True
        if rescan:
            changed.update(self._rescan())
        self._mark(changed)

    def _reload_due(self) -> float | None:
        """When the changes seen so far should be loaded: after a quiet debounce period (at
        most 10 debounce periods after the first), and in run mode once the old process is gone."""
        if not self.dirty or self.exiting:
            return None
        if self.mode == "run" and self.current is not None and self.current.stopping:
            return None  # SIGCHLD wakes the loop when it has exited
        return min(self.last_event + self.debounce_s, (self.dirty_since or self.last_event) + 10 * self.debounce_s)

    def _timeout(self) -> float | None:
        now = time.monotonic()
        deadlines = []
        if self.polling:
            deadlines.append(self.last_poll + self.poll_s)
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

    def _rescan(self) -> set[str]:
        self.last_poll = time.monotonic()
        fresh = self.tree.snapshot()
        changed = set(changed_files(self.snapshot, fresh))
        self.snapshot = fresh
        return changed

    def _mark(self, changed: set[str]) -> None:
        if not changed:
            return
        self.dirty.update(changed)
        self.last_event = time.monotonic()
        if self.dirty_since is None:
            self.dirty_since = self.last_event

    def _recheck(self) -> None:
        """After a reload: did anything change since the fork that no event reported?"""
        child, self.recheck_at, self.recheck_child = self.recheck_child, None, None
        if child is None:
            return
        fresh = self.tree.snapshot()
        missed = set(changed_files(child.snapshot, fresh)) - self.dirty
        if self.polling:
            self.snapshot = fresh
        if missed:
            if not self.dirty:
                log("info", "files changed during the reload; reloading again", changed=self._rel(missed))
            self._mark(missed)

    # -- reloads

    def _reload(self) -> None:
        changed = sorted(self.dirty)
        if self.mode == "run" and self.current is not None and self.current.exit_code is None:
            if not self.current.stopping:
                self._stop(self.current, grace=self.opts.stop_timeout)
            return  # the new child starts once the old one is gone
        self.dirty.clear()
        self.dirty_since = None
        if self.pending is not None:  # superseded before it was ready
            self._stop(self.pending, grace=5.0)
            self.pending = None
        self._spawn(changed)

    def _spawn(self, changed: list[str]) -> None:
        snapshot = self.tree.snapshot()
        self.snapshot = snapshot
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
            log("info", "reloaded", changed=self._rel(child.changed), pid=child.pid, ms=ms, **child.timing)
        else:
            log("info", "started", pid=child.pid, ms=ms, **child.timing)

    def _rel(self, paths) -> list[str]:
        out = []
        for path in sorted(paths)[:20]:
            rel = next((os.path.relpath(path, r) for r in self.roots if path.startswith(r + os.sep)), path)
            out.append(rel)
        return out

    def _on_child_message(self, child: Child) -> None:
        messages = child.messages()
        if messages is None:
            self.selector.unregister(child.ctrl)
            child.ctrl.close()
            child.ctrl = _Closed()
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

    def _handover(self, child: Child) -> None:
        old = self.current
        if old is not None and old.exit_code is None:
            old.send("stop")  # it stops accepting at once, then finishes its requests
            _wait_for(old, "closed", timeout=2.0)
            old.stopping = True
            old.stop_deadline = time.monotonic() + 30.0
        if self.serving_errors:
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
            _wait_for(old, "closed", timeout=2.0)
            old.stopping = True
            old.stop_deadline = time.monotonic() + 30.0
        self.current = None
        self._serve_errors()
        self.recheck_child, self.recheck_at = child, time.monotonic()

    def _serve_errors(self) -> None:
        if self.mode == "serve" and not self.serving_errors and not self.exiting:
            self.selector.register(self.listener, selectors.EVENT_READ, "listener")
            self.serving_errors = True

    def _answer_error(self) -> None:
        """No child serves: answer 503 with the error, so the change's failure is visible."""
        for _ in range(64):
            try:
                conn, _addr = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            try:
                conn.settimeout(0.5)
                data = b""
                while b"\r\n\r\n" not in data and len(data) < 65536:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                body = ("devenv-reload: the code does not start; fix it and save again.\n\n" + self.error_text).encode()
                head = (
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"
                ).encode()
                conn.sendall(head + body)
            except OSError:
                pass
            finally:
                conn.close()

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
            if not isinstance(child.ctrl, _Closed):
                try:
                    for message in child.messages() or []:
                        if message.get("event") == "failed":
                            child.error = message.get("error")
                except OSError:
                    pass
                self.selector.unregister(child.ctrl)
                child.ctrl.close()
                child.ctrl = _Closed()
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
        if self.watcher is not None:
            self.watcher.close()
        for other in self.children.values():
            try:
                other.ctrl.close()
            except OSError:
                pass
        # the code: first on sys.path, compiled from source, directory listings fresh
        app_dir = os.path.abspath(self.opts.app_dir or os.getcwd())
        sys.path[:] = [app_dir] + [p for p in sys.path if p and os.path.abspath(p) != app_dir]
        sys.path_hooks.insert(0, _code_path_hook(self.roots + [app_dir]))
        for key in list(sys.path_importer_cache):
            if not key or not os.path.isabs(key) or _under(key, self.roots + [app_dir]):
                sys.path_importer_cache.pop(key, None)
        importlib.invalidate_caches()
        if self.mode == "serve":
            return _serve_child(self.opts, self.listener, ctrl, self.roots)
        return _run_child(self._run_argv(), self.opts, ctrl, self.roots)

    def _run_argv(self) -> list[str]:
        if self.opts.module:
            return ["-m", self.opts.module, *self.opts.args]
        return list(self.opts.args)


class _Closed:
    def send(self, *_args) -> None:  # noqa: D401 - stand-in for a closed socket
        pass

    def sendall(self, *_args) -> None:
        pass

    def recv(self, *_args) -> bytes:
        return b""

    def close(self) -> None:
        pass


def _wait_for(child: Child, event: str, timeout: float) -> bool:
    """Block (briefly) until ``child`` sends ``event``; False on timeout or end of file."""
    deadline = time.monotonic() + timeout
    sock = child.ctrl
    if isinstance(sock, _Closed):
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


def format_error(exc: BaseException, roots: list[str]) -> str:
    """The traceback from the first frame in the app's code on, without the reloader's and
    importlib's frames (they say nothing about the error)."""
    me = os.path.abspath(__file__)
    top = traceback.TracebackException.from_exception(exc)
    todo, done = [top], set()
    while todo:
        item = todo.pop()
        if id(item) in done:
            continue
        done.add(id(item))
        frames = [f for f in item.stack if f.filename != me and not f.filename.startswith("<frozen ")]
        first = next((i for i, f in enumerate(frames) if _under(f.filename, roots)), len(frames))
        item.stack = traceback.StackSummary.from_list(frames[first:])
        todo += [t for t in (item.__cause__, item.__context__) if t is not None]
    return "".join(top.format())


def _kill(pid: int, sig: int) -> None:
    if sig == 0:
        return
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _script_dir() -> str:
    return os.path.dirname(os.path.abspath(__file__))


def _serve_child(opts: argparse.Namespace, listener: socket.socket, ctrl: socket.socket, roots: list[str]) -> int:
    import asyncio

    import uvicorn

    kwargs = {
        "host": opts.host,
        "port": opts.port,
        "access_log": not opts.no_access_log,
        "proxy_headers": not opts.no_proxy_headers,
        "factory": opts.factory,
        "root_path": opts.root_path,
        "timeout_graceful_shutdown": 10,
    }
    if opts.log_config:
        kwargs["log_config"] = opts.log_config
    if opts.log_level:
        kwargs["log_level"] = opts.log_level
    if opts.forwarded_allow_ips:
        kwargs["forwarded_allow_ips"] = opts.forwarded_allow_ips
    started = time.monotonic()
    try:
        config = uvicorn.Config(opts.app, **kwargs)
        config.load()
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, then to HTTP clients
        text = format_error(exc, roots)
        sys.stderr.write(text)
        _send(ctrl, "failed", error=text)
        return 1
    server = uvicorn.Server(config)
    inner_class = config.lifespan_class

    class GatedLifespan:
        """The app's lifespan; after its startup, report ready and wait for the parent's go."""

        def __init__(self, cfg):
            self.inner = inner_class(cfg)
            self.aborted = False

        def __getattr__(self, name):
            return getattr(self.inner, name)

        @property
        def should_exit(self):
            return self.aborted or self.inner.should_exit

        async def startup(self):
            loaded = time.monotonic()
            await self.inner.startup()
            if self.inner.should_exit:
                _send(ctrl, "failed", error="the application's startup failed (see the log above)")
                return
            loop = asyncio.get_running_loop()
            go = loop.create_future()
            buffer = b""

            def on_ctrl():
                nonlocal buffer
                try:
                    data = ctrl.recv(4096)
                except (BlockingIOError, InterruptedError):
                    return
                except OSError:
                    data = b""
                if not data:  # the parent is gone
                    loop.remove_reader(ctrl.fileno())
                    server.should_exit = True
                    if not go.done():
                        go.set_result(False)
                    return
                buffer += data
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    if line == b"go" and not go.done():
                        go.set_result(True)
                    elif line == b"stop":
                        _stop_accepting(loop, getattr(server, "servers", []))
                        _send(ctrl, "closed")
                        if not go.done():
                            go.set_result(False)
                            server.should_exit = True
                        else:  # let connections accepted a moment ago send their request first
                            loop.call_later(0.25, setattr, server, "should_exit", True)

            loop.add_reader(ctrl.fileno(), on_ctrl)
            timing = {"import_ms": round((loaded - started) * 1000), "startup_ms": round((time.monotonic() - loaded) * 1000)}
            _send(ctrl, "ready", modules=_loaded_modules(roots), **timing)
            if not await go:
                self.aborted = True
                await self.inner.shutdown()

        async def shutdown(self):
            await self.inner.shutdown()

    config.lifespan_class = GatedLifespan
    try:
        server.run(sockets=[listener])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def _quick_socketserver_shutdown() -> None:
    """socketserver's serve_forever checks for shutdown() every 0.5 s, so a process that stops its
    health endpoint on SIGTERM takes up to half a second to exit: under the reloader, 50 ms."""
    import socketserver

    original = socketserver.BaseServer.serve_forever

    def serve_forever(self, poll_interval=0.05):
        return original(self, min(poll_interval, 0.05))

    socketserver.BaseServer.serve_forever = serve_forever


def _stop_accepting(loop, servers) -> None:
    """Stop taking connections off the shared socket now, keeping those already taken.

    asyncio's Server.close() would also drop a connection accepted but not yet attached
    to a transport; removing the listening socket's reader does not."""
    import asyncio.selector_events

    for running in servers:
        if isinstance(loop, asyncio.selector_events.BaseSelectorEventLoop):
            for sock in running.sockets or ():
                loop.remove_reader(sock.fileno())
        else:  # uvloop: its own server handles
            running.close()


def _run_child(argv: list[str], opts: argparse.Namespace, ctrl: socket.socket, roots: list[str]) -> int:
    import atexit
    import runpy

    def report_modules():
        time.sleep(2.0)
        _send(ctrl, "modules", modules=_loaded_modules(roots))

    threading.Thread(target=report_modules, name="devenv-reload", daemon=True).start()
    _quick_socketserver_shutdown()
    code = 0
    try:
        if opts.module:
            sys.argv = [opts.module, *opts.args]
            runpy.run_module(opts.module, run_name="__main__", alter_sys=True)
        else:
            sys.argv = list(opts.args)
            runpy.run_path(opts.args[0], run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, int) and exc.code is not None:
            sys.stderr.write(f"{exc.code}\n")
    except KeyboardInterrupt:
        code = 130
    except BaseException as exc:  # noqa: BLE001
        sys.stderr.write(format_error(exc, roots))
        code = 1
    atexit._run_exitfuncs()
    return code


# --------------------------------------------------------------------------- command line


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="devenv-reload", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--watch", action="append", metavar="DIR", help="directory to watch (repeatable; default: .)")
        p.add_argument("--include", action="append", metavar="GLOB", help="file names that count (default: *.py)")
        p.add_argument("--ignore", action="append", metavar="GLOB", help="more directory names to skip")
        p.add_argument("--preload", action="append", metavar="MODULE", help="more modules to import up front")
        p.add_argument("--poll", action="store_true", help="poll instead of inotify (also DEVENV_POLLING=1)")
        p.add_argument("--debounce-ms", type=float, default=10.0)
        p.add_argument("--app-dir", default=None, help="put this directory first on sys.path (default: .)")

    serve = sub.add_parser("serve", help="an ASGI app on uvicorn, swapped without refusing connections")
    serve.add_argument("app", help="MODULE:ATTRIBUTE, e.g. app.main:app")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--log-config", default=None)
    serve.add_argument("--log-level", default=None)
    serve.add_argument("--no-access-log", action="store_true")
    serve.add_argument("--proxy-headers", action="store_true", help="(uvicorn's default; accepted for compatibility)")
    serve.add_argument("--no-proxy-headers", action="store_true")
    serve.add_argument("--forwarded-allow-ips", default=None)
    serve.add_argument("--root-path", default="")
    serve.add_argument("--factory", action="store_true")
    common(serve)

    run = sub.add_parser("run", help="a long-running process, restarted (gracefully) on change")
    run.add_argument("-m", dest="module", default=None, help="run a module, like python -m")
    run.add_argument("--stop-signal", default="SIGTERM", help="how to ask the old process to stop (default SIGTERM)")
    run.add_argument("--stop-timeout", type=float, default=30.0, help="seconds before it is killed (default 30)")
    common(run)
    run.add_argument("args", nargs="*", help="SCRIPT [ARG...] or, after -m MODULE, its arguments")
    program: list[str] = []
    if argv[:1] == ["run"]:  # the reloader's options end at -m MODULE or SCRIPT: the rest is the program's
        takes_value = {"--watch", "--include", "--ignore", "--preload", "--debounce-ms", "--app-dir",
                       "--stop-signal", "--stop-timeout"}  # fmt: skip
        i = 1
        while i < len(argv):
            word = argv[i]
            if word == "-m" or word == "--" or not word.startswith("-"):
                start = i + 2 if word == "-m" else i + 1 if word == "--" else i
                program = argv[start:]
                argv = argv[:start]
                break
            i += 2 if word in takes_value else 1
    opts = parser.parse_args(argv)
    if opts.command == "run":
        opts.args = list(opts.args) + program
        if not opts.module and not opts.args:
            parser.error("run: give -m MODULE or SCRIPT")
        opts.stop_signal = getattr(signal, opts.stop_signal) if isinstance(opts.stop_signal, str) else opts.stop_signal
    return opts


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    return Reloader(opts).start()


if __name__ == "__main__":
    sys.exit(main())
