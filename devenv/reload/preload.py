"""What the supervisor imports before it forks: the heavy libraries, once, and then whatever
library modules the app's children reported they imported. Never the app's own code."""

from __future__ import annotations

import gc
import importlib
import os
import sys
import threading
import warnings

from .log import log

PRELOAD_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "preload.txt")


def _read_preload() -> tuple[str, ...]:
    """The module names in preload.txt (one per line; # starts a comment)."""
    with open(PRELOAD_FILE, encoding="utf-8") as handle:
        return tuple(n for n in (line.split("#", 1)[0].strip() for line in handle) if n)


PRELOAD = _read_preload()


def preload_names(extra: list[str] | None) -> list[str]:
    """PRELOAD, then DEVENV_RELOAD_PRELOAD (comma-separated), then ``extra`` (--preload)."""
    names = list(PRELOAD) + [n.strip() for n in os.environ.get("DEVENV_RELOAD_PRELOAD", "").split(",") if n.strip()]
    if extra:
        names += extra
    return names


def launch_dir() -> str:
    """The directory Python found the reloader's package in (its parent): kept off sys.path, so
    that no name there shadows one of the app's modules."""
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def preload(names: list[str], roots: list[str]) -> None:
    """Import the heavy libraries once, with the code directories off sys.path."""
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) not in roots and p != launch_dir()]
    try:
        for name in names:
            import_quietly(name)
    finally:
        sys.path[:] = [p for p in saved if p != launch_dir()]
    gc.collect()
    gc.freeze()
    threads = _threads()
    if threads > 1:
        log("warning", "a preloaded module started threads; forking may be unsafe", threads=threads)


def learn(names: list[str], roots: list[str]) -> None:
    """Import modules the app used (``names``, not imported yet), with the code directories off sys.path."""
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) not in roots]
    try:
        for name in names:
            import_quietly(name)
    finally:
        sys.path[:] = saved
    gc.collect()
    gc.freeze()


def import_quietly(name: str) -> None:
    if name in sys.modules:
        return
    try:
        with warnings.catch_warnings():  # import-time deprecation notices: the app's business
            warnings.simplefilter("ignore")
            importlib.import_module(name)
    except Exception:  # noqa: BLE001 - not installed, or fails outside the app: the child imports it
        pass


def _threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()
