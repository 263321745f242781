"""The child in `serve` mode: the ASGI app on uvicorn, on the listening socket the parent holds.

After the app's startup the child reports "ready" and waits for the parent's "go" before it
accepts connections; on "stop" it stops accepting at once and finishes the requests it took."""

from __future__ import annotations

import argparse
import importlib
import socket
import sys
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .child import send
from .report import format_error, loaded_modules

if TYPE_CHECKING:
    import asyncio


def serve_child(opts: argparse.Namespace, listener: socket.socket, ctrl: socket.socket, roots: list[str]) -> int:
    """Serve the app until told to stop; the exit code."""
    import asyncio

    # uvicorn is installed in the service's image, not next to devenv: untyped here
    uvicorn: Any = importlib.import_module("uvicorn")

    kwargs: dict[str, Any] = {
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
        send(ctrl, "failed", error=text)
        return 1
    server = uvicorn.Server(config)
    inner_class = config.lifespan_class

    class GatedLifespan:
        """The app's lifespan; after its startup, report ready and wait for the parent's go."""

        def __init__(self, cfg: Any):
            self.inner = inner_class(cfg)
            self.aborted = False

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        @property
        def should_exit(self) -> bool:
            inner_exit: bool = self.inner.should_exit
            return self.aborted or inner_exit

        async def startup(self) -> None:
            loaded = time.monotonic()
            await self.inner.startup()
            if self.inner.should_exit:
                send(ctrl, "failed", error="the application's startup failed (see the log above)")
                return
            loop = asyncio.get_running_loop()
            go: asyncio.Future[bool] = loop.create_future()
            buffer = b""

            def on_ctrl() -> None:
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
                        send(ctrl, "closed")
                        if not go.done():
                            go.set_result(False)
                            server.should_exit = True
                        else:  # let connections accepted a moment ago send their request first
                            loop.call_later(0.25, setattr, server, "should_exit", True)

            loop.add_reader(ctrl.fileno(), on_ctrl)
            timing = {
                "import_ms": round((loaded - started) * 1000),
                "startup_ms": round((time.monotonic() - loaded) * 1000),
            }
            send(ctrl, "ready", modules=loaded_modules(roots), **timing)
            if not await go:
                self.aborted = True
                await self.inner.shutdown()

        async def shutdown(self) -> None:
            await self.inner.shutdown()

    config.lifespan_class = GatedLifespan
    try:
        server.run(sockets=[listener])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def _stop_accepting(loop: asyncio.AbstractEventLoop, servers: Iterable[asyncio.Server]) -> None:
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
