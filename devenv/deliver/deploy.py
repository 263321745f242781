"""`devenv deploy`, `devenv rollback`, `devenv history`: a verified release of an environment, and back.

deploy: render the environment pinned by digest (for the server's version), with the
Secret's values from a file or the environment (sent to the API server only: never
written, never printed), apply, wait for every workload, smoke-check each service's
health path through its Service. Any failure re-applies the last deployed release,
waits for it, records the failed attempt and exits 1 naming the workload, with its
events and last log lines. rollback: re-apply a recorded release on purpose, with the
same waiting and checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devenv.deliver.cluster import Cluster, ClusterError, connect
from devenv.deliver.images import built_services, image_ref, pushed_digests, source_tag
from devenv.deliver.plan import (
    for_server,
    left_behind,
    pin_images,
    release_configmap,
    secret_values,
    workloads,
)
from devenv.deliver.rollout import RolloutFailed, diagnose, smoke_check, wait_all
from devenv.errors import UsageError
from devenv.events import Event, Message, Release, ReleaseHistory, Step, Warning
from devenv.project import Project

DEFAULT_TIMEOUT = 300.0


def namespace_of(project: Project, env: str) -> str:
    """The environment's namespace (as the export renders it)."""
    from devenv.render.k8s.render import environment_of

    return environment_of(project, env).namespace or f"{project.name}-{env}"


def render_release(
    project: Project, env: str, tag: str, secrets_file: Path | None, version: tuple[int, int]
) -> tuple[list[dict[str, Any]], dict[str, str], list[str]]:
    """(manifests pinned by digest for the server, {service: digest}, warnings)."""
    from devenv.export import read_fixtures, read_mounted_files
    from devenv.render.k8s.render import environment_of, render_k8s

    environment = environment_of(project, env)
    fixtures = read_fixtures(project) if environment.fixtures else {}
    mounted = read_mounted_files(project)  # the project files services mount: their ConfigMaps
    services = built_services(project)
    digests = pushed_digests(project.root, tag, services)
    rendered = render_k8s(project, env, tag, fixtures=fixtures, files=mounted)
    values = secret_values(sorted(rendered.secret_keys), secrets_file)
    rendered = render_k8s(project, env, tag, fixtures=fixtures, secret_values=values, files=mounted)
    by_ref = {image_ref(project, name, tag): digest for name, digest in digests.items()}
    documents = pin_images(for_server(rendered.documents(), version), by_ref)
    return documents, digests, list(rendered.warnings)


def health_checks(project: Project) -> list[tuple[str, int, str]]:
    """(service, port, path) of every service with a port and a health path."""
    return [
        (name, service.port, service.health)
        for name, service in project.spec.services.items()
        if service.port is not None and service.health
    ]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _running(release: Release) -> bool:
    """A release that ran to the end: deployed, or rolled back to."""
    return release.status == "deployed" or release.status.startswith("rollback")


def _last_deployed(history: list[tuple[Release, list[dict[str, Any]]]]) -> tuple[Release, list[dict[str, Any]]] | None:
    good = [entry for entry in history if _running(entry[0])]
    return good[-1] if good else None


def _record(cluster: Cluster, namespace: str, project: Project, release: Release, docs: list[dict[str, Any]]) -> None:
    cluster.apply([release_configmap(namespace, project.name, release, docs)], namespace)


def _roll(
    cluster: Cluster,
    project: Project,
    namespace: str,
    documents: list[dict[str, Any]],
    timeout: float,
    applied: list[list[dict[str, Any]]],
) -> Iterator[Event]:
    """Apply, wait for every workload, smoke-check: raises RolloutFailed. Then delete what the
    releases ``applied`` before had and ``documents`` has not (only once the new set is ready)."""
    yield Step(f"applying {len(documents)} objects to namespace {namespace}")
    cluster.apply(documents, namespace)
    yield from wait_all(cluster, namespace, workloads(documents), timeout)
    checks = health_checks(project)
    if checks:
        yield Step("smoke check: " + ", ".join(f"GET {path} via Service {name}" for name, _, path in checks))
        smoke_check(cluster, namespace, checks)
    stale, data = left_behind(applied, documents)
    for _, kind, name in data:
        yield Warning(
            f"{kind}/{name} is not in this release but holds data, so it is kept; "
            f"`kubectl -n {namespace} delete {kind.lower()} {name}` once it is not needed"
        )
    if stale:
        yield Step("deleting what this release no longer has: " + ", ".join(f"{k}/{n}" for _, k, n in stale))
        cluster.delete(stale, namespace)


def _fail(
    cluster: Cluster,
    project: Project,
    namespace: str,
    failure: RolloutFailed,
    previous: tuple[Release, list[dict[str, Any]]] | None,
    timeout: float,
    failed_docs: list[dict[str, Any]],
) -> Iterator[Event]:
    """Diagnose, roll back to ``previous`` and wait for it, then raise the deploy's error."""
    details = diagnose(cluster, namespace, failure.workload)
    yield Warning(f"{failure.workload} failed: {failure.reason}")
    if previous is None:
        raise ClusterError(
            f"deploy failed: {failure.workload}: {failure.reason}; there is no earlier release to roll back to",
            details="\n".join(details),
            hint="fix it and deploy again; `devenv history` lists the releases",
        )
    release, docs = previous
    yield Step(f"rolling back every workload to revision {release.revision} (commit {release.commit})")
    try:
        yield from _roll(cluster, project, namespace, docs, timeout, [failed_docs])
        back = f"rolled back to revision {release.revision}"
    except RolloutFailed as again:
        back = f"the rollback to revision {release.revision} did not finish either ({again})"
    raise ClusterError(
        f"deploy failed: {failure.workload}: {failure.reason}; {back}",
        details="\n".join(details),
        hint="see the events and logs above; `devenv history --env ENV` lists the releases",
    )


def deploy(
    project: Project,
    env: str,
    *,
    context: str | None = None,
    secrets_file: Path | None = None,
    tag: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Iterator[Event]:
    """Deploy the images built from the work tree (or ``tag``) to ``env``; roll back on any failure."""
    namespace = namespace_of(project, env)
    source = source_tag(project.root, allow_dirty=True)
    tag = tag or source.tag
    cluster = connect(context)
    documents, digests, warnings = render_release(project, env, tag, secrets_file, cluster.version)
    for warning in warnings:
        yield Warning(warning)
    yield Step(
        f"deploying {project.name} {tag} to {namespace} on {cluster.host} "
        f"(Kubernetes {cluster.version[0]}.{cluster.version[1]})"
    )
    history = cluster.releases(namespace) if _namespace_exists(cluster, namespace) else []
    previous = _last_deployed(history)
    revision = (history[-1][0].revision if history else 0) + 1
    commit = source.commit if tag == source.tag else tag
    release = Release(revision, commit, tag, _now(), "deployed", dict(digests))
    try:
        yield from _roll(cluster, project, namespace, documents, timeout, [previous[1]] if previous else [])
    except RolloutFailed as failure:
        failed = Release(revision, commit, tag, release.time, "failed", dict(digests))
        _record(cluster, namespace, project, failed, documents)
        yield from _fail(cluster, project, namespace, failure, previous, timeout, documents)
    _record(cluster, namespace, project, release, documents)
    yield Message(f"revision {revision} deployed: {project.name} {tag} in {namespace}, every workload ready")


def _namespace_exists(cluster: Cluster, namespace: str) -> bool:
    from kubernetes.client.exceptions import ApiException

    try:
        cluster.core.read_namespace(namespace)
    except ApiException as exc:
        if exc.status == 404:
            return False
        raise ClusterError(f"cannot read namespace '{namespace}': {exc.reason}") from exc
    return True


def history(project: Project, env: str, *, context: str | None = None) -> Iterator[Event]:
    """The recorded releases of ``env``."""
    namespace = namespace_of(project, env)
    cluster = connect(context)
    releases = [release for release, _ in cluster.releases(namespace)] if _namespace_exists(cluster, namespace) else []
    yield ReleaseHistory(env=env, namespace=namespace, releases=releases)


def rollback(
    project: Project, env: str, *, context: str | None = None, to: int | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Iterator[Event]:
    """Re-apply release ``to`` (default: the deployed release before the current one), wait and check."""
    namespace = namespace_of(project, env)
    cluster = connect(context)
    recorded = cluster.releases(namespace) if _namespace_exists(cluster, namespace) else []
    good = [entry for entry in recorded if _running(entry[0])]
    if to is not None:
        chosen = [entry for entry in recorded if entry[0].revision == to]
        if not chosen:
            known = ", ".join(str(r.revision) for r, _ in recorded) or "none"
            raise UsageError(f"--to {to}: no such revision in {namespace} (revisions: {known})")
        target = chosen[0]
    elif len(good) >= 2:
        target = good[-2]
    else:
        raise UsageError(f"nothing to roll back to in {namespace}: fewer than two deployed releases")
    release, docs = target
    revision = recorded[-1][0].revision + 1
    current = _last_deployed(recorded)
    yield Step(f"rolling back {namespace} to revision {release.revision} (commit {release.commit})")
    try:
        yield from _roll(cluster, project, namespace, docs, timeout, [current[1]] if current else [])
    except RolloutFailed as failure:
        details = diagnose(cluster, namespace, failure.workload)
        raise ClusterError(
            f"rollback failed: {failure.workload}: {failure.reason}", details="\n".join(details)
        ) from failure
    done = Release(revision, release.commit, release.tag, _now(), f"rollback to {release.revision}", release.digests)
    _record(cluster, namespace, project, done, docs)
    yield Message(f"revision {revision}: {namespace} runs revision {release.revision} again, every workload ready")
