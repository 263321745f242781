"""Run the dashboard: ``python -m dashboard`` in its container (``python -m devenv.dashboard`` on a host).

Serves the same app on the UI port (DEVENV_DASHBOARD_PORT, 18888) and the OTLP/HTTP port
(DEVENV_DASHBOARD_OTLP_PORT, 4318), from one process.
"""

from __future__ import annotations

import os
import socket

import uvicorn

from .app import create_app


def _listen(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((os.environ.get("DEVENV_DASHBOARD_HOST", "0.0.0.0"), port))  # inside its container
    sock.listen(512)
    sock.set_inheritable(True)
    return sock


def main() -> None:
    """Listen on both ports and serve until stopped."""
    ports = [
        int(os.environ.get("DEVENV_DASHBOARD_PORT", "18888")),
        int(os.environ.get("DEVENV_DASHBOARD_OTLP_PORT", "4318")),
    ]
    sockets = [_listen(port) for port in dict.fromkeys(ports)]
    level = os.environ.get("DEVENV_DASHBOARD_LOG_LEVEL", "warning")
    config = uvicorn.Config(create_app(), log_level=level, access_log=False)
    uvicorn.Server(config).run(sockets=sockets)


if __name__ == "__main__":
    main()
