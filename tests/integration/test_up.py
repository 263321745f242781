"""`devenv up` / `status` / `down` on the real engine with real PostgreSQL, Redis and uvicorn."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.integration.conftest import copy_example_api, free_port, http

pytestmark = pytest.mark.docker

APP = """\
services:
  api:
    path: services/api
    target: dev
    port: 8000
    public: true
    host_port: {port}
    health: /healthz
    depends_on: [db, cache]
dependencies:
  db: {{kind: postgres, version: "15"}}
  cache: {{kind: redis, version: "7"}}
"""


def test_up_serves_data_from_postgres_and_data_survives_down_up(project, cli):
    copy_example_api(project.root)
    port = free_port()
    project.write(APP.format(port=port))

    code, out, err = cli("-C", project.root, "--output", "plain", "up", "--timeout", "180")
    assert code == 0, out + err
    assert f"http://localhost:{port}" in out
    assert "db: running (healthy)" in out and "api: running (healthy)" in out

    base = f"http://127.0.0.1:{port}"
    assert http("GET", f"{base}/healthz") == (200, {"status": "ok"})
    assert http("POST", f"{base}/api/visits?path=/a")[0] == 200
    assert http("POST", f"{base}/api/visits?path=/b")[0] == 200
    status, body = http("GET", f"{base}/api/visits")
    assert status == 200 and body["count"] == 2 and body["postgres"].startswith("15.")
    assert http("POST", f"{base}/api/hits")[1] == {"hits": 1}

    code, out, _ = cli("-C", project.root, "status", "--json")
    report = json.loads(out)
    assert code == 0
    assert {s["service"]: s["ready"] for s in report["services"]} == {
        "db": True, "cache": True, "api": True, "devenv-dashboard": True
    }

    # converges: a second `up` with everything running changes nothing
    code, out, _ = cli("-C", project.root, "--output", "plain", "up")
    assert code == 0
    assert "api: keep (running)" in out

    volumes = project.volumes()
    assert volumes == sorted([f"{project.name}_db-data", f"{project.name}_cache-data"])
    code, _, _ = cli("-C", project.root, "down")
    assert code == 0
    assert project.compose("ps", "-a", "-q").stdout.strip() == ""
    assert project.volumes() == volumes

    code, out, err = cli("-C", project.root, "--output", "plain", "up", "--timeout", "180")
    assert code == 0, out + err
    status, body = http("GET", f"{base}/api/visits")
    assert body["count"] == 2  # PostgreSQL's data survived down/up
    assert http("POST", f"{base}/api/hits")[1] == {"hits": 2}  # and Redis's

    code, _, _ = cli("-C", project.root, "down", "--volumes", "--yes")
    assert code == 0
    assert project.volumes() == []


SLOW_SERVICE = """\
services:
  web:
    image: python:3.11-slim
    command: [python3, -m, http.server, "8000"]
    port: 8000
    public: true
    host_port: {port}
    health: {health}
    depends_on: [cache]
dependencies:
  cache: {{kind: redis, version: "7"}}
"""


def test_service_never_healthy_fails_at_timeout_naming_it_with_logs(project, cli):
    project.write(SLOW_SERVICE.format(port=free_port(), health="/missing-page"))
    code, _out, err = cli("-C", project.root, "--output", "plain", "up", "--timeout", "20")
    assert code == 1
    assert "error: web is not healthy after 20s" in err
    assert "--- last 30 log lines of web (running, starting) ---" in err
    assert '"GET /missing-page HTTP/1.1" 404' in err  # the container's own log lines
    assert "hint:" in err


def test_crashing_service_fails_fast_with_its_logs(project, cli):
    project.write(
        """\
        services:
          job:
            image: python:3.11-slim
            command: [python3, -c, "import sys; print('boom: missing SETTING'); sys.exit(3)"]
        """
    )
    code, _, err = cli("-C", project.root, "--output", "plain", "up", "--timeout", "60")
    assert code == 1
    assert "error: job is exited" in err
    assert "boom: missing SETTING" in err


def test_selected_service_starts_only_what_it_needs(project, cli):
    port = free_port()
    project.write(SLOW_SERVICE.format(port=port, health="/") + "  db: {kind: postgres, version: \"15\"}\n")
    code, out, err = cli("-C", project.root, "--output", "plain", "up", "cache")
    assert code == 0, out + err
    running = set(project.compose("ps", "--format", "{{.Service}}").stdout.split())
    assert running == {"cache"}


def test_generated_file_works_with_plain_compose_without_devenv(project, cli):
    port = free_port()
    copy_example_api(project.root)
    project.write(APP.format(port=port))
    assert cli("-C", project.root, "generate")[0] == 0
    proc = project.compose("up", "--build", "--detach", "--wait", "--wait-timeout", "240")
    assert proc.returncode == 0, proc.stderr
    base = f"http://127.0.0.1:{port}"
    assert http("POST", f"{base}/api/visits")[0] == 200
    assert http("GET", f"{base}/api/visits")[1]["count"] == 1
    assert subprocess.run(["docker", "compose", "-f", str(project.root / "docker-compose.yml"), "down"]).returncode == 0
