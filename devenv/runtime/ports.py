"""Host ports: find the ones `up` needs that something else holds, before anything starts."""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devenv.errors import DevenvError
from devenv.runtime.plan import Desired


@dataclass(frozen=True)
class Binding:
    """A host port a service publishes."""

    service: str
    host_ip: str
    port: int


class PortInUse(DevenvError):
    """A host port the project publishes is held by another process or container."""


def bindings(desired: dict[str, Desired], services: list[str]) -> list[Binding]:
    """Published TCP host ports of ``services``: Compose's short syntax ``[ip:][host[-range]:]container[/proto]``
    (an IPv6 address in brackets) or its long form (``{published, host_ip, protocol}``, raw compose keys)."""
    return [
        Binding(name, host_ip, port)
        for name in services
        for spec in desired[name].ports
        for host_ip, port in published(spec)
    ]


def published(spec: Any) -> list[tuple[str, int]]:
    """(host IP, host port) of one TCP port entry; none for a UDP one, an unpublished one or one it cannot read."""
    if isinstance(spec, dict):
        if spec.get("protocol", "tcp") != "tcp":
            return []
        return [(str(spec.get("host_ip") or "0.0.0.0"), port) for port in _ports(str(spec.get("published") or ""))]
    text, _, protocol = str(spec).partition("/")
    if protocol not in ("", "tcp"):
        return []
    host_ip = ""
    if text.startswith("["):  # [::1]:6000:6000
        host_ip, _, text = text[1:].partition("]")
        text = text.removeprefix(":")
        parts = ["", *text.split(":")] if host_ip else text.split(":")
    else:
        parts = text.split(":")
    if len(parts) == 3:
        host_ip = host_ip or parts[0]
        host = parts[1]
    elif len(parts) == 2:
        host = parts[0]
    else:
        return []
    return [(host_ip or "0.0.0.0", port) for port in _ports(host)]


def _ports(text: str) -> list[int]:
    """``8000`` -> [8000], ``8000-8002`` -> [8000, 8001, 8002], anything else -> []."""
    low, _, high = text.partition("-")
    if not low.isdigit() or not (high or low).isdigit():
        return []
    return list(range(int(low), int(high or low) + 1))


def port_is_free(host_ip: str, port: int) -> bool:
    """True when a listener could bind ``host_ip:port`` right now."""
    family = socket.AF_INET6 if ":" in host_ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # like any server (docker-proxy included): connections in TIME_WAIT do not block a listener
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host_ip, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def conflicts(
    wanted: list[Binding],
    own_ports: set[int],
    is_free: Callable[[str, int], bool] = port_is_free,
) -> list[Binding]:
    """Bindings whose port is taken by something that is not this project's own container."""
    return [b for b in wanted if b.port not in own_ports and not is_free(b.host_ip, b.port)]


def holder_of(port: int, containers: list[dict[str, Any]] | None = None) -> str | None:
    """Who listens on ``port``: a container (from the engine's list) or a local process (from /proc)."""
    for item in containers or []:
        for published in item.get("Ports") or []:
            if published.get("PublicPort") == port:
                name = (item.get("Names") or ["?"])[0].lstrip("/")
                return f"container {name}"
    inode = _listening_inode(port)
    if inode is None:
        return None
    return _process_with_socket(inode)


def _listening_inode(port: int) -> str | None:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10:
                continue
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                return inode
    return None


def _process_with_socket(inode: str) -> str | None:
    target = f"socket:[{inode}]"
    for pid in filter(str.isdigit, os.listdir("/proc")):
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:  # gone, or not ours to read
            continue
        for fd in fds:
            try:  # one fd closed while we look must not hide the rest of the process's
                if os.readlink(f"{fd_dir}/{fd}") != target:
                    continue
                comm = Path(f"/proc/{pid}/comm").read_text().strip()
            except OSError:
                continue
            return f"process {comm} (pid {pid})"
    return None


def port_error(taken: list[Binding], holders: dict[int, str | None]) -> PortInUse:
    """One error naming every taken port, its holder and the service that wants it."""
    parts = []
    for binding in taken:
        holder = holders.get(binding.port)
        by = f" by {holder}" if holder else ""
        parts.append(f"host port {binding.port} (for {binding.service}) is in use{by}")
    first = taken[0]
    return PortInUse(
        "; ".join(parts),
        hint=(
            f"stop what holds it, or set another `host_port` for {first.service} in devenv.yaml "
            f"(for example host_port: {first.port + 1})"
        ),
    )
