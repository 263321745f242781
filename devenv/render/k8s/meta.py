"""What every Kubernetes manifest shares: the render target, names, labels, pod hardening.

A :class:`Target` is one rendering: either an environment (staging, production) or the
*base*, the environment-neutral manifests that kustomize overlays start from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devenv.kinds import kind_of
from devenv.project import Project
from devenv.render.images import mirror_image
from devenv.spec.model import Dependency, Environment, Resources

MANAGED_BY = "devenv"
LABEL_NAME = "app.kubernetes.io/name"
LABEL_INSTANCE = "app.kubernetes.io/instance"
LABEL_COMPONENT = "app.kubernetes.io/component"
LABEL_PART_OF = "app.kubernetes.io/part-of"
LABEL_VERSION = "app.kubernetes.io/version"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
ANNOTATION_CONFIG_HASH = "devenv.dev/config-hash"

RUN_AS = 10001  # a high UID/GID: no clash with host users, non-root in every image
WAIT_IMAGE = "busybox:1.36"  # init containers that wait for a dependency (nc -z)
DEFAULT_STORAGE = "1Gi"
REVISION_HISTORY_LIMIT = 10  # ReplicaSets kept for `kubectl rollout undo`

WAIT_RESOURCES = Resources(cpu="10m", memory="16Mi", cpu_limit="50m", memory_limit="32Mi")



@dataclass
class Target:
    """One rendering of a project: an environment, or the base (``env_name`` None)."""

    project: Project
    env_name: str | None
    env: Environment
    tag: str
    fixtures: dict[str, dict[str, str]] = field(default_factory=dict)  # dependency -> {file name: text}
    files: dict[str, str | bytes | None] = field(default_factory=dict)  # bind-mounted project files (None: a directory)
    warnings: list[str] = field(default_factory=list)
    secret_keys: dict[str, str] = field(default_factory=dict)  # key -> example line value (for secrets.example)
    _warned: set[str] = field(default_factory=set, repr=False)

    @property
    def name(self) -> str:
        return self.project.name

    @property
    def namespace(self) -> str | None:
        """The namespace manifests carry; the base carries none (the overlay sets it)."""
        if self.env_name is None:
            return None
        return self.env.namespace or f"{self.name}-{self.env_name}"

    @property
    def instance(self) -> str:
        """``app.kubernetes.io/instance``: the project in one environment."""
        return self.name if self.env_name is None else f"{self.name}-{self.env_name}"

    @property
    def secret_name(self) -> str:
        """The per-environment Secret every secret value is read from."""
        return f"{self.name}-secrets" if self.env_name is None else f"{self.name}-{self.env_name}-secrets"

    @property
    def mirror(self) -> dict[str, str]:
        """The project's mirror rules only: a machine's own mirror must not change what a cluster runs."""
        return dict(self.project.spec.images.mirror)

    def is_external(self, dependency: str) -> bool:
        return self.env.dependencies.get(dependency, "cluster") == "external"

    def in_cluster(self, dependency: str) -> bool:
        return dependency in self.project.spec.dependencies and not self.is_external(dependency)

    def warn_raw(self, where: str, raw: dict[str, Any]) -> None:
        """One warning per raw compose key (``compose:`` in devenv.yaml): Compose's business only."""
        for key in raw:
            self.warn(f"{where}compose.{key}: not carried to Kubernetes")

    def warn(self, text: str) -> None:
        if text not in self._warned:
            self._warned.add(text)
            self.warnings.append(text)

    def image(self, ref: str) -> str:
        return mirror_image(ref, self.mirror)


def labels(target: Target, name: str, component: str, version: str | None = None) -> dict[str, str]:
    """The six recommended labels, in a fixed order."""
    return {
        LABEL_NAME: name,
        LABEL_INSTANCE: target.instance,
        LABEL_COMPONENT: component,
        LABEL_PART_OF: target.name,
        LABEL_VERSION: version or target.tag,
        LABEL_MANAGED_BY: MANAGED_BY,
    }


def selector(target: Target, name: str) -> dict[str, str]:
    """Pod selector of a workload: stable across environments and versions."""
    return {LABEL_NAME: name, LABEL_PART_OF: target.name}


def project_selector(target: Target) -> dict[str, str]:
    """Every pod of the project."""
    return {LABEL_PART_OF: target.name}


def metadata(target: Target, name: str, object_labels: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {"name": name}
    if target.namespace:
        data["namespace"] = target.namespace
    data["labels"] = dict(object_labels)
    return data


def dependency_version(dependency: Dependency) -> str:
    """The version label of a dependency: its version, else its image's tag (``15``), else the kind's default."""
    if dependency.version:
        return dependency.version
    reference = dependency.image_reference().split("@", 1)[0]
    tag = reference.rsplit(":", 1)[1] if ":" in reference.rsplit("/", 1)[-1] else ""
    return tag or kind_of(dependency).default_version


def dependency_component(dependency: Dependency) -> str:
    """``app.kubernetes.io/component`` of a dependency: its kind's (database, cache, queue)."""
    return kind_of(dependency).cluster.component


def dependency_resources(dependency: Dependency) -> Resources:
    """A dependency's resources when an environment names none: its kind's defaults."""
    cluster = kind_of(dependency).cluster
    return Resources(cpu=cluster.cpu, memory=cluster.memory)


def resource_block(resources: Resources) -> dict[str, Any]:
    return {
        "requests": {"cpu": resources.cpu, "memory": resources.memory},
        "limits": {"cpu": resources.cpu_limit or resources.cpu, "memory": resources.memory_limit or resources.memory},
    }


def resources_for(target: Target, name: str, default: Resources | None = None) -> Resources:
    """An environment's resources for ``name``; unset fields fall back to ``default``."""
    base = default or Resources()
    chosen = target.env.resources.get(name)
    if chosen is None:
        return base
    return base.model_copy(update={key: getattr(chosen, key) for key in chosen.model_fields_set})


def pod_security() -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS,
        "runAsGroup": RUN_AS,
        "fsGroup": RUN_AS,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security() -> dict[str, Any]:
    """Per container; the pod's context adds the user, the group and the RuntimeDefault seccomp profile."""
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }


def pod_spec_base() -> dict[str, Any]:
    """Settings every pod of the project shares."""
    return {
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,  # no DB_PORT=tcp://... variables clashing with the app's own
        "securityContext": pod_security(),
    }


def tmp_volume() -> tuple[dict[str, Any], dict[str, Any]]:
    """The writable /tmp of a read-only container: (volume, mount)."""
    return {"name": "tmp", "emptyDir": {}}, {"name": "tmp", "mountPath": "/tmp"}


def wait_container(target: Target, host: str, port: int) -> dict[str, Any]:
    """An init container that blocks until ``host:port`` accepts connections.

    Service endpoints (and headless DNS records) list only ready pods, so this waits
    for the target's readiness probe, like Compose's ``depends_on: service_healthy``.
    """
    script = f"until nc -z -w 2 {host} {port}; do echo 'waiting for {host}:{port}'; sleep 2; done"
    return {
        "name": f"wait-for-{host}",
        "image": target.image(WAIT_IMAGE),
        "imagePullPolicy": "Always",
        "command": ["sh", "-c", script],
        "resources": resource_block(WAIT_RESOURCES),
        "securityContext": container_security(),
    }


def escape_expansion(value: str) -> str:
    """Kubernetes expands ``$(VAR)`` in args and env values; values from devenv.yaml are literal."""
    return value.replace("$", "$$")
