"""Services in a cluster: Deployment, Service, Ingress and PodDisruptionBudget.

Each Deployment runs the production image, rolls out without losing capacity
(``maxUnavailable: 0``), keeps revisions for ``kubectl rollout undo``, runs hardened
(non-root, read-only root file system with a writable /tmp, no capabilities,
RuntimeDefault seccomp) and waits for what it depends on with init containers.
"""

from __future__ import annotations

from typing import Any

from devenv.errors import UsageError
from devenv.kinds import kind_of
from devenv.render.k8s import service_fields as fields
from devenv.render.k8s.config import config_hash, config_map, config_map_name, service_env
from devenv.render.k8s.meta import (
    ANNOTATION_CONFIG_HASH,
    REVISION_HISTORY_LIMIT,
    Target,
    container_security,
    escape_expansion,
    labels,
    metadata,
    pod_spec_base,
    resource_block,
    resources_for,
    selector,
    tmp_volume,
    wait_container,
)
from devenv.spec.model import Service

PROD_STAGE = "prod"
RELOADER_WORDS = ("--reload", "--watch", "nodemon", "watchmedo", "runserver")  # dev-only commands


def component_of(service: Service) -> str:
    if service.template:
        return service.template
    return "service" if service.port else "worker"


def service_image(target: Target, name: str, service: Service) -> str:
    """``<registry>/<project>-<service>:<tag>`` for built services; a prebuilt image as written (mirrored)."""
    if service.image:
        return target.image(service.image)
    registry = target.project.spec.images.registry
    if not registry:
        raise UsageError(
            f"service '{name}' is built from a Dockerfile, but devenv.yaml names no registry for production images",
            hint="add `images: {registry: ghcr.io/ORG}` to devenv.yaml; clusters pull <registry>/"
            f"{target.name}-{name}:<tag>",
        )
    return f"{registry.rstrip('/')}/{target.name}-{name}:{target.tag}"


def replicas_of(target: Target, name: str, service: Service) -> int:
    return target.env.replicas.get(name, service.replicas)


def render_service(target: Target, name: str, service: Service) -> list[dict[str, Any]]:
    """Every manifest of one service, in a fixed order."""
    _warn_dev_only_fields(target, name, service)
    extra = fields.check(target, name, service)
    component = component_of(service)
    config, secret_env = service_env(target, name, service)
    docs: list[dict[str, Any]] = []
    if config:
        docs.append(config_map(target, name, component, config))
    deployment = _deployment(target, name, service, component, config, secret_env)
    docs.extend(extra.apply(deployment))
    docs.append(deployment)
    if service.port is not None or extra.extra_ports():
        docs.append(_service(target, name, service, component, extra.extra_ports()))
    if service.public:
        if target.env.domain:
            docs.append(_ingress(target, name, component))
        elif target.env_name is not None:
            target.warn(
                f"services.{name}.public: environment '{target.env_name}' has no domain, so '{name}' gets no Ingress; "
                f"set environments.{target.env_name}.domain"
            )
    if replicas_of(target, name, service) > 1:
        docs.append(_disruption_budget(target, name, component))
    return docs


def _warn_dev_only_fields(target: Target, name: str, service: Service) -> None:
    target.warn_raw(f"services.{name}.", service.compose)
    if service.host_port is not None:
        target.warn(
            f"services.{name}.host_port: a port on your machine has no meaning in a cluster; "
            "public services are reached through an Ingress"
        )
    if "develop" in service.model_fields_set:
        target.warn(
            f"services.{name}.develop: code mounts and hot reload are for development; "
            "the cluster runs the code baked into the image"
        )
    if service.builds and service.target:
        target.warn(
            f"services.{name}.target: '{service.target}' is the stage for local builds; the cluster runs the image "
            f"from images.registry, built from the Dockerfile's production stage"
        )
    info = target.project.dockerfiles.get(name)
    if service.builds and info is not None and info.stages and PROD_STAGE not in info.stages:
        target.warn(
            f"{service.dockerfile_path(name)} has no '{PROD_STAGE}' stage: build the image the cluster pulls "
            "from a production stage (no dev tools, no reloader)"
        )


def _args(target: Target, name: str, service: Service) -> list[str] | None:
    if not service.command:
        return None
    reloader = next((word for word in RELOADER_WORDS if any(word in arg for arg in service.command)), None)
    if reloader:
        target.warn(
            f"services.{name}.command: runs a reloader ('{reloader}'), which is for development; "
            "the cluster runs the image's own command"
        )
        return None
    return [escape_expansion(arg) for arg in service.command]



def _probes(target: Target, name: str, service: Service) -> dict[str, Any]:
    command = fields.health_exec(service)
    if command is not None:
        return _probe_set(command)
    if service.port is None:
        target.warn(
            f"services.{name}: has no port or health check, so Kubernetes restarts it only when it exits "
            "and cannot tell when it is stuck"
        )
        return {}
    if service.health:
        check: dict[str, Any] = {"httpGet": {"path": service.health, "port": "http"}}
    else:
        target.warn(
            f"services.{name}: has no 'health' path, so Kubernetes only checks that port {service.port} "
            "accepts connections; add `health: /healthz`"
        )
        check = {"tcpSocket": {"port": "http"}}
    ready = {"httpGet": {"path": service.ready, "port": "http"}} if service.ready else check
    return _probe_set(check, ready)


def _probe_set(check: dict[str, Any], ready: dict[str, Any] | None = None) -> dict[str, Any]:
    ready = check if ready is None else ready
    return {
        "startupProbe": {**check, "periodSeconds": 5, "timeoutSeconds": 5, "failureThreshold": 60},
        "readinessProbe": {**ready, "periodSeconds": 5, "timeoutSeconds": 5, "failureThreshold": 3},
        "livenessProbe": {**check, "periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 3},
    }


def init_waits(target: Target, owner: str, depends_on: list[str]) -> list[dict[str, Any]]:
    """Init containers that keep the start order Compose's depends_on gives."""
    spec = target.project.spec
    waits = []
    for other in depends_on:
        if other in spec.dependencies:
            if target.in_cluster(other):
                waits.append(wait_container(target, other, kind_of(spec.dependencies[other]).port))
            continue
        port = spec.services[other].port
        if port is None:
            target.warn(
                f"services.{owner}.depends_on: '{other}' has no port, so nothing in the cluster can wait for it; "
                f"'{owner}' starts without waiting"
            )
            continue
        waits.append(wait_container(target, other, port))
    return waits


def _deployment(
    target: Target,
    name: str,
    service: Service,
    component: str,
    config: dict[str, str],
    secret_env: list[dict[str, Any]],
) -> dict[str, Any]:
    object_labels = labels(target, name, component)
    volume, mount = tmp_volume()
    container: dict[str, Any] = {
        "name": name,
        "image": service_image(target, name, service),
        "imagePullPolicy": "Always",
    }
    args = _args(target, name, service)
    if args:
        container["args"] = args
    if service.port is not None:
        container["ports"] = [{"name": "http", "containerPort": service.port, "protocol": "TCP"}]
    if config:
        container["envFrom"] = [{"configMapRef": {"name": config_map_name(name)}}]
    if secret_env:
        container["env"] = secret_env
    container["resources"] = resource_block(resources_for(target, name))
    container.update(fields.timed(_probes(target, name, service), service))
    container["securityContext"] = container_security()
    container["volumeMounts"] = [mount]

    pod: dict[str, Any] = pod_spec_base()
    waits = init_waits(target, name, service.depends_on)
    if waits:
        pod["initContainers"] = waits
    pod["containers"] = [container]
    pod["volumes"] = [volume]
    template_meta: dict[str, Any] = {"labels": object_labels}
    if config:
        template_meta["annotations"] = {ANNOTATION_CONFIG_HASH: config_hash(config)}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(target, name, object_labels),
        "spec": {
            "replicas": replicas_of(target, name, service),
            "revisionHistoryLimit": REVISION_HISTORY_LIMIT,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "selector": {"matchLabels": selector(target, name)},
            "template": {"metadata": template_meta, "spec": pod},
        },
    }


def _service(
    target: Target, name: str, service: Service, component: str, extra: list[dict[str, Any]]
) -> dict[str, Any]:
    ports = [{"name": "http", "port": service.port, "targetPort": "http", "protocol": "TCP"}] if service.port else []
    ports += [{"name": p["name"], "port": p["port"], "targetPort": p["name"], "protocol": p["protocol"]} for p in extra]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(target, name, labels(target, name, component)),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(target, name),
            "ports": ports,
        },
    }


def host_of(target: Target, name: str) -> str:
    return f"{name}.{target.env.domain}"


def _ingress(target: Target, name: str, component: str) -> dict[str, Any]:
    host = host_of(target, name)
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata(target, name, labels(target, name, component)),
        "spec": {
            "tls": [{"hosts": [host], "secretName": f"{name}-tls"}],
            "rules": [
                {
                    "host": host,
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": name, "port": {"name": "http"}}},
                            }
                        ]
                    },
                }
            ],
        },
    }


def _disruption_budget(target: Target, name: str, component: str) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(target, name, labels(target, name, component)),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(target, name)}},
    }
