"""A small Docker Engine API client over the local unix socket, for the calls devenv makes on every command.

The Docker SDK is the general client (TLS, SSH, every endpoint), but importing it
(requests, urllib3, ...) takes about 0.13 s, more than a third of what `devenv status`
may cost in all. So on the usual local engine (``DOCKER_HOST`` unset or ``unix://``)
the engine facade talks HTTP over the socket with the standard library for the few
endpoints it uses on hot paths, with the same method names and results as the SDK's
``APIClient``; any other method is handed to a real ``APIClient``, made on first use.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import struct
import urllib.parse
from typing import Any

DEFAULT_SOCKET = "/var/run/docker.sock"


class APIError(Exception):
    """The engine answered with an error status."""

    def __init__(self, status: int, explanation: str) -> None:
        super().__init__(f"{status}: {explanation}")
        self.status = status
        self.explanation = explanation


class NotFound(APIError):
    """404: no such container, image or exec."""


def socket_path(environ: dict[str, str] | None = None) -> str | None:
    """The unix socket of the engine ``DOCKER_HOST`` names (default: the local one), or None for other hosts."""
    host = (os.environ if environ is None else environ).get("DOCKER_HOST", "").strip()
    if not host:
        return DEFAULT_SOCKET
    if host.startswith("unix://"):
        return host[len("unix://") :] or DEFAULT_SOCKET
    return None


def demux(data: bytes) -> bytes:
    """The payload of a multiplexed stream (8-byte frame headers), frames joined; raw data as is."""
    if len(data) < 8 or data[0] not in (0, 1, 2) or data[1:4] != b"\0\0\0":
        return data
    out = bytearray()
    offset = 0
    while offset + 8 <= len(data):
        size = struct.unpack(">I", data[offset + 4 : offset + 8])[0]
        out += data[offset + 8 : offset + 8 + size]
        offset += 8 + size
    return bytes(out)


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


class UnixClient:
    """The engine API over a unix socket: the SDK ``DockerClient`` and ``APIClient`` calls devenv uses."""

    def __init__(self, path: str, timeout: float = 30) -> None:
        self.path = path
        self.timeout = timeout
        self._sdk: Any = None

    @property
    def api(self) -> UnixClient:
        """The low-level API (the SDK's ``client.api``): this object."""
        return self

    def _request(
        self, method: str, path: str, query: dict[str, Any] | None = None, body: Any = None
    ) -> tuple[int, bytes]:
        url = path + ("?" + urllib.parse.urlencode(query) if query else "")
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        connection = _UnixConnection(self.path, self.timeout)
        try:
            connection.request(method, url, body=payload, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except OSError as exc:
            raise ConnectionError(f"cannot talk to the engine at unix://{self.path}: {exc}") from None
        finally:
            connection.close()
        if response.status >= 400:
            try:
                message = str(json.loads(data).get("message", ""))
            except (ValueError, AttributeError):
                message = data.decode("utf-8", "replace").strip()
            raise (NotFound if response.status == 404 else APIError)(response.status, message)
        return response.status, data

    def _json(self, method: str, path: str, query: dict[str, Any] | None = None, body: Any = None) -> Any:
        _, data = self._request(method, path, query, body)
        return json.loads(data) if data else None

    # --- DockerClient -------------------------------------------------------------------

    def ping(self) -> bool:
        """GET /_ping."""
        return self._request("GET", "/_ping")[1] == b"OK"

    def version(self) -> dict[str, Any]:
        """GET /version."""
        return dict(self._json("GET", "/version"))

    def info(self) -> dict[str, Any]:
        """GET /info."""
        return dict(self._json("GET", "/info"))

    # --- APIClient ----------------------------------------------------------------------

    def containers(self, all: bool = False, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """GET /containers/json."""
        query: dict[str, Any] = {"all": "1" if all else "0"}
        if filters:
            query["filters"] = json.dumps({k: v if isinstance(v, list) else [v] for k, v in filters.items()})
        return list(self._json("GET", "/containers/json", query))

    def inspect_container(self, container: str) -> dict[str, Any]:
        """GET /containers/{id}/json."""
        return dict(self._json("GET", f"/containers/{container}/json"))

    def inspect_image(self, image: str) -> dict[str, Any]:
        """GET /images/{name}/json."""
        return dict(self._json("GET", f"/images/{urllib.parse.quote(image, safe='/:@')}/json"))

    def start(self, container: str) -> None:
        """POST /containers/{id}/start."""
        self._request("POST", f"/containers/{container}/start")

    def exec_create(
        self,
        container: str,
        cmd: list[str],
        stdout: bool = True,
        stderr: bool = True,
        environment: dict[str, str] | list[str] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        """POST /containers/{id}/exec."""
        env = [f"{k}={v}" for k, v in environment.items()] if isinstance(environment, dict) else environment
        body: dict[str, Any] = {
            "Cmd": cmd, "AttachStdout": stdout, "AttachStderr": stderr, "AttachStdin": False, "Tty": False
        }
        if env:
            body["Env"] = env
        return dict(self._json("POST", f"/containers/{container}/exec", body=body))

    def exec_start(self, exec_id: str | dict[str, Any], **_: Any) -> bytes:
        """POST /exec/{id}/start, waiting for the command to end: its output, frames joined."""
        key = exec_id["Id"] if isinstance(exec_id, dict) else exec_id
        return demux(self._request("POST", f"/exec/{key}/start", body={"Detach": False, "Tty": False})[1])

    def exec_inspect(self, exec_id: str | dict[str, Any]) -> dict[str, Any]:
        """GET /exec/{id}/json."""
        key = exec_id["Id"] if isinstance(exec_id, dict) else exec_id
        return dict(self._json("GET", f"/exec/{key}/json"))

    def logs(
        self, container: str, stdout: bool = True, stderr: bool = True, tail: int | str = "all", **_: Any
    ) -> bytes:
        """GET /containers/{id}/logs (not followed)."""
        query = {"stdout": int(stdout), "stderr": int(stderr), "tail": str(tail)}
        return demux(self._request("GET", f"/containers/{container}/logs", query)[1])

    def __getattr__(self, name: str) -> Any:
        """Anything else: the Docker SDK's APIClient on the same socket, made on first use."""
        if name.startswith("_"):
            raise AttributeError(name)
        if self._sdk is None:
            import docker

            self._sdk = docker.APIClient(base_url=f"unix://{self.path}", version="auto", timeout=int(self.timeout))
        return getattr(self._sdk, name)
