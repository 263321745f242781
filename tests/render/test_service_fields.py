"""The spec's service fields rendered to Compose: golden file, short syntax, and what Compose reads."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from devenv.render.compose import render_compose
from devenv.spec.loader import load_project

HERE = Path(__file__).parent

FIELDS = """\
name: fields
services:
  api:
    port: 8000
    public: true
    ports: ["9001:9001", "5353:53/udp", 9100, {container: 9200, host: 19200, host_ip: 0.0.0.0}]
    volumes:
      - cache:/var/cache/app
      - ./conf/app.ini:/etc/app.ini:ro
      - {tmpfs: true, target: /scratch, size: 64m}
    env_file: [.env.local, {path: .env.missing, required: false}]
    secrets: {db_password: ./secrets/db_password.txt}
    health_command: [python3, -c, "print('$HOME')"]
    health_timing: {interval: 5s, retries: 5}
    entrypoint: [/docker-entrypoint.sh]
    user: "1000:1000"
    working_dir: /srv
    build_args: {APP_ENV: dev}
    cap_add: [NET_BIND_SERVICE]
    cap_drop: [ALL]
    depends_on: [db]
  tool:
    image: busybox:1.36
    health_command: "test -f /tmp/ok"
    profiles: [debug]
    depends_on: [api]
dependencies:
  db: {kind: postgres}
"""


@pytest.fixture
def project(make_project):
    root = make_project(FIELDS, {"services/api": ""})
    (root / "conf").mkdir()
    (root / "conf" / "app.ini").write_text("[app]\n")
    (root / "secrets").mkdir()
    (root / "secrets" / "db_password.txt").write_text("not-a-secret\n")
    (root / ".env.local").write_text("A=1\n")
    return load_project(root, environ={})


def test_service_fields_golden(project, golden):
    golden(HERE, "service-fields.compose.yml", render_compose(project).text())


def test_short_syntax_and_loopback(project):
    api = render_compose(project).data["services"]["api"]
    assert api["ports"] == [
        "127.0.0.1:8000:8000", "127.0.0.1:9001:9001", "127.0.0.1:5353:53/udp", "0.0.0.0:19200:9200"
    ]  # fmt: skip
    assert api["expose"] == ["9100"]
    assert api["volumes"][:2] == ["cache:/var/cache/app", "./conf/app.ini:/etc/app.ini:ro"]
    assert api["healthcheck"]["test"] == ["CMD", "python3", "-c", "print('$$HOME')"]  # literal, not interpolated
    assert api["healthcheck"]["interval"] == "5s" and api["healthcheck"]["retries"] == 5
    assert api["build"]["args"] == {"APP_ENV": "dev"}


def test_top_level_volumes_and_secrets(project):
    data = render_compose(project).data
    assert data["volumes"] == {"db-data": {}, "cache": {}}
    assert data["secrets"] == {"db_password": {"file": "./secrets/db_password.txt"}}


def test_a_health_command_makes_dependents_wait_for_healthy(project):
    tool = render_compose(project).data["services"]["tool"]
    assert tool["depends_on"] == {"api": {"condition": "service_healthy"}}
    assert tool["healthcheck"]["test"] == ["CMD-SHELL", "test -f /tmp/ok"]
    assert tool["profiles"] == ["debug"]


@pytest.mark.compose_cli
@pytest.mark.skipif(shutil.which("docker") is None, reason="needs the docker CLI")
def test_compose_reads_it_as_meant(project, tmp_path: Path):
    path = project.root / "docker-compose.yml"
    path.write_text(render_compose(project).text())
    proc = subprocess.run(
        ["docker", "compose", "--profile", "*", "-f", str(path), "config", "--format", "json"],
        capture_output=True, text=True, check=False, cwd=project.root,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    api = json.loads(proc.stdout)["services"]["api"]
    udp = {"target": 53, "published": "5353", "protocol": "udp", "host_ip": "127.0.0.1"}
    assert udp.items() <= api["ports"][2].items()
    volumes = {v["target"]: v for v in api["volumes"]}
    assert volumes["/etc/app.ini"]["type"] == "bind" and volumes["/etc/app.ini"]["read_only"]
    assert volumes["/scratch"]["tmpfs"] == {"size": "67108864"}
    assert api["secrets"] == [{"source": "db_password", "target": "/run/secrets/db_password"}]
    assert api["environment"]["A"] == "1"  # from .env.local; the missing optional file is skipped
