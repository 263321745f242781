"""Dependencies in a cluster: a StatefulSet with a headless Service, or only a Secret reference.

The image, port, data path, health command and cluster defaults come from the
dependency's kind (``devenv/kinds/<kind>/``), as for Compose; credentials come from the environment's Secret. A
dependency an environment marks ``external`` (a managed database) renders nothing but
the URL key its clients read. Fixtures, where enabled, are loaded by a Job that waits
for the dependency first and runs the same seeding script as ``devenv up``.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from typing import Any

from devenv.fixtures.render import FIXTURES_PATH, seed_environment, seed_programs
from devenv.kinds import DEV_USER, env_name, kind_of
from devenv.render.k8s.config import looks_secret, secret_ref
from devenv.render.k8s.meta import (
    DEFAULT_STORAGE,
    REVISION_HISTORY_LIMIT,
    Target,
    container_security,
    dependency_component,
    dependency_resources,
    dependency_version,
    labels,
    metadata,
    pod_spec_base,
    resource_block,
    resources_for,
    selector,
    tmp_volume,
    wait_container,
)
from devenv.spec.model import Dependency, Resources

_USER = "\x00user"
_PASSWORD = "\x00password"
# Fixtures are seeded with the same programs as `devenv up` (devenv/kinds/<kind>/), from a ConfigMap.
SCRIPT_DIR = "/devenv"
SCRIPT_KEY = "seed.sh"
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
FIXTURE_RESOURCES = Resources(cpu="100m", memory="128Mi", cpu_limit="500m", memory_limit="256Mi")


def render_dependency(target: Target, name: str, dependency: Dependency) -> list[dict[str, Any]]:
    """The manifests of one dependency (none when the environment marks it external)."""
    target.warn_raw(f"dependencies.{name}.", dependency.compose)
    if dependency.host_port is not None:
        target.warn(
            f"dependencies.{name}.host_port: a port on your machine has no meaning in a cluster; "
            f"use `kubectl port-forward svc/{name} {dependency.host_port}:{kind_of(dependency).port}`"
        )
    if dependency.profiles:
        target.warn(f"dependencies.{name}.profiles: a Compose selection; the export carries every dependency")
    if target.is_external(name):
        if name in target.env.resources:
            target.warn(
                f"environments.{target.env_name}.resources.{name}: '{name}' is external in '{target.env_name}', "
                "so devenv runs nothing for it and these resources have no effect"
            )
        return []
    return [_statefulset(target, name, dependency), _headless_service(target, name, dependency)]


def _credentials(target: Target, name: str, dependency: Dependency) -> tuple[list[dict[str, Any]], str | None]:
    """Container env of the official image, credentials from the Secret; and the user variable's name."""
    kind = kind_of(dependency)
    env: list[dict[str, Any]] = []
    user_var = None
    for key, value in kind.container_env(target.name, _USER, _PASSWORD).items():
        if value in (_USER, _PASSWORD):
            secret_key = f"{env_name(name)}_{'USER' if value == _USER else 'PASSWORD'}"
            # secrets.example suggests the user the spec names (never its password)
            target.secret_keys.setdefault(secret_key, kind.user if value == _USER and kind.user != DEV_USER else "")
            env.append({"name": key, "valueFrom": secret_ref(target, secret_key)})
            if value == _USER:
                user_var = key
        elif "env" in kind.settings and looks_secret(key):  # a password in the spec's env: the Secret holds it
            secret_key = f"{env_name(name)}_{key}"
            target.secret_keys.setdefault(secret_key, "")
            env.append({"name": key, "valueFrom": secret_ref(target, secret_key)})
        else:
            env.append({"name": key, "value": value})
    env += [{"name": key, "value": value} for key, value in kind.cluster_env().items()]
    return env, user_var


def _health(target: Target, dependency: Dependency, user_var: str | None) -> list[str]:
    command = kind_of(dependency).health_command(target.name, _USER)
    if _USER not in command:
        return command
    words = [f'"${user_var}"' if word == _USER else shlex.quote(word) for word in command]
    return ["sh", "-c", " ".join(words)]


def _statefulset(target: Target, name: str, dependency: Dependency) -> dict[str, Any]:
    kind = kind_of(dependency)
    component = dependency_component(dependency)
    object_labels = labels(target, name, component, dependency_version(dependency))
    env, user_var = _credentials(target, name, dependency)
    command = _health(target, dependency, user_var)
    # any image without a health_command (devenv/kinds/generic/): ready when its port takes connections
    check: dict[str, Any] = {"exec": {"command": command}} if command else {"tcpSocket": {"port": dependency.kind}}
    tmp, tmp_mount = tmp_volume()
    volumes = [tmp]
    mounts = [{"name": "data", "mountPath": kind.data_path}, tmp_mount] if kind.data_path else [tmp_mount]
    for index, path in enumerate(kind.cluster.writable_paths):
        volumes.append({"name": f"run{index}", "emptyDir": {}})
        mounts.append({"name": f"run{index}", "mountPath": path})
    resources = resources_for(target, name, dependency_resources(dependency))
    container: dict[str, Any] = {
        "name": dependency.kind,
        "image": target.image(dependency.image_reference()),
        "imagePullPolicy": "Always",
        **({"args": list(kind.server_args)} if kind.server_args else {}),
        "ports": [{"name": dependency.kind, "containerPort": kind.port, "protocol": "TCP"}],
        **({"env": env} if env else {}),
        "resources": resource_block(resources),
        "startupProbe": {**check, "periodSeconds": 5, "timeoutSeconds": 5, "failureThreshold": 60},
        "readinessProbe": {**check, "periodSeconds": 5, "timeoutSeconds": 5, "failureThreshold": 3},
        "livenessProbe": {**check, "periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 6},
        "securityContext": container_security(),
        "volumeMounts": mounts,
    }
    pod = pod_spec_base()
    pod["containers"] = [container]
    pod["volumes"] = volumes
    spec: dict[str, Any] = {
        "serviceName": name,
        "replicas": 1,
        "revisionHistoryLimit": REVISION_HISTORY_LIMIT,
        "updateStrategy": {"type": "RollingUpdate"},
        "selector": {"matchLabels": selector(target, name)},
        "template": {"metadata": {"labels": object_labels}, "spec": pod},
    }
    if kind.data_path:  # a kind that keeps nothing on disk (Memcached) claims no volume
        spec["volumeClaimTemplates"] = [
            {
                "metadata": {"name": "data", "labels": object_labels},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": resources.storage or DEFAULT_STORAGE}},
                },
            }
        ]
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": metadata(target, name, object_labels),
        "spec": spec,
    }


def _headless_service(target: Target, name: str, dependency: Dependency) -> dict[str, Any]:
    kind = kind_of(dependency)
    object_labels = labels(target, name, dependency_component(dependency), dependency_version(dependency))
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(target, name, object_labels),
        "spec": {
            "clusterIP": "None",
            "selector": selector(target, name),
            "ports": [{"name": dependency.kind, "port": kind.port, "targetPort": dependency.kind, "protocol": "TCP"}],
        },
    }


def fixture_sources(spec: Any) -> dict[str, Any]:
    """``spec.fixtures`` ({dependency: directory}) where the spec has it, else nothing."""
    return dict(getattr(spec, "fixtures", None) or {})


def fixtures_job_name(name: str, kind: str, files: dict[str, str]) -> str:
    """Jobs are immutable: changed fixtures (or a changed seeding program) get a new Job and ConfigMap."""
    digest = hashlib.sha256(seed_programs(kind).digest().encode())
    for file_name in sorted(files):
        digest.update(file_name.encode() + b"\0" + files[file_name].encode() + b"\0")
    return f"{name}-fixtures-{digest.hexdigest()[:8]}"


def render_fixtures(target: Target) -> dict[str, list[dict[str, Any]]]:
    """Fixture Jobs per dependency, where the environment enables fixtures."""
    if not target.env.fixtures:
        return {}
    spec = target.project.spec
    sources = fixture_sources(spec)
    where = f"environments.{target.env_name}.fixtures"
    if not sources:
        target.warn(f"{where}: devenv.yaml configures no fixtures, so no fixtures Job is made")
        return {}
    out: dict[str, list[dict[str, Any]]] = {}
    for name in sources:
        dependency = spec.dependencies.get(name)
        if dependency is None:
            continue
        cluster = kind_of(dependency).cluster
        if not cluster.seeded:
            target.warn(
                f"fixtures.{name}: {dependency.kind} fixtures are not loaded in a cluster {cluster.not_seeded_because}"
            )
            continue
        if target.is_external(name):
            target.warn(
                f"fixtures.{name}: '{name}' is external in '{target.env_name}'; "
                "devenv seeds only the dependencies it runs"
            )
            continue
        found = target.fixtures.get(name, {})
        files = {k: v for k, v in found.items() if CONFIG_KEY.match(k)}
        for skipped in sorted(set(found) - set(files)):
            target.warn(f"fixtures.{name}: file '{skipped}' is skipped: use letters, digits, '-', '_' and '.' in names")
        if not files:
            target.warn(f"fixtures.{name}: no fixture files, so no fixtures Job is made")
            continue
        out[name] = _fixtures_job(target, name, dependency, files)
    return out


def _seed_env(target: Target, name: str) -> list[dict[str, Any]]:
    """The seeding script's variables (as for Compose), credentials from the Secret."""
    env: list[dict[str, Any]] = []
    for key, value in seed_environment(target.project, name).items():
        role = kind_of(target.project.spec.dependencies[name]).seed_secrets.get(key)
        if role:
            secret_key = f"{env_name(name)}_{role}"
            target.secret_keys.setdefault(secret_key, "")
            env.append({"name": key, "valueFrom": secret_ref(target, secret_key)})
        else:
            env.append({"name": key, "value": value})
    return [*env, {"name": "HOME", "value": "/tmp"}]


def _fixtures_job(target: Target, name: str, dependency: Dependency, files: dict[str, str]) -> list[dict[str, Any]]:
    kind = kind_of(dependency)
    job_name = fixtures_job_name(name, dependency.kind, files)
    # The version is the fixtures' digest, not the image tag: a Job's pod template is immutable and the
    # Job's name hashes only the files, so a new tag must not change it (kubectl apply would fail).
    object_labels = labels(target, f"{name}-fixtures", "fixtures", job_name.rsplit("-", 1)[1])
    tmp, tmp_mount = tmp_volume()
    pod = pod_spec_base()
    pod["restartPolicy"] = "Never"
    pod["initContainers"] = [wait_container(target, name, kind.port)]
    pod["containers"] = [
        {
            "name": "seed",
            "image": target.image(dependency.image_reference()),
            "imagePullPolicy": "Always",
            "command": ["sh", f"{SCRIPT_DIR}/{SCRIPT_KEY}"],
            "env": _seed_env(target, name),
            "resources": resource_block(FIXTURE_RESOURCES),
            "securityContext": container_security(),
            "volumeMounts": [
                {"name": "fixtures", "mountPath": FIXTURES_PATH, "readOnly": True},
                {"name": "script", "mountPath": SCRIPT_DIR, "readOnly": True},
                tmp_mount,
            ],
        }
    ]
    program_name = f"{job_name}-program"
    pod["volumes"] = [
        {"name": "fixtures", "configMap": {"name": job_name, "items": [{"key": f, "path": f} for f in sorted(files)]}},
        {"name": "script", "configMap": {"name": program_name}},
        tmp,
    ]
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(target, job_name, object_labels),
        "data": dict(sorted(files.items())),
    }
    program = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(target, program_name, object_labels),
        "data": dict(seed_programs(dependency.kind).files),
    }
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata(target, job_name, object_labels),
        "spec": {
            "backoffLimit": 4,
            "template": {"metadata": {"labels": object_labels}, "spec": pod},
        },
    }
    return [config, program, job]
