"""Hot reload on the real engine: one project scaffolded from the three templates (with
PostgreSQL and Redis), shared by the tests of this module, run as a non-root host user.

* a changed backend route is served, a changed worker task is executed and a changed
  frontend component shows up in headless Chromium through HMR (no full reload), all
  without a rebuild or a container restart; no connection is refused during reloads;
* broken code answers 503 with the error until it is fixed;
* files written in the containers belong to the host user; a host node_modules does
  not shadow the image's;
* edits made while the environment was stopped are in effect after `devenv up`;
* the polling switch reaches every service and reloads still work;
* a changed requirements file rebuilds the image under `devenv up --watch`.
Latencies are not asserted here (benchmarks/hot_reload.py measures them).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import must
from tests.integration.cdp import CHROMIUM, Browser, HmrWatch
from tests.integration.conftest import remove_project, scaffold_stack, until

pytestmark = pytest.mark.docker

HOST_UID = 4321  # not root, not the image's `dev` user (1000): an arbitrary host user
DEVENV = str(Path(sys.executable).parent / "devenv")

ROUTE = '''

@app.get("/api/hot")
def hot() -> dict:
    return {"version": VERSION}
'''
TASK = '''

@task("hot")
def hot(payload: dict[str, Any]) -> dict[str, Any]:
    return {"version": VERSION}
'''


def get(url: str, timeout: float = 5) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def set_version(path: Path, version: str) -> None:
    """Rewrite the ``VERSION = ...`` line (the file keeps its owner)."""
    text = re.sub(r'^VERSION = .*$', f'VERSION = "{version}"', path.read_text(), flags=re.MULTILINE)
    path.write_text(text)


class Stack:
    def __init__(self, root: Path, name: str, api_port: int, web_port: int):
        self.root, self.name, self.api_port, self.web_port = root, name, api_port, web_port
        self.api = f"http://127.0.0.1:{api_port}"
        self.web = f"http://127.0.0.1:{web_port}"

    def compose(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", "compose", "--project-directory", str(self.root), "-f", str(self.root / "docker-compose.yml"),
             *args],
            capture_output=True,
            text=True,
            env={**os.environ, "COMPOSE_BAKE": "false"},
        )  # fmt: skip

    def container(self, service: str) -> dict:
        ids = self.compose("ps", "-q", service).stdout.split()
        assert ids, f"no container for {service}"
        out = subprocess.run(["docker", "inspect", ids[0]], capture_output=True, text=True, check=True).stdout
        return json.loads(out)[0]

    def identity(self, service: str) -> tuple[str, str, str]:
        info = self.container(service)
        return info["Id"], info["Image"], info["State"]["StartedAt"]

    def logs(self, service: str) -> str:
        return self.compose("logs", "--no-log-prefix", service).stdout

    def up(self, *extra: str) -> str:
        return must("-C", self.root, "--output", "plain", "up", "--timeout", "300", *extra)

    def job(self, task: str = "hot") -> dict:
        job_id = post_json(f"{self.api}/api/jobs", {"task": task, "payload": {}})["id"]

        def done():
            body = json.loads(get(f"{self.api}/api/jobs/{job_id}")[1])
            return body if body.get("status") in ("done", "failed") else None

        return until(done, 30, f"job {job_id} finished")


@pytest.fixture(scope="module")
def host_user():
    """Containers run as DEVENV_UID/GID (devenv sets them to the invoking user; root here)."""
    saved = {key: os.environ.get(key) for key in ("DEVENV_UID", "DEVENV_GID")}
    os.environ["DEVENV_UID"] = os.environ["DEVENV_GID"] = str(HOST_UID)
    yield HOST_UID
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def stack(tmp_path_factory, standins, host_user):
    root, name, api_port, web_port = scaffold_stack(tmp_path_factory.mktemp("hot"))
    main = root / "services" / "api" / "app" / "main.py"
    logger = 'log = logging.getLogger("app")'
    main.write_text(main.read_text().replace(logger, f'{logger}\nVERSION = "v0"') + ROUTE)
    tasks = root / "services" / "worker" / "worker" / "tasks.py"
    registry = "TASKS: dict[str, Task] = {}"
    tasks.write_text(tasks.read_text().replace(registry, f'{registry}\nVERSION = "v0"') + TASK)
    app = root / "services" / "web" / "src" / "App.tsx"
    app.write_text(app.read_text().replace("<h1>Items</h1>", "<h1>Items hot-0</h1>"))
    for path in [root, *root.rglob("*")]:
        os.lchown(path, host_user, host_user)
    made = Stack(root, name, api_port, web_port)
    try:
        made.up()
        yield made
    finally:
        remove_project(name)


def test_python_services_run_under_the_reloader_as_the_host_user(stack):
    for service in ("api", "worker"):
        assert '"msg": "devenv-reload started"' in stack.logs(service)
        assert '"watcher": "inotify"' in stack.logs(service)
        info = stack.container(service)
        assert info["Config"]["User"] == f"{HOST_UID}:{HOST_UID}"
        assert info["Config"]["Cmd"][:3] == ["python", "/devenv/reload", "serve" if service == "api" else "run"]
    assert get(f"{stack.api}/api/hot") == (200, '{"version":"v0"}')


def test_a_changed_backend_route_is_served_without_rebuild_or_restart(stack):
    before = stack.identity("api")
    main = stack.root / "services" / "api" / "app" / "main.py"
    refused: list[str] = []
    stop = threading.Event()

    def hammer():  # new connections all the time: none may be refused during a swap
        while not stop.is_set():
            try:
                get(f"{stack.api}/healthz", timeout=10)
            except OSError as exc:
                refused.append(repr(exc))

    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for version in ("v1", "v2", "v3", "v4", "v5"):
            set_version(main, version)
            until(lambda v=version: get(f"{stack.api}/api/hot")[1] == f'{{"version":"{v}"}}', 15, f"{version} served")
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert refused == []
    assert stack.identity("api") == before  # same container, same image, never restarted
    assert '"msg": "reloaded"' in stack.logs("api")


def test_a_changed_worker_task_is_executed_without_rebuild_or_restart(stack):
    before = stack.identity("worker")
    tasks = stack.root / "services" / "worker" / "worker" / "tasks.py"
    assert stack.job()["result"] == {"version": "v0"}
    set_version(tasks, "w1")

    def the_new_task_ran() -> bool:
        try:
            return bool(stack.job()["result"] == {"version": "w1"})
        except AssertionError:  # that job did not finish in time: send another
            return False

    until(the_new_task_ran, 90, "the new task ran", interval=0.05)
    assert stack.identity("worker") == before


@pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium (apt-get install chromium)")
def test_a_changed_frontend_component_arrives_through_hmr_without_a_full_reload(stack):
    before = stack.identity("web")
    app = stack.root / "services" / "web" / "src" / "App.tsx"
    with Browser() as browser:
        watch = HmrWatch(browser, f"{stack.web}/")
        first = watch.wait_marker("0", 120)  # the first load makes Vite optimise dependencies
        assert first is not None, watch.describe()
        page = watch.settled_page(first[1])
        for version in range(1, 4):
            app.write_text(re.sub(r"hot-\d+", f"hot-{version}", app.read_text()))
            seen = watch.wait_marker(str(version), 15)
            assert seen is not None, f"hot-{version} never showed up: {watch.text()[:500]}"
            assert seen[1] == page, "the page was fully reloaded"
        assert watch.page.evaluate("window.__devenvPage") == page
        until(lambda: "Write devenv.yaml" in watch.text(), 15, "the backend's data on the page")
    assert stack.identity("web") == before


def test_broken_code_answers_503_with_the_error_until_it_is_fixed(stack):
    main = stack.root / "services" / "api" / "app" / "main.py"
    good = main.read_text()
    main.write_text(good + "\ndef broken(:\n")
    try:
        _status, body = until(lambda: (lambda r: r if r[0] == 503 else None)(get(f"{stack.api}/api/hot")), 15, "503")
        assert "SyntaxError" in body and "main.py" in body and "/devenv/reload" not in body
    finally:
        main.write_text(good)
    until(lambda: get(f"{stack.api}/api/hot")[0] == 200, 15, "fixed code served")


def test_files_written_in_containers_belong_to_the_host_user(stack):
    for service in ("api", "worker", "web"):
        proc = stack.compose("exec", "-T", service, "sh", "-c", "touch /app/written-here && echo $HOME && id -u")
        assert proc.returncode == 0, proc.stderr
        home, uid = proc.stdout.split()
        assert (home, uid) == ("/tmp", str(HOST_UID))
        written = stack.root / "services" / service / "written-here"
        assert (written.stat().st_uid, written.stat().st_gid) == (HOST_UID, HOST_UID)
        written.unlink()
    proc = stack.compose("exec", "-T", "api", "sh", "-c", "cd /app && python -m pytest -q tests/test_health.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cache = stack.root / "services" / "api" / ".pytest_cache"
    assert cache.is_dir() and cache.stat().st_uid == HOST_UID


def test_a_node_modules_on_the_host_does_not_shadow_the_images(stack):
    fake = stack.root / "services" / "web" / "node_modules" / "react"
    fake.mkdir(parents=True, exist_ok=True)
    (fake / "package.json").write_text('{"name": "react", "version": "0.0.0-host", "main": "index.js"}')
    (fake / "index.js").write_text("throw new Error('the host node_modules was used')\n")
    proc = stack.compose(
        "exec", "-T", "web", "node", "-e",
        "console.log(require.resolve('react'), require('react/package.json').version)",
    )
    assert proc.returncode == 0, proc.stderr
    resolved, version = proc.stdout.split()
    assert not resolved.startswith("/app/node_modules") and version != "0.0.0-host"


def test_edits_made_while_stopped_are_in_effect_after_up(stack):
    must("-C", stack.root, "--output", "plain", "down")
    set_version(stack.root / "services" / "api" / "app" / "main.py", "while-stopped")
    set_version(stack.root / "services" / "worker" / "worker" / "tasks.py", "while-stopped")
    stack.up()
    assert get(f"{stack.api}/api/hot") == (200, '{"version":"while-stopped"}')
    assert stack.job()["result"] == {"version": "while-stopped"}


def test_one_switch_turns_polling_on_for_every_service(stack):
    os.environ["DEVENV_POLLING"] = "1"
    try:
        stack.up()
        compose_file = (stack.root / "docker-compose.yml").read_text()
        assert compose_file.count("DEVENV_POLLING: '1'") == 3
        for service in ("api", "worker"):
            assert '"watcher": "polling every 250 ms"' in stack.logs(service)
        env = stack.container("web")["Config"]["Env"]
        assert "CHOKIDAR_USEPOLLING=true" in env and "DEVENV_POLLING=1" in env
        set_version(stack.root / "services" / "api" / "app" / "main.py", "polled")
        until(lambda: get(f"{stack.api}/api/hot")[1] == '{"version":"polled"}', 15, "polled change served")
    finally:
        os.environ.pop("DEVENV_POLLING", None)
    stack.up()
    assert "DEVENV_POLLING: '1'" not in (stack.root / "docker-compose.yml").read_text()


def test_a_changed_requirements_file_rebuilds_under_up_watch(stack):
    before = stack.identity("api")
    env = {**os.environ, "COMPOSE_BAKE": "false", "DEVENV_UID": str(HOST_UID), "DEVENV_GID": str(HOST_UID)}
    proc = subprocess.Popen(
        [DEVENV, "-C", str(stack.root), "--output", "plain", "up", "--watch", "--timeout", "300"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        until(lambda: any("watching rebuild triggers" in line for line in lines), 300, "watch started", 0.2)
        until(lambda: any("Watch enabled" in line for line in lines), 60, "Compose's watchers set up", 0.2)
        requirements = stack.root / "services" / "api" / "requirements.txt"
        requirements.write_text(requirements.read_text() + "six>=1.16\n")

        def rebuilt():
            probe = stack.compose("exec", "-T", "api", "python", "-c", "import six")
            return probe.returncode == 0

        until(rebuilt, 600, "the api image rebuilt with six (see the watch output)", interval=1.0)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    after = stack.identity("api")
    assert after[0] != before[0] and after[1] != before[1], "\n".join(lines[-40:])
    until(lambda: get(f"{stack.api}/api/hot")[0] == 200, 60, "the rebuilt api answers")
