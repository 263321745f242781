"""Observability wiring: the local dashboard service and the services' OTEL_* settings. Pure.

Unless the spec says ``observability: false`` (or has no services), the compose file gets a
``devenv-dashboard`` service: devenv's dashboard (:mod:`devenv.dashboard`), its page on
127.0.0.1 (a port the engine picks, or ``observability.port``) and OTLP/HTTP on 4318 inside
the Compose network. Its image holds only its packages and is built locally (base image
through ``images.mirror``, pip through the CA secret); its code and the project's resource
list are generated into ``.devenv/programs/dashboard/`` and mounted. Template services get
the standard ``OTEL_*`` variables pointing at it; a cluster export points them at the
environment's ``otel_endpoint`` and adds nothing of the dashboard.
"""

from __future__ import annotations

import json
from typing import Any

from devenv.dashboard import dashboard_files, image_digest
from devenv.kinds import kind_of
from devenv.render.images import mirror_image
from devenv.render.programs import CONTAINER_DIR, ProgramDir
from devenv.spec.model import Observability, Spec

DASHBOARD = "devenv-dashboard"
ROLE = "dashboard"
OTLP_PORT = 4318
UI_PORT = 18888
DASHBOARD_PATH = f"{CONTAINER_DIR}/dashboard"
BASE_IMAGE = "python:3.11-slim"
# The dashboard's health check runs less often than a service's (compose.HEALTH_INTERVAL, 15 s):
# nothing depends on it, `devenv up` probes it itself while it waits, and each check is an exec
# that costs the engine and a Python start tens of milliseconds of CPU at idle.
DASHBOARD_HEALTH_INTERVAL = "60s"
# The SDKs' batch processors send every second (default 5 s): a trace shows up while you look.
LOCAL_OTEL_ENV = {"OTEL_BSP_SCHEDULE_DELAY": "1000", "OTEL_BLRP_SCHEDULE_DELAY": "1000"}


def dashboard_settings(spec: Spec) -> Observability | None:
    """The dashboard's settings, or None when it is off (``observability: false``, or no services)."""
    if spec.observability is False or not spec.services:
        return None
    return spec.observability if isinstance(spec.observability, Observability) else Observability()


def otel_env(spec: Spec, name: str, endpoint: str, environment: str) -> dict[str, str]:
    """The standard OTEL_* variables of service ``name`` of a template: where to export, and who it is."""
    if not spec.services[name].template:
        return {}
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_SERVICE_NAME": name,
        "OTEL_RESOURCE_ATTRIBUTES": f"service.namespace={spec.name},deployment.environment={environment}",
    }


def local_otel_env(spec: Spec, name: str) -> dict[str, str]:
    """OTEL_* variables of a service in the compose file: to the dashboard, or none when it is off."""
    if dashboard_settings(spec) is None:
        return {}
    env = otel_env(spec, name, f"http://{DASHBOARD}:{OTLP_PORT}", "local")
    return {**env, **LOCAL_OTEL_ENV} if env else {}


def resource_list(spec: Spec) -> dict[str, Any]:
    """What the dashboard shows as resources: every service and dependency, its port, health path and host URLs."""
    out: list[dict[str, Any]] = []
    for name, service in spec.services.items():
        published = service.published_port()
        out.append(
            {
                "name": name,
                "type": "service",
                "template": service.template,
                "port": service.port,
                "health": service.health,
                "urls": [f"http://localhost:{published}"] if published is not None else [],
            }
        )
    for name, dependency in spec.dependencies.items():
        kind = kind_of(dependency)
        host_port = dependency.host_port
        out.append(
            {
                "name": name,
                "type": "dependency",
                "kind": dependency.kind,
                "port": kind.port,
                "health": None,
                "urls": [kind.host_url(host_port, spec.name)] if host_port is not None else [],
            }
        )
    out.sort(key=lambda r: (r["type"] != "service", r["name"]))  # the spec's order is no concern of the page
    return {"project": spec.name, "resources": out}


def dashboard_program(spec: Spec) -> ProgramDir:
    """The dashboard's code, image files and resource list: ``.devenv/programs/dashboard/``."""
    files = dict(dashboard_files())
    files["resources.json"] = json.dumps(resource_list(spec), indent=2, sort_keys=True) + "\n"
    return ProgramDir("dashboard", files)


def dashboard_service(
    spec: Spec, settings: Observability, mirror: dict[str, str], ca_secret: str | None, health: dict[str, Any]
) -> tuple[dict[str, Any], ProgramDir]:
    """The compose entry of the dashboard and its program directory.

    ``health`` is the health-check test (the Python probe on /healthz); ``ca_secret`` the
    name of the compose secret with the CA bundle, when there is one.
    """
    program = dashboard_program(spec)
    build: dict[str, Any] = {"context": program.source}
    mirrored = mirror_image(BASE_IMAGE, mirror)
    if mirrored != BASE_IMAGE:
        build["args"] = {"PYTHON_IMAGE": mirrored}
    if ca_secret:
        build["secrets"] = [ca_secret]
    # The image's WORKDIR, CMD and EXPOSE (OTLP_PORT, UI_PORT) and the dashboard's own defaults
    # are not repeated here: only limits the spec changes become environment variables.
    defaults = Observability()
    environment = {
        f"DEVENV_DASHBOARD_{key.upper()}": str(value)
        for key, value in (("max_logs", settings.max_logs), ("max_spans", settings.max_spans))
        if value != getattr(defaults, key)
    }
    entry: dict[str, Any] = {
        "build": build,
        "image": f"devenv-dashboard:{image_digest()}",
        **({"environment": environment} if environment else {}),
        "ports": [f"127.0.0.1:{settings.port or ''}:{UI_PORT}"],  # no port: the engine picks a free one
        "volumes": [program.mount(DASHBOARD_PATH)],
        "healthcheck": health,
        "init": True,
        "labels": {"dev.devenv.role": ROLE, "dev.devenv.dashboard": program.digest()},
    }
    return entry, program
