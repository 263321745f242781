"""The health signal: GET /healthz answers 200 while the main loop is alive and the
queue is reachable, 503 otherwise (devenv's health check and the image's HEALTHCHECK
call it)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Health:
    """What the main loop reports; read by the HTTP handler."""

    def __init__(self, stale_after: float = 30.0):
        self.stale_after = stale_after
        self.last_beat = time.monotonic()
        self.queue_ok = False
        self.processed = 0
        self.failed = 0
        self.lock = threading.Lock()

    def beat(self, queue_ok: bool = True) -> None:
        with self.lock:
            self.last_beat = time.monotonic()
            self.queue_ok = queue_ok

    def count(self, ok: bool) -> None:
        with self.lock:
            if ok:
                self.processed += 1
            else:
                self.failed += 1

    def report(self) -> tuple[bool, dict]:
        with self.lock:
            age = time.monotonic() - self.last_beat
            healthy = self.queue_ok and age < self.stale_after
            return healthy, {
                "status": "ok" if healthy else "unhealthy",
                "queue": "ok" if self.queue_ok else "unreachable",
                "last_beat_seconds": round(age, 1),
                "processed": self.processed,
                "failed": self.failed,
            }


def serve(health: Health, port: int) -> ThreadingHTTPServer:
    """Start the health endpoint in a daemon thread; `.shutdown()` stops it."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server's naming
            if self.path.split("?")[0] != "/healthz":
                self.send_error(404)
                return
            healthy, body = health.report()
            data = json.dumps(body).encode()
            self.send_response(200 if healthy else 503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:  # health checks would flood the log
            pass

    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server
