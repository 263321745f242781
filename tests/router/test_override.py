"""The compose override `up` adds for the router, read by Compose itself (`docker compose config`, no engine)."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap

import pytest

from devenv.render.compose import render_compose
from devenv.render.yamlout import dump_yaml
from devenv.router.override import MOUNT_DIR, TRUST_ENV, render_override
from devenv.spec.loader import load_project

SPEC = """\
name: shop
services:
  web:
    image: python:3.11-slim
    port: 5173
    public: true
  api:
    image: python:3.11-slim
    port: 8000
    public: true
    env: {SSL_CERT_FILE: /mine.pem}
dependencies:
  db: {kind: postgres, version: "15"}
"""


def rendered(tmp_path):
    (tmp_path / "devenv.yaml").write_text(textwrap.dedent(SPEC))
    project = load_project(tmp_path, {})
    return render_compose(project).data


def test_services_get_the_ca_and_keep_their_own_variables(tmp_path):
    text = render_override(rendered(tmp_path), {}, "./.devenv/router")
    assert "  db:" not in text  # dependencies are not clients of the names
    assert "SSL_CERT_FILE" in text.split("  api:")[0]  # web gets it
    assert "SSL_CERT_FILE" not in text.split("  api:")[1]  # api sets its own
    assert "!override" not in text


@pytest.mark.skipif(shutil.which("docker") is None, reason="needs the docker CLI with Compose v2")
def test_compose_reads_the_override_mounts_variables_and_a_port_left_out(tmp_path):
    data = rendered(tmp_path)
    (tmp_path / "docker-compose.yml").write_text(dump_yaml(data))
    (tmp_path / "override.yml").write_text(render_override(data, {"web": []}, "./.devenv/router"))
    proc = subprocess.run(
        ["docker", "compose", "-f", "docker-compose.yml", "-f", "override.yml", "config", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    merged = json.loads(proc.stdout)["services"]
    assert "ports" not in merged["web"] or merged["web"]["ports"] == []  # left out: another project holds it
    assert [p["published"] for p in merged["api"]["ports"]] == ["8000"]
    assert merged["web"]["environment"]["NODE_EXTRA_CA_CERTS"] == TRUST_ENV["NODE_EXTRA_CA_CERTS"]
    assert merged["api"]["environment"]["SSL_CERT_FILE"] == "/mine.pem"
    mounts = {v["target"]: v for v in merged["web"]["volumes"]}
    bundle = mounts[f"{MOUNT_DIR}/ca-bundle.pem"]
    assert bundle["read_only"] and bundle["source"] == str(tmp_path / ".devenv" / "router" / "ca-bundle.pem")
    assert "volumes" not in merged["db"] or all(MOUNT_DIR not in v["target"] for v in merged["db"]["volumes"])
