"""`serve` mode's listening socket, which the parent holds for every child: opening it, and
answering 503 with the error while no child serves."""

from __future__ import annotations

import socket


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def answer_unavailable(listener: socket.socket, error: str) -> None:
    """No child serves: answer 503 with the error, so the change's failure is visible."""
    for _ in range(64):
        try:
            conn, _addr = listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return
        try:
            conn.settimeout(0.5)
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            body = ("devenv-reload: the code does not start; fix it and save again.\n\n" + error).encode()
            head = (
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"
            ).encode()
            conn.sendall(head + body)
        except OSError:
            pass
        finally:
            conn.close()
