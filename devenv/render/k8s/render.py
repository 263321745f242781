"""Render a project for one environment (or the base) to Kubernetes manifests, as data.

Pure: no file reads or writes, no git, no Docker. What the spec says that has no
meaning in a cluster comes back as warnings, in the spec's own terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devenv.errors import UsageError
from devenv.project import Project
from devenv.render.k8s.config import secret_manifest
from devenv.render.k8s.dependencies import render_dependency, render_fixtures
from devenv.render.k8s.meta import Target
from devenv.render.k8s.network import render_project_policies, render_workload_policies
from devenv.render.k8s.workloads import render_service
from devenv.spec.model import Environment

PROJECT_GROUP = "project"
SECRET_GROUP = "secret"


@dataclass(frozen=True)
class Manifest:
    """One Kubernetes object and the file (group) it belongs to: ``service-api``, ``dependency-db``..."""

    group: str
    data: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return self.data["kind"], self.data["metadata"]["name"]


@dataclass
class K8sRender:
    """The manifests of one environment (or of the base), with warnings and the Secret's keys."""

    target: Target
    manifests: list[Manifest] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return self.target.warnings

    @property
    def secret_keys(self) -> dict[str, str]:
        return self.target.secret_keys

    def documents(self) -> list[dict[str, Any]]:
        return [manifest.data for manifest in self.manifests]


def environment_of(project: Project, env_name: str | None) -> Environment:
    """The named environment; ``None`` gives the base (no overrides)."""
    if env_name is None:
        return Environment()
    environments = project.spec.environments
    if env_name not in environments:
        if not environments:
            raise UsageError(
                f"devenv.yaml has no environments, so there is no '{env_name}'",
                hint="add one, e.g. `environments: {staging: {domain: staging.example.com}}` (see docs/kubernetes.md)",
            )
        raise UsageError(
            f"unknown environment '{env_name}'",
            hint="environments in devenv.yaml: " + ", ".join(environments),
        )
    return environments[env_name]


def render_k8s(
    project: Project,
    env_name: str | None,
    tag: str,
    *,
    fixtures: dict[str, dict[str, str]] | None = None,
    secret_values: dict[str, str] | None = None,
    files: dict[str, str | bytes | None] | None = None,
) -> K8sRender:
    """Manifests for ``env_name`` (None: the base), images tagged ``tag``.

    ``fixtures`` holds the fixture files read from disk ({dependency: {file: text}});
    ``secret_values``, when given, adds the Secret itself; ``files`` holds the services' bind-mounted
    project files ({path: text or bytes, None for a directory}: devenv.export.read_mounted_files).
    """
    target = Target(project, env_name, environment_of(project, env_name), tag, fixtures=dict(fixtures or {}))
    target.files = dict(files or {})
    spec = project.spec
    _check_names(project)
    if spec.ca_certificates:
        target.warn(
            "ca_certificates: trusted by local builds only; the cluster runs the images your CI built and pushed"
        )
    if "develop" in spec.model_fields_set:
        target.warn("develop: file watching is for development; a cluster runs images and watches nothing")
    target.warn_raw("", spec.compose)
    rendered = K8sRender(target)
    add = rendered.manifests.append
    for doc in render_project_policies(target):
        add(Manifest(PROJECT_GROUP, doc))

    services = {name: render_service(target, name, service) for name, service in spec.services.items()}
    dependencies = {name: render_dependency(target, name, dep) for name, dep in spec.dependencies.items()}
    fixture_jobs = render_fixtures(target)
    policies = render_workload_policies(target, list(fixture_jobs))

    for name, docs in dependencies.items():
        for doc in docs + ([policies[name]] if name in policies else []):
            add(Manifest(f"dependency-{name}", doc))
    for name, docs in services.items():
        for doc in docs + ([policies[name]] if name in policies else []):
            add(Manifest(f"service-{name}", doc))
    for name, docs in fixture_jobs.items():
        policy = policies.get(f"{name}-fixtures")
        for doc in docs + ([policy] if policy else []):
            add(Manifest(f"fixtures-{name}", doc))
    if secret_values is not None:
        add(Manifest(SECRET_GROUP, secret_manifest(target, secret_values)))

    seen: dict[tuple[str, str], str] = {}
    for manifest in rendered.manifests:
        if manifest.key in seen:
            kind, name = manifest.key
            raise UsageError(
                f"two Kubernetes objects would be {kind} '{name}' ({seen[manifest.key]} and {manifest.group})",
                hint="rename one of the services or dependencies",
            )
        seen[manifest.key] = manifest.group
    return rendered


def _check_names(project: Project) -> None:
    for section in ("services", "dependencies"):
        for name in getattr(project.spec, section):
            if not name[0].isalpha():
                raise UsageError(
                    f"{section}.{name}: Kubernetes Service names must start with a letter",
                    hint="rename it in devenv.yaml",
                )
