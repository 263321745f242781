"""Observability wiring: the dashboard service, OTEL_* variables, switched off, and the cluster export."""

from __future__ import annotations

import json

import yaml

from devenv.dashboard.store import Store
from devenv.render.compose import render_compose
from devenv.render.k8s.render import render_k8s
from devenv.render.observability import DASHBOARD, OTLP_PORT, resource_list
from devenv.spec.loader import load_project
from devenv.spec.model import Observability

SPEC = """\
name: shop
services:
  api: {template: backend, port: 8000, public: true, health: /healthz, depends_on: [queue]}
  worker: {template: worker, depends_on: [queue]}
  tool: {image: ghcr.io/acme/tool:1.2, port: 9000}
dependencies:
  queue: {kind: rabbitmq, host_port: 15672}
images: {registry: ghcr.io/acme}
environments:
  prod: {otel_endpoint: "http://collector.monitoring:4318"}
  staging: {}
"""
DIRS = {"services/api": "", "services/worker": ""}


def test_the_dashboard_runs_beside_the_services(make_project) -> None:
    project = load_project(make_project(SPEC, DIRS), environ={"DEVENV_IMAGES_MIRROR": "docker.io=mirror.local/hub"})
    rendered = render_compose(project)
    entry = rendered.data["services"][DASHBOARD]
    assert entry["ports"] == ["127.0.0.1::18888"]  # a free host port, picked by the engine
    assert entry["build"]["args"] == {"PYTHON_IMAGE": "mirror.local/hub/library/python:3.11-slim"}
    assert entry["image"].startswith("devenv-dashboard:")
    assert entry["labels"]["dev.devenv.role"] == "dashboard"
    assert "./.devenv/programs/dashboard:/devenv/dashboard:ro" in entry["volumes"]
    files = rendered.files()
    for name in ("app.py", "otlp.py", "__main__.py", "Dockerfile", "requirements.txt", "static/app.js"):
        assert f".devenv/programs/dashboard/{name}" in files
    resources = json.loads(files[".devenv/programs/dashboard/resources.json"])["resources"]
    assert [(r["name"], r["type"], r["port"]) for r in resources] == [
        ("api", "service", 8000),
        ("tool", "service", 9000),
        ("worker", "service", None),
        ("queue", "dependency", 5672),
    ]
    assert resources[0]["urls"] == ["http://localhost:8000"]


def test_template_services_export_to_it(make_project) -> None:
    services = render_compose(load_project(make_project(SPEC, DIRS), environ={})).data["services"]
    api = services["api"]["environment"]
    assert api["OTEL_EXPORTER_OTLP_ENDPOINT"] == f"http://{DASHBOARD}:{OTLP_PORT}"
    assert api["OTEL_SERVICE_NAME"] == "api"
    assert api["OTEL_RESOURCE_ATTRIBUTES"] == "service.namespace=shop,deployment.environment=local"
    assert services["worker"]["environment"]["OTEL_SERVICE_NAME"] == "worker"
    assert not any(key.startswith("OTEL_") for key in services["tool"].get("environment", {}))


def test_settings_and_switching_it_off(make_project) -> None:
    tuned = SPEC.replace("images:", "observability: {port: 19999, max_spans: 500}\nimages:")
    entry = render_compose(load_project(make_project(tuned, DIRS), environ={})).data["services"][DASHBOARD]
    assert entry["ports"] == ["127.0.0.1:19999:18888"]
    assert entry["environment"] == {"DEVENV_DASHBOARD_MAX_SPANS": "500"}  # only what differs from the defaults
    plain = render_compose(load_project(make_project(SPEC, DIRS), environ={})).data["services"][DASHBOARD]
    assert "environment" not in plain


    off = render_compose(load_project(make_project(SPEC.replace("images:", "observability: false\nimages:"), DIRS),
                                      environ={}))  # fmt: skip
    assert DASHBOARD not in off.data["services"]
    assert not any(key.startswith("OTEL_") for key in off.data["services"]["api"]["environment"])
    assert not any("dashboard" in path for path in off.files())


def test_the_dashboards_own_defaults_are_the_specs() -> None:
    # the compose entry leaves default limits out, so the dashboard must hold the same ones
    defaults, store = Observability(), Store()  # create_app() builds Store() when no DEVENV_DASHBOARD_* is set
    assert (store.max_spans, store.max_logs) == (defaults.max_spans, defaults.max_logs)


def test_kubernetes_gets_only_the_collector_endpoint(make_project) -> None:
    project = load_project(make_project(SPEC, DIRS), environ={})
    text = yaml.safe_dump_all([m.data for m in render_k8s(project, "prod", "0123456789ab").manifests])
    assert "dashboard" not in text and "18888" not in text
    maps = {
        m.data["metadata"]["name"]: m.data.get("data", {})
        for m in render_k8s(project, "prod", "0123456789ab").manifests
        if m.data["kind"] == "ConfigMap"
    }
    api = next(data for name, data in maps.items() if name.startswith("api"))
    assert api["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://collector.monitoring:4318"
    assert api["OTEL_SERVICE_NAME"] == "api"
    assert api["OTEL_RESOURCE_ATTRIBUTES"] == "service.namespace=shop,deployment.environment=prod"
    staging = render_k8s(project, "staging", "0123456789ab").manifests
    assert "OTEL_" not in yaml.safe_dump_all([m.data for m in staging])


def test_no_services_no_dashboard(make_project) -> None:
    project = load_project(make_project("name: lone\ndependencies: {db: {kind: postgres}}\n"), environ={})
    assert DASHBOARD not in render_compose(project).data["services"]
    assert resource_list(project.spec)["resources"][0]["name"] == "db"
