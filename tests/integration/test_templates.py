"""Service templates on the real engine: one project scaffolded from all three templates
with PostgreSQL and Redis, shared by the tests of this module (builds take time).

* `devenv up`: the backend answers with data from PostgreSQL, a job enqueued through
  the backend is processed by the worker (its outcome lands in PostgreSQL), and the
  frontend page, opened in headless Chromium, shows data that came from the backend;
* `devenv test` passes for all three services on a checkout never brought up, fails when a
  test fails, and leaves a running environment alone;
* the prod stages build, run as non-root users and carry a HEALTHCHECK.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_cli
from tests.integration.cdp import CHROMIUM, Browser
from tests.integration.conftest import MIRROR_PREFIX, _load_standins, http, remove_project, scaffold_stack

pytestmark = pytest.mark.docker



class Stack:
    def __init__(self, root: Path, name: str, api_port: int, web_port: int):
        self.root, self.name, self.api_port, self.web_port = root, name, api_port, web_port

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def compose(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", "compose", "--project-directory", str(self.root), "-f", str(self.root / "docker-compose.yml"),
             *args],
            capture_output=True,
            text=True,
            env={**os.environ, "COMPOSE_BAKE": "false"},
        )


@pytest.fixture(scope="module")
def stack(tmp_path_factory, standins):
    """init + two dependencies + backend, worker, frontend, as a user would type it."""
    root, name, api_port, web_port = scaffold_stack(tmp_path_factory.mktemp("templates"))
    made = Stack(root, name, api_port, web_port)
    try:
        yield made
    finally:
        remove_project(name)


def test_devenv_test_runs_each_services_tests_in_its_container(stack):
    # on a checkout never brought up: nothing has generated the programs the services mount yet
    assert not (stack.root / ".devenv" / "programs").exists()
    code, out, err = run_cli("-C", stack.root, "--output", "plain", "test")
    assert code == 0, out[-4000:] + err
    lines = {line.split()[0]: line for line in out.splitlines() if line.split()[:1] in (["api"], ["worker"], ["web"])}
    for service, command in (("api", "pytest -q"), ("worker", "pytest -q"), ("web", "vitest run")):
        assert "passed" in lines[service] and command in lines[service], out[-2000:]
    # tests ran in their own compose project, which is gone; the dev stack still runs
    leftovers = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={stack.name}-test"],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert leftovers == []

    failing = stack.root / "services" / "api" / "tests" / "test_fails_on_purpose.py"
    failing.write_text("def test_fails():\n    assert 1 == 2, 'on purpose'\n")
    try:
        code, out, err = run_cli("-C", stack.root, "--output", "plain", "test", "api")
    finally:
        failing.unlink()
    assert code == 1
    assert "FAILED (1)" in out and "on purpose" in out
    assert "error: tests failed: api" in err


def test_up_backend_worker_and_frontend_work_together(stack):
    code, out, err = run_cli("-C", stack.root, "--output", "plain", "up", "--timeout", "300")
    assert code == 0, out[-3000:] + err
    for service in ("api", "worker", "web"):
        assert f"{service}: running (healthy)" in out

    # the backend answers with data from PostgreSQL
    status, body = http("GET", f"{stack.api}/api/items")
    assert status == 200 and "Write devenv.yaml" in [item["name"] for item in body["items"]]
    status, body = http("GET", f"{stack.api}/readyz")
    assert status == 200 and body["checks"] == {"database": "ok", "queue": "ok"}

    # a job enqueued through the backend is processed by the worker
    request = json.dumps({"task": "word_count", "payload": {"text": "three little words"}}).encode()
    import urllib.request

    req = urllib.request.Request(
        f"{stack.api}/api/jobs", data=request, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as response:
        assert response.status == 202
        job_id = json.loads(response.read())["id"]
    deadline = time.monotonic() + 30
    while True:
        status, body = http("GET", f"{stack.api}/api/jobs/{job_id}")
        if body.get("status") == "done" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert body["status"] == "done" and body["result"] == {"words": 3, "characters": 18}, body
    database = stack.name.replace("-", "_")
    psql = stack.compose(
        "exec", "-T", "postgres", "psql", "-U", "devenv", "-d", database, "-tAc",
        f"SELECT status, result->>'words' FROM job_results WHERE id = '{job_id}'",
    )
    assert psql.stdout.strip() == "done|3", psql.stdout + psql.stderr

    # the frontend page, in headless Chromium, shows data that came from the backend
    if CHROMIUM is None:
        pytest.fail("headless Chromium is needed: apt-get install -y chromium chromium-driver")
    marker = f"from-postgres-{uuid.uuid4().hex[:8]}"
    req = urllib.request.Request(
        f"{stack.api}/api/items",
        data=json.dumps({"name": marker}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as response:
        assert response.status == 201
    with Browser() as browser:  # the first load makes Vite optimise dependencies: allow for it
        page = browser.page()
        page.load_until(f"http://127.0.0.1:{stack.web_port}/", f"document.body.innerText.includes({marker!r})", 180)
        dom = page.evaluate("document.documentElement.outerHTML")
    assert marker in dom, dom[-2000:]
    assert 'data-testid="items"' in dom and "Write devenv.yaml" in dom


def test_devenv_test_leaves_a_running_environment_alone(stack):
    def dev_containers() -> list[str]:
        return sorted(stack.compose("ps", "-q").stdout.split())

    before = dev_containers()
    running = set(stack.compose("ps", "--services").stdout.split())
    assert {"postgres", "redis", "api", "worker", "web"} <= running, running  # from `devenv up`
    code, out, err = run_cli("-C", stack.root, "--output", "plain", "test", "worker")
    assert code == 0, out[-3000:] + err
    assert dev_containers() == before
    assert http("GET", f"{stack.api}/healthz")[0] == 200


def test_prod_images_are_small_non_root_and_healthchecked(stack):
    args = {
        "PYTHON_IMAGE": f"{MIRROR_PREFIX}/library/python:3.11-slim",
        "NODE_IMAGE": f"{MIRROR_PREFIX}/library/node:24-slim",
    }
    services = {}
    for service in ("api", "worker", "web"):
        build = {"context": f"services/{service}", "target": "prod", "args": args}
        if (stack.root / "certs" / "ca.pem").is_file():
            build["secrets"] = ["devenv_ca"]
        services[service] = {"build": build, "image": f"{stack.name}-{service}:prod"}
    model = {"name": f"{stack.name}-prod", "services": services}
    if (stack.root / "certs" / "ca.pem").is_file():
        model["secrets"] = {"devenv_ca": {"file": "certs/ca.pem"}}
    compose_file = stack.root / "prod-compose.yml"
    compose_file.write_text(yaml.safe_dump(model))
    proc = subprocess.run(
        ["docker", "compose", "--project-directory", str(stack.root), "-f", str(compose_file), "build"],
        capture_output=True,
        text=True,
        env={**os.environ, "COMPOSE_BAKE": "false"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for service in ("api", "worker", "web"):
        image = f"{stack.name}-{service}:prod"
        config = json.loads(
            subprocess.run(["docker", "image", "inspect", image], capture_output=True, text=True, check=True).stdout
        )[0]["Config"]
        user = (config.get("User") or "").split(":")[0]
        assert user not in ("", "0", "root"), f"{image} runs as root"
        assert config.get("Healthcheck", {}).get("Test"), f"{image} has no HEALTHCHECK"
        whoami = subprocess.run(
            ["docker", "run", "--rm", "--entrypoint", "id", image, "-u"], capture_output=True, text=True
        )
        assert whoami.stdout.strip() not in ("", "0"), whoami.stdout + whoami.stderr
    # no dev tools in prod
    for service in ("api", "worker"):
        probe = subprocess.run(
            ["docker", "run", "--rm", f"{stack.name}-{service}:prod", "python3", "-c", "import pytest"],
            capture_output=True,
            text=True,
        )
        assert probe.returncode != 0 and "No module named 'pytest'" in probe.stderr
    probe = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "sh", f"{stack.name}-web:prod", "-c", "ls /opt/node_modules /srv"],
        capture_output=True,
        text=True,
    )
    assert "No such file" in probe.stderr and "server.mjs" in probe.stdout and "www" in probe.stdout


def test_a_rabbitmq_worker_consumes_from_rabbitmq(project, cli):
    """The queue is chosen at scaffold time: the same template on RabbitMQ (pika)."""
    _load_standins().ensure_images(["rabbitmq"], prefix=MIRROR_PREFIX)
    project.write("")
    assert cli("-C", project.root, "add", "dependency", "rabbitmq", "--version", "3")[0] == 0
    code, out, err = cli("-C", project.root, "add", "service", "jobs", "--template", "worker", "--queue", "rabbitmq")
    assert code == 0, out + err
    code, out, err = cli("-C", project.root, "--output", "plain", "test")
    assert code == 0, out[-4000:] + err
    assert "passed" in next(line for line in out.splitlines() if line.startswith("jobs "))
    # the queue test really ran against RabbitMQ (it skips without AMQP_URL)
    assert "skipped" not in " ".join(line for line in out.splitlines() if "jobs |" in line and "passed" in line)
    code, out, err = cli("-C", project.root, "--output", "plain", "up", "--timeout", "240")
    assert code == 0, out[-3000:] + err
    assert "jobs: running (healthy)" in out
