"""The project's services and dependencies, with their state and health, probed from inside the network.

devenv writes the list (``resources.json``: name, type, kind or template, port, health path,
host URLs) next to the dashboard's code. The dashboard needs no Docker socket: it asks each
resource itself, on demand (when the page asks), over the Compose network: an HTTP GET of a
service's health path, else a TCP connection to its port.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

PROBE_TIMEOUT = 1.0
CACHE_SECONDS = 2.0


def load(path: Path) -> list[dict[str, Any]]:
    """The resource list devenv wrote (empty when there is none)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return list(data.get("resources", [])) if isinstance(data, dict) else []


async def _tcp(host: str, port: int) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), PROBE_TIMEOUT)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


async def _http(host: str, port: int, path: str) -> int | None:
    """The status code of ``GET path``, or None when nothing answers."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), PROBE_TIMEOUT)
    except (OSError, TimeoutError):
        return None
    try:
        writer.write(f"GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), PROBE_TIMEOUT)
        parts = line.decode("latin-1").split()
        return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None
    except (OSError, TimeoutError, ValueError):
        return None
    finally:
        writer.close()


async def probe(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource with ``state`` (running | unreachable | unknown) and ``health``."""
    host, port, health = resource["name"], resource.get("port"), resource.get("health")
    out = dict(resource)
    if not port:
        out.update(state="unknown", health=None)
    elif health:
        code = await _http(host, int(port), str(health))
        state = "running" if code is not None else "unreachable"
        out.update(state=state, health=None if code is None else ("healthy" if code < 400 else "unhealthy"))
    else:
        out.update(state="running" if await _tcp(host, int(port)) else "unreachable", health=None)
    return out


class Resources:
    """The list with probed states, cached for CACHE_SECONDS so a page refresh costs little."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cached: list[dict[str, Any]] = []
        self._at = 0.0

    async def current(self, last_seen: dict[str, float]) -> list[dict[str, Any]]:
        """Every resource, probed now (or a moment ago), with when it last sent telemetry."""
        if time.monotonic() - self._at > CACHE_SECONDS:
            self._cached = list(await asyncio.gather(*(probe(r) for r in load(self.path))))
            self._at = time.monotonic()
        return [{**r, "last_telemetry": last_seen.get(r["name"])} for r in self._cached]
