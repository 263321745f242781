"""Nothing of the router leaks: not into the generated compose file, not into Kubernetes manifests."""

from __future__ import annotations

import textwrap

import yaml

from devenv.router import override
from tests.conftest import must

SPEC = """\
name: shop
services:
  web:
    image: nginx:1
    port: 8080
    public: true
  api:
    image: python:3.11-slim
    port: 8000
    public: true
environments:
  prod:
    domain: shop.example.com
"""

LEAKS = ("localhost", "caddy", "devenv-router", override.MOUNT_DIR, "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "8443")


def project(tmp_path):
    root = tmp_path / "shop"
    root.mkdir()
    (root / "devenv.yaml").write_text(textwrap.dedent(SPEC))
    # what an `up` with the router leaves in the project: the override and the CA files it mounts
    router_dir = root / ".devenv" / "router"
    router_dir.mkdir(parents=True)
    (router_dir / override.OVERRIDE).write_text("services:\n  web:\n    environment: {SSL_CERT_FILE: x}\n")
    (router_dir / override.CA).write_text("-----BEGIN CERTIFICATE-----\n")
    return root


def test_kubernetes_export_keeps_ingress_hosts_under_the_domain_and_nothing_of_the_router(tmp_path, monkeypatch):
    monkeypatch.setenv("DEVENV_ROUTER", "1")
    root = project(tmp_path)
    text = must("-C", root, "export", "k8s", "--env", "prod", "--tag", "v1", "--format", "plain", "--out", "-")
    documents = [d for d in yaml.safe_load_all(text) if d]
    ingresses = [d for d in documents if d["kind"] == "Ingress"]
    hosts = sorted(rule["host"] for ing in ingresses for rule in ing["spec"]["rules"])
    assert hosts == ["api.shop.example.com", "web.shop.example.com"]
    for leak in LEAKS:
        assert leak not in text, leak


def test_the_generated_compose_file_knows_no_router(tmp_path, monkeypatch):
    monkeypatch.setenv("DEVENV_ROUTER", "1")
    root = project(tmp_path)
    must("-C", root, "generate")
    text = (root / "docker-compose.yml").read_text()
    for leak in ("caddy", "devenv-router", override.MOUNT_DIR, "SSL_CERT_FILE", ".devenv/router"):
        assert leak not in text, leak
    ports = yaml.safe_load(text)["services"]["web"]["ports"]
    assert ports == ["127.0.0.1:8080:8080"]  # localhost:PORT stays, for plain `docker compose up`
