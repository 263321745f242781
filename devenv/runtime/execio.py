"""Exec with standard input, and restart: what snapshots ask of the engine, behind the facade.

A program sent to a container (a snapshot program: SQL for psql, a shell script) goes on
the exec's standard input, which the engine API offers only on a hijacked connection:
``POST /exec/{id}/start`` upgraded to a raw stream, stdin written to it and half-closed,
stdout and stderr read back as multiplexed frames. On the local engine (a unix socket,
see :mod:`devenv.runtime.dockerapi`) this module speaks that with the standard library;
with the Docker SDK's client (TLS, SSH) it uses ``exec_start(socket=True)``.

Only :class:`devenv.runtime.engine.Engine` calls it.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, BinaryIO

HEADER = struct.Struct(">BxxxI")  # stream (0 stdin, 1 stdout, 2 stderr), payload size


@dataclass(frozen=True)
class ExecOutput:
    """What an exec gave back (``code`` -1: the engine did not say, e.g. the container stopped)."""

    code: int
    stdout: bytes
    stderr: bytes


def read_frames(reader: BinaryIO) -> tuple[bytes, bytes]:
    """(stdout, stderr) of a multiplexed stream, read to its end."""
    out, err = bytearray(), bytearray()
    while True:
        header = _read_exactly(reader, HEADER.size)
        if len(header) < HEADER.size:
            break
        stream, size = HEADER.unpack(header)
        payload = _read_exactly(reader, size)
        (err if stream == 2 else out).extend(payload)
        if len(payload) < size:
            break
    return bytes(out), bytes(err)


def _read_exactly(reader: BinaryIO, size: int) -> bytes:
    chunks = []
    while size > 0:
        chunk = reader.read(size)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def exec_create_body(argv: list[str], env: dict[str, str] | None) -> dict[str, Any]:
    """The body of ``POST /containers/{id}/exec`` with standard input attached."""
    body: dict[str, Any] = {
        "Cmd": argv, "AttachStdin": True, "AttachStdout": True, "AttachStderr": True, "Tty": False
    }
    if env:
        body["Env"] = [f"{key}={value}" for key, value in env.items()]
    return body


def run(client: Any, container: str, argv: list[str], data: bytes, env: dict[str, str] | None,
        timeout: float | None) -> ExecOutput:
    """Run ``argv`` in ``container`` with ``data`` on its standard input; raise OSError or the client's errors."""
    path = getattr(client, "path", None)
    if isinstance(path, str):
        return _unix_exec(path, container, argv, data, env, timeout)
    return _sdk_exec(client.api, container, argv, data, env, timeout)


def restart(client: Any, container: str, stop_timeout: int) -> None:
    """POST /containers/{id}/restart?t=N: stop (SIGTERM, SIGKILL after N s) if running, then start."""
    path = getattr(client, "path", None)
    if isinstance(path, str):
        status, data = _unix_request(path, "POST", f"/containers/{container}/restart?t={stop_timeout}", None,
                                     stop_timeout + 30.0)
        if status >= 400:
            raise OSError(_explanation(data) or f"restart answered {status}")
        return
    client.api.restart(container, timeout=stop_timeout)


# --- the local engine: HTTP over the unix socket -----------------------------------------------


def _connect(path: str, timeout: float | None) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(path)
    return sock


def _request_bytes(method: str, url: str, body: Any, upgrade: bool = False) -> bytes:
    payload = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} {url} HTTP/1.1", "Host: docker", f"Content-Length: {len(payload)}"]
    if body is not None:
        lines.append("Content-Type: application/json")
    lines += ["Connection: Upgrade", "Upgrade: tcp"] if upgrade else ["Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def _read_head(reader: BinaryIO) -> tuple[int, dict[str, str]]:
    """Status and headers of an HTTP response (lower-case names)."""
    status_line = reader.readline().decode("latin-1")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise OSError(f"the engine answered {status_line.strip()!r}")
    headers = {}
    while True:
        line = reader.readline().decode("latin-1").strip()
        if not line:
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


def _read_body(reader: BinaryIO, headers: dict[str, str]) -> bytes:
    if "content-length" in headers:
        return _read_exactly(reader, int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        out = bytearray()
        while True:
            size = int(reader.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                reader.readline()
                return bytes(out)
            out += _read_exactly(reader, size)
            reader.readline()
    return reader.read()


def _unix_request(path: str, method: str, url: str, body: Any, timeout: float | None) -> tuple[int, bytes]:
    with _connect(path, timeout) as sock:
        sock.sendall(_request_bytes(method, url, body))
        reader = sock.makefile("rb")
        status, headers = _read_head(reader)
        return status, _read_body(reader, headers)


def _explanation(data: bytes) -> str:
    try:
        return str(json.loads(data).get("message", ""))
    except (ValueError, AttributeError):
        return data.decode("utf-8", "replace").strip()


def _unix_exec(path: str, container: str, argv: list[str], data: bytes, env: dict[str, str] | None,
               timeout: float | None) -> ExecOutput:
    quoted = urllib.parse.quote(container, safe="")
    status, answer = _unix_request(path, "POST", f"/containers/{quoted}/exec", exec_create_body(argv, env), 30.0)
    if status >= 400:
        raise OSError(_explanation(answer) or f"exec answered {status}")
    exec_id = str(json.loads(answer)["Id"])
    with _connect(path, timeout) as sock:
        sock.sendall(_request_bytes("POST", f"/exec/{exec_id}/start", {"Detach": False, "Tty": False}, upgrade=True))
        reader = sock.makefile("rb")
        status, _ = _read_head(reader)
        if status >= 400:
            raise OSError(f"exec start answered {status}")
        writer = threading.Thread(target=_feed, args=(sock, data), daemon=True)
        writer.start()
        stdout, stderr = read_frames(reader)
        writer.join(timeout=5)
    return ExecOutput(_exit_code(lambda: _unix_inspect(path, exec_id)), stdout, stderr)


def _feed(sock: socket.socket, data: bytes) -> None:
    """Write stdin, then close our half so the program reads its end."""
    try:
        if data:
            sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the program ended without reading it all


def _unix_inspect(path: str, exec_id: str) -> dict[str, Any]:
    status, answer = _unix_request(path, "GET", f"/exec/{exec_id}/json", None, 30.0)
    return dict(json.loads(answer)) if status < 400 else {}


def _exit_code(inspect: Any) -> int:
    """The exec's exit code once the engine has it (it may still say Running for a moment)."""
    for _ in range(50):
        state = inspect()
        code = state.get("ExitCode")
        if not state.get("Running") and isinstance(code, int):
            return code
        if not state:
            break
        time.sleep(0.02)
    return -1


# --- another engine: the Docker SDK --------------------------------------------------------------


def _sdk_exec(api: Any, container: str, argv: list[str], data: bytes, env: dict[str, str] | None,
              timeout: float | None) -> ExecOutput:
    handle = api.exec_create(container, argv, stdin=True, stdout=True, stderr=True, environment=env or None)
    stream = api.exec_start(handle["Id"], socket=True)
    raw = getattr(stream, "_sock", stream)
    raw.settimeout(timeout)
    writer = threading.Thread(target=_feed, args=(raw, data), daemon=True)
    writer.start()
    try:
        stdout, stderr = read_frames(raw.makefile("rb"))
    finally:
        writer.join(timeout=5)
        stream.close()
    return ExecOutput(_exit_code(lambda: api.exec_inspect(handle["Id"])), stdout, stderr)
