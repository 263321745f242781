"""Added latency of the router: a request to https://<service>.<project>.localhost against the direct port.

One project, one service (``router_upstream.py``: a keep-alive HTTP/1.1 server answering
``ok``), brought up by ``devenv up`` with a router of the benchmark's own (its own name,
ports and data directory, so a user's router is left alone). In the same run, alternating
in rounds of 100, it times 2,000 GETs each way on one kept-alive connection per way:

- ``direct``: http://127.0.0.1:<host port> (docker-proxy, then the container);
- ``routed``: https://web.<project>.localhost:<router port> (the name resolved to 127.0.0.1,
  TLS verified against the devenv CA; docker-proxy, Caddy, then the container).

Goal: p50 overhead (routed p50 - direct p50) <= 1 ms. Results: results/router.json.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEVENV, example_env, free_port, remove_project, run, standins, write

SPEC = """\
name: {name}
services:
  web:
    image: python:3.11-slim
    port: {port}
    public: true
    command: ["python3", "/bench/router_upstream.py", "{port}"]
    compose:
      volumes: ["./router_upstream.py:/bench/router_upstream.py:ro"]
"""


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def stats(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 0.50) * 1000, 3),
        "p99_ms": round(percentile(samples, 0.99) * 1000, 3),
        "mean_ms": round(statistics.fmean(samples) * 1000, 3),
        "min_ms": round(min(samples) * 1000, 3),
    }


def direct_connection(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=10)


def routed_connection(host: str, port: int, cafile: str) -> http.client.HTTPSConnection:
    context = ssl.create_default_context(cafile=cafile)
    conn = http.client.HTTPSConnection(host, port, context=context, timeout=10)
    conn.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname=host)
    return conn


def one(conn: http.client.HTTPConnection) -> float:
    start = time.perf_counter()
    conn.request("GET", "/")
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - start
    if response.status != 200 or body != b"ok":
        raise RuntimeError(f"unexpected answer {response.status} {body[:100]!r}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--round", type=int, default=100)
    args = parser.parse_args()

    standins(["caddy", "python"])
    name = f"bench-{uuid.uuid4().hex[:8]}"
    base = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    root = base / name
    root.mkdir()
    port, https, plain = free_port(), free_port(), free_port()
    router = f"bench-router-{uuid.uuid4().hex[:6]}"
    (root / "devenv.yaml").write_text(SPEC.format(name=name, port=port))
    shutil.copy(Path(__file__).with_name("router_upstream.py"), root / "router_upstream.py")
    env = {
        **example_env(),
        "DEVENV_ROUTER": "1",
        "DEVENV_ROUTER_NAME": router,
        "DEVENV_ROUTER_HTTPS_PORT": str(https),
        "DEVENV_ROUTER_HTTP_PORT": str(plain),
        "DEVENV_HOME": str(base / "devenv-home"),
    }
    host = f"web.{name}.localhost"
    try:
        run([DEVENV, "-C", str(root), "--output", "plain", "up", "--timeout", "120"], env=env)
        cafile = str(base / "devenv-home" / "ca" / "ca.pem")
        direct, routed = direct_connection(port), routed_connection(host, https, cafile)
        for _ in range(200):  # warm-up: connections, Caddy's upstream pool, the CPU caches
            one(direct)
            one(routed)
        samples: dict[str, list[float]] = {"direct": [], "routed": []}
        while len(samples["routed"]) < args.requests:
            for way, conn in (("direct", direct), ("routed", routed)):
                samples[way].extend(one(conn) for _ in range(args.round))
        results = {way: stats(values) for way, values in samples.items()}
        overhead = {
            "p50_ms": round(results["routed"]["p50_ms"] - results["direct"]["p50_ms"], 3),
            "p99_ms": round(results["routed"]["p99_ms"] - results["direct"]["p99_ms"], 3),
        }
        caddy = run(["docker", "exec", router, "caddy", "version"], check=False).stdout.strip()
        path = write(
            "router.json",
            {
                "what": "GET on one kept-alive connection per way, alternating rounds; same run",
                "requests_per_way": args.requests,
                "round": args.round,
                "caddy": caddy,
                "direct": results["direct"],
                "routed": results["routed"],
                "overhead": overhead,
                "goal": {"p50_overhead_ms_max": 1.0, "met": overhead["p50_ms"] <= 1.0},
            },
        )
        print(f"direct {results['direct']}\nrouted {results['routed']}\noverhead {overhead}\n-> {path}")
    finally:
        subprocess.run([DEVENV, "-C", str(root), "down"], env=env, capture_output=True)
        subprocess.run(["docker", "rm", "-f", "-v", router], capture_output=True)
        subprocess.run(["docker", "network", "rm", router], capture_output=True)
        remove_project(name, directory=base)


if __name__ == "__main__":
    main()
