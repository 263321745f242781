"""Configuration of services in a cluster: ConfigMap, Secret references, the Secret itself.

Non-secret variables from ``services.<name>.env`` go to a ConfigMap. Connection URLs of
dependencies and every variable whose name looks secret come from the per-environment
Secret ``<project>-<env>-secrets``; devenv never writes their values unless the user
asks (``--include-secrets``), and never takes them from devenv.yaml.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from devenv.kinds import DependencyKind, env_name
from devenv.render.connections import connection_env
from devenv.render.k8s.meta import Target, labels, metadata
from devenv.render.observability import otel_env
from devenv.spec.model import Service

SECRET_WORDS = {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "APIKEY", "CREDENTIALS", "PRIVATE"}
# Variables that only make sense on a developer's machine: left out of the cluster.
DEBUG_KEYS = re.compile(r"^(DEBUG|[A-Z0-9_]*_DEBUG|[A-Z0-9_]*_RELOAD|RELOAD|PYTHONBREAKPOINT|PYDEVD_[A-Z0-9_]*)$")
DEV_MODE_KEYS = {"NODE_ENV", "FLASK_ENV", "APP_ENV", "RAILS_ENV", "RACK_ENV", "ENVIRONMENT", "ENV", "DJANGO_ENV"}
DEV_MODE_VALUES = {"development", "dev", "local"}


def looks_secret(key: str) -> bool:
    """``API_TOKEN``, ``DB_PASSWORD``, ``SECRET_KEY_BASE``: a name any of whose words is secret-like."""
    words = key.upper().split("_")
    return any(word in SECRET_WORDS for word in words) or key.upper().endswith(("PASSWORD", "SECRET", "TOKEN"))


OFF_VALUES = {"", "0", "false", "no", "off"}


def is_dev_only(key: str, value: str) -> bool:
    """True for debug switches that are on and for development modes (``DEBUG=1``, ``NODE_ENV=development``)."""
    if DEBUG_KEYS.match(key.upper()):
        return value.strip().lower() not in OFF_VALUES
    return key.upper() in DEV_MODE_KEYS and value.strip().lower() in DEV_MODE_VALUES


def secret_ref(target: Target, key: str) -> dict[str, Any]:
    return {"secretKeyRef": {"name": target.secret_name, "key": key}}


def url_key(dependency: str) -> str:
    """The Secret key holding a dependency's connection URL: ``DB_URL``."""
    return f"{env_name(dependency)}_URL"


def register_url(target: Target, dependency: str, kind: DependencyKind) -> str:
    """Note the URL key of ``dependency`` for secrets.example; return the key."""
    key = url_key(dependency)
    host = dependency if target.in_cluster(dependency) else "HOST"
    target.secret_keys.setdefault(key, kind.url(host, target.name, user="USER", password="PASSWORD"))
    return key


def service_env(target: Target, name: str, service: Service) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """(ConfigMap data, env entries with Secret references) of a service, warning about what changes."""
    spec = target.project.spec

    def url_for(dependency: str, kind: DependencyKind) -> dict[str, Any]:
        return secret_ref(target, register_url(target, dependency, kind))

    from_secret: dict[str, Any] = connection_env(service.depends_on, spec.dependencies, spec.name, url_for=url_for)
    config: dict[str, str] = {}
    if target.env.otel_endpoint:  # the environment's collector (devenv/render/observability.py)
        config.update(otel_env(spec, name, target.env.otel_endpoint, target.env_name or "base"))
    for key, value in service.env.items():
        where = f"services.{name}.env.{key}"
        if key in from_secret:
            target.warn(
                f"{where}: in a cluster this variable comes from Secret {target.secret_name} "
                f"(key {from_secret[key]['secretKeyRef']['key']}), not from devenv.yaml"
            )
        elif is_dev_only(key, value):
            target.warn(f"{where}: '{key}={value}' is a development setting; it is left out of the cluster manifests")
        elif looks_secret(key):
            target.secret_keys.setdefault(key, "")
            from_secret[key] = secret_ref(target, key)
            if value:
                target.warn(
                    f"{where}: looks like a secret, so its value in devenv.yaml stays on your machine; "
                    f"the cluster reads it from Secret {target.secret_name} (key {key})"
                )
        else:
            config[key] = value
    env = [{"name": key, "valueFrom": from_secret[key]} for key in sorted(from_secret)]
    return dict(sorted(config.items())), env


def config_map(target: Target, name: str, component: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(target, config_map_name(name), labels(target, name, component)),
        "data": data,
    }


def config_map_name(service: str) -> str:
    return f"{service}-config"


def config_hash(data: dict[str, str]) -> str:
    """A short digest of configuration: in the pod template, a change rolls the pods."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def secret_manifest(target: Target, values: dict[str, str]) -> dict[str, Any]:
    """The Secret itself, only built from a local file the user named (``--include-secrets``)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata(target, target.secret_name, labels(target, target.secret_name, "secrets")),
        "type": "Opaque",
        "stringData": {key: values[key] for key in sorted(values)},
    }


def secrets_example(target: Target, env_file: str) -> str:
    """The keys to set, in .env format, with how to create the Secret."""
    namespace = target.namespace or "NAMESPACE"
    lines = [
        f"# Keys of Secret {target.secret_name}, which the {target.env_name or 'base'} manifests read.",
        "# devenv never writes secret values. Copy this file to "
        + env_file
        + " (keep it git-ignored), fill it in, then:",
        f"#   kubectl -n {namespace} create secret generic {target.secret_name} --from-env-file={env_file}",
        f"# or: devenv export k8s --env {target.env_name or 'ENV'} --include-secrets",
    ]
    if not target.secret_keys:
        lines.append("# (no keys: nothing in this environment reads a secret)")
    lines.extend(f"{key}={target.secret_keys[key]}" for key in sorted(target.secret_keys))
    return "\n".join(lines) + "\n"
