"""The child in `run` mode: a script or module run as __main__, like `python SCRIPT` or `python -m MODULE`."""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time

from .child import send
from .report import format_error, loaded_modules


def run_child(argv: list[str], opts: argparse.Namespace, ctrl: socket.socket, roots: list[str]) -> int:
    """Run the program; its exit code. Two seconds in, report the modules it imported."""
    import atexit
    import runpy

    def report_modules() -> None:
        time.sleep(2.0)
        send(ctrl, "modules", modules=loaded_modules(roots))

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


def _quick_socketserver_shutdown() -> None:
    """socketserver's serve_forever checks for shutdown() every 0.5 s, so a process that stops its
    health endpoint on SIGTERM takes up to half a second to exit: under the reloader, 50 ms."""
    import socketserver

    original = socketserver.BaseServer.serve_forever

    def serve_forever(self: socketserver.BaseServer, poll_interval: float = 0.05) -> None:
        return original(self, min(poll_interval, 0.05))

    # patched on purpose, for every server the program starts; mypy forbids assigning to a method
    socketserver.BaseServer.serve_forever = serve_forever  # type: ignore[method-assign]
