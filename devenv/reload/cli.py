"""The reloader's command line:

    python /devenv/reload serve MODULE:APP [--host 0.0.0.0] [--port 8000] [--log-config FILE] [--no-access-log]
    python /devenv/reload run -m MODULE [ARG...]
    python /devenv/reload run SCRIPT [ARG...]
"""

from __future__ import annotations

import argparse
import signal
import sys

from .supervisor import Reloader

DESCRIPTION = "devenv-reload: a preloading fork-server reloader for Python services in development."
# options of `run` followed by a value: the reloader's options end at -m MODULE or SCRIPT
TAKES_VALUE = {
    "--watch", "--include", "--ignore", "--preload", "--debounce-ms", "--app-dir", "--stop-signal", "--stop-timeout",
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="devenv-reload", description=DESCRIPTION)
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
        i = 1
        while i < len(argv):
            word = argv[i]
            if word == "-m" or word == "--" or not word.startswith("-"):
                start = i + 2 if word == "-m" else i + 1 if word == "--" else i
                program = argv[start:]
                argv = argv[:start]
                break
            i += 2 if word in TAKES_VALUE else 1
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
