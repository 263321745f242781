"""Hot-reload wiring in the compose file (pure): mounts, reloader, rebuild rules, polling, user."""

from __future__ import annotations

import ast
import shutil
import subprocess

import pytest
import yaml

from devenv.reload import reloader_digest, reloader_files
from devenv.render.compose import render_compose
from devenv.render.develop import (
    HOST_USER,
    RELOADER_LABEL,
    RELOADER_PATH,
    develop_entries,
    reload_command,
)
from devenv.render.programs import PROGRAMS_DIR
from devenv.spec.loader import load_project
from devenv.spec.model import Service

TEMPLATES = """\
name: shop
services:
  api: {template: backend, port: 8000, public: true, health: /healthz, depends_on: [db]}
  worker: {template: worker, port: 8000, depends_on: [queue]}
  web: {template: frontend, port: 5173, public: true, depends_on: [api]}
dependencies:
  db: {kind: postgres}
  queue: {kind: redis}
"""


@pytest.fixture
def templates(make_project):
    def load(spec: str = TEMPLATES, environ: dict | None = None):
        root = make_project(spec, {"services/api": "", "services/worker": "", "services/web": ""})
        return render_compose(load_project(root, environ=environ or {})).data

    return load


def test_template_services_mount_their_code_and_run_as_the_host_user(templates):
    services = templates()["services"]
    for name in ("api", "worker", "web"):
        entry = services[name]
        assert entry["volumes"][0] == {"type": "bind", "source": f"./services/{name}", "target": "/app"}
        assert entry["user"] == HOST_USER == "${DEVENV_UID:-1000}:${DEVENV_GID:-1000}"
        assert entry["environment"]["HOME"] == "/tmp"  # an arbitrary uid needs a writable home


def test_frontend_hides_a_host_node_modules_behind_an_empty_tmpfs(templates):
    web = templates()["services"]["web"]
    assert {"type": "tmpfs", "target": "/app/node_modules"} in web["volumes"]
    assert "command" not in web and "configs" not in web  # Vite's own HMR, the image's CMD
    for name in ("api", "worker"):
        volumes = templates()["services"][name]["volumes"]
        assert all(v.endswith(":ro") if isinstance(v, str) else v["type"] == "bind" for v in volumes)  # no tmpfs


RELOADER_MOUNT = f"./{PROGRAMS_DIR}/reload:{RELOADER_PATH}:ro"


def test_backend_and_worker_run_under_the_reloader_mounted_from_generated_files(templates):
    data = templates()
    api, worker = data["services"]["api"], data["services"]["worker"]
    assert api["command"] == [
        "python", RELOADER_PATH, "serve", "app.main:app", "--port", "8000",
        "--log-config", "logging.json", "--no-access-log",
    ]  # fmt: skip
    assert worker["command"] == ["python", RELOADER_PATH, "run", "-m", "worker"]
    assert RELOADER_PATH == "/devenv/reload"  # run as `python /devenv/reload ...` (a directory with __main__.py)
    for entry in (api, worker):
        assert RELOADER_MOUNT in entry["volumes"] and "configs" not in entry
        assert entry["labels"][RELOADER_LABEL] == reloader_digest()
        assert entry["labels"]["dev.devenv.role"] == "service"
    assert "configs" not in data


def test_reloader_port_follows_the_spec(templates):
    data = templates(TEMPLATES.replace("port: 8000, public: true", "port: 9001, public: true"))
    assert data["services"]["api"]["command"][4:6] == ["--port", "9001"]


def test_a_custom_mount_is_watched_by_the_reloader(templates):
    spec = TEMPLATES.replace("depends_on: [db]}", "depends_on: [db], develop: {mount: /srv/code}}")
    api = templates(spec)["services"]["api"]
    assert api["volumes"][:2] == [{"type": "bind", "source": "./services/api", "target": "/srv/code"}, RELOADER_MOUNT]
    assert api["command"][4:10] == ["--port", "8000", "--watch", "/srv/code", "--app-dir", "/srv/code"]


def test_an_explicit_command_or_reloader_false_keeps_the_reloader_out(templates):
    spec = TEMPLATES.replace(
        "depends_on: [db]}", "depends_on: [db], command: [uvicorn, app.main:app, --reload]}"
    ).replace("depends_on: [queue]}", "depends_on: [queue], develop: {reloader: false}}")
    data = templates(spec)
    assert data["services"]["api"]["command"] == ["uvicorn", "app.main:app", "--reload"]
    assert RELOADER_MOUNT not in data["services"]["api"]["volumes"]
    assert "command" not in data["services"]["worker"] and RELOADER_MOUNT not in data["services"]["worker"]["volumes"]


def test_reloader_true_mounts_the_script_into_a_custom_service(make_project):
    root = make_project(
        """\
        name: shop
        services:
          api:
            command: [python, /devenv/reload, run, -m, api]
            develop: {mount: /code, reloader: true}
        """,
        {"services/api": ""},
    )
    rendered = render_compose(load_project(root, environ={}))
    api = rendered.data["services"]["api"]
    assert RELOADER_MOUNT in api["volumes"]
    assert api["command"] == ["python", "/devenv/reload", "run", "-m", "api"]
    assert f"{PROGRAMS_DIR}/reload/__main__.py" in rendered.files()


def test_custom_services_without_mount_get_nothing():
    service = Service(command=["python", "-m", "app"])
    assert develop_entries("api", service, polling=True) == {}
    assert reload_command(service) is None


def test_rebuild_rules_name_the_dependency_manifests(templates):
    services = templates()["services"]
    assert services["api"]["develop"]["watch"] == [
        {"action": "rebuild", "path": f"./services/api/{name}"}
        for name in ("requirements.txt", "requirements-dev.txt", "pyproject.toml")
    ]
    assert services["web"]["develop"]["watch"] == [
        {"action": "rebuild", "path": "./services/web/package.json"},
        {"action": "rebuild", "path": "./services/web/package-lock.json"},
    ]


@pytest.mark.parametrize("how", ["spec", "environment"])
def test_polling_is_one_switch_for_every_service(templates, how):
    if how == "spec":
        data = templates(TEMPLATES + "develop: {polling: true}\n")
    else:
        data = templates(environ={"DEVENV_POLLING": "1"})
    for name in ("api", "worker", "web"):
        env = data["services"][name]["environment"]
        assert env["DEVENV_POLLING"] == "1"
        assert env["WATCHFILES_FORCE_POLLING"] == "true" and env["CHOKIDAR_USEPOLLING"] == "true"
    assert "DEVENV_POLLING" not in templates()["services"]["api"]["environment"]


def test_the_users_env_wins_over_devenvs_defaults(templates):
    spec = TEMPLATES.replace("depends_on: [queue]}", "depends_on: [queue], env: {HOME: /home/me}}")
    assert templates(spec)["services"]["worker"]["environment"]["HOME"] == "/home/me"


def test_the_generated_reloader_files_are_the_package_and_python_39_syntax(templates, make_project):
    root = make_project(TEMPLATES, {"services/api": "", "services/worker": "", "services/web": ""})
    files = render_compose(load_project(root, environ={})).files()
    shipped = {
        path.rsplit("/", 1)[1]: text for path, text in files.items() if path.startswith(f"{PROGRAMS_DIR}/reload/")
    }
    assert shipped == reloader_files()
    for name, text in shipped.items():
        if name.endswith(".py"):
            ast.parse(text, feature_version=(3, 9))
            assert "import devenv" not in text  # runs in containers without devenv installed


@pytest.mark.skipif(shutil.which("docker") is None, reason="needs the docker CLI")
def test_docker_compose_config_accepts_the_hot_reload_keys(make_project, tmp_path):
    root = make_project(TEMPLATES, {"services/api": "", "services/worker": "", "services/web": ""})
    project = load_project(root, environ={})
    (root / "docker-compose.yml").write_text(render_compose(project).text())
    proc = subprocess.run(
        ["docker", "compose", "-f", str(root / "docker-compose.yml"), "config", "--format", "yaml"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "DEVENV_UID": "1234", "DEVENV_GID": "1235"},
    )
    assert proc.returncode == 0, proc.stderr
    model = yaml.safe_load(proc.stdout)
    assert model["services"]["api"]["user"] == "1234:1235"
    mounts = {v["target"]: v for v in model["services"]["api"]["volumes"]}
    assert mounts[RELOADER_PATH]["source"] == str(root / PROGRAMS_DIR / "reload") and mounts[RELOADER_PATH]["read_only"]
    assert model["services"]["web"]["volumes"][1]["type"] == "tmpfs"
