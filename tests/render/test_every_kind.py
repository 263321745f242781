"""Every dependency kind through the compose renderer: image, environment, volume, health check, URLs.

Parametrized over the registry, so a new kind (devenv/kinds/<kind>/) is covered without a
line here; ``golden/every-kind.compose.yml`` shows one project with one dependency of each.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from devenv import kinds
from devenv.render.compose import render_compose
from devenv.spec.loader import load_project

# Kinds with an official image, written `{kind: NAME}`; any image (generic) has its own tests.
CATALOG = tuple(name for name in kinds.names() if kinds.get(name).repository)

HERE = Path(__file__).parent


def spec_with(names: tuple[str, ...]) -> str:
    deps = "".join(f"  {name}-dep: {{kind: {name}}}\n" for name in names)
    needs = ", ".join(f"{name}-dep" for name in names)
    return (
        "name: my-shop\n"
        "services:\n"
        "  app:\n"
        "    image: python:3.11-slim\n"
        "    command: [python3, -m, http.server]\n"
        f"    depends_on: [{needs}]\n"
        f"dependencies:\n{deps}"
        "images:\n  mirror: {docker.io: mirror.example.com/hub}\n"
    )


def render(make_project, names: tuple[str, ...]):
    return render_compose(load_project(make_project(spec_with(names)), environ={}))


@pytest.mark.parametrize("name", CATALOG)
def test_a_dependency_of_each_kind(make_project, name):
    kind = kinds.get(name)
    data = render(make_project, (name,)).data
    dep, app = data["services"][f"{name}-dep"], data["services"]["app"]
    assert dep["image"] == f"mirror.example.com/hub/{'' if '/' in kind.repository else 'library/'}{kind.image(None)}"
    env = kind.container_env("my-shop")
    assert dep["environment"] == env if env else "environment" not in dep
    assert dep["healthcheck"]["test"] == ["CMD", *kind.health_command("my-shop")]
    assert dep["labels"]["dev.devenv.kind"] == name
    if kind.data_path:
        assert dep["volumes"] == [f"{name}-dep-data:{kind.data_path}"] and f"{name}-dep-data" in data["volumes"]
    else:  # nothing on disk: no volume
        assert "volumes" not in dep and "volumes" not in data
    url = kind.url(f"{name}-dep", "my-shop")
    assert app["environment"][f"{name.upper()}_DEP_URL"] == url
    assert app["environment"][kind.url_env] == url
    assert app["depends_on"][f"{name}-dep"] == {"condition": "service_healthy"}


def test_every_kind_in_one_project_golden(make_project, golden):
    golden(HERE, "every-kind.compose.yml", render(make_project, CATALOG).text())


@pytest.mark.skipif(shutil.which("docker") is None, reason="docker CLI not installed")
def test_docker_compose_config_accepts_every_kind(make_project, tmp_path):
    target = tmp_path / "check"
    target.mkdir()
    (target / "docker-compose.yml").write_text(render(make_project, CATALOG).text())
    proc = subprocess.run(
        ["docker", "compose", "-f", str(target / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
