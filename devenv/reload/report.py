"""What a child tells about the app's code: its errors, shown from the app's first frame on,
and the library modules it imported (the parent preloads them for the next child)."""

from __future__ import annotations

import os
import sys
import traceback

from .files import under


def format_error(exc: BaseException, roots: list[str]) -> str:
    """The traceback from the first frame in the app's code on, without the reloader's and
    importlib's frames (they say nothing about the error)."""
    me = [os.path.dirname(os.path.abspath(__file__))]  # every module of the reloader
    top = traceback.TracebackException.from_exception(exc)
    todo, done = [top], set()
    while todo:
        item = todo.pop()
        if id(item) in done:
            continue
        done.add(id(item))
        frames = [f for f in item.stack if not under(f.filename, me) and not f.filename.startswith("<frozen ")]
        first = next((i for i, f in enumerate(frames) if under(f.filename, roots)), len(frames))
        item.stack = traceback.StackSummary.from_list(frames[first:])
        todo += [t for t in (item.__cause__, item.__context__) if t is not None]
    return "".join(top.format())


def loaded_modules(roots: list[str]) -> list[str]:
    """Third-party and standard-library modules the app imported (candidates to preload)."""
    out = []
    for name, module in list(sys.modules.items()):
        if name in ("__main__", "__mp_main__") or module is None:
            continue
        places = [getattr(module, "__file__", None) or "", *(getattr(module, "__path__", None) or [])]
        if any(under(place, roots) for place in places if isinstance(place, str) and place):
            continue
        out.append(name)
    return out
