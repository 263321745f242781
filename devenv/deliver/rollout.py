"""Waiting for workloads to roll out, telling why one did not, and the smoke check through Services.

A Deployment is done when the controller saw its generation and every replica is updated
and available; a StatefulSet when every replica is ready at the update revision; a Job
when it succeeded. A pod that cannot start (image not pulled, crash loop, bad config)
fails the wait at once; a pod that never gets ready fails it at the timeout.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from devenv.deliver.cluster import Cluster
from devenv.events import Event, RolloutProgress

STUCK_REASONS = (
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "CrashLoopBackOff",
    "CreateContainerConfigError",
    "CreateContainerError",
)
LOG_LINES = 20
POLL = 1.0


class RolloutFailed(Exception):
    """A workload did not finish rolling out (internal: the deploy turns it into a rollback and an error)."""

    def __init__(self, workload: str, reason: str):
        super().__init__(f"{workload}: {reason}")
        self.workload = workload
        self.reason = reason


@dataclass(frozen=True)
class State:
    ready: int
    wanted: int
    done: bool
    failed: str | None = None


def _pods(cluster: Cluster, namespace: str, selector: dict[str, str] | None) -> list[Any]:
    if not selector:
        return []
    labels = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    return list(cluster.core.list_namespaced_pod(namespace, label_selector=labels).items)


def _stuck(pods: list[Any], since: datetime | None) -> str | None:
    """The first pod (made at or after ``since``) that cannot start, as a reason; None when none."""
    for pod in pods:
        if since is not None and pod.metadata.creation_timestamp and pod.metadata.creation_timestamp < since:
            continue  # a pod of an earlier attempt: its controller replaces it
        statuses = [*(pod.status.init_container_statuses or []), *(pod.status.container_statuses or [])]
        for status in statuses:
            waiting = status.state.waiting if status.state else None
            if waiting is not None and waiting.reason in STUCK_REASONS:
                return f"pod {pod.metadata.name}: {waiting.reason}: {(waiting.message or '').strip()[:300]}"
    return None


def state_of(cluster: Cluster, kind: str, name: str, namespace: str, since: datetime | None = None) -> State:
    """Where one workload's rollout is (pods made before ``since`` are not blamed)."""
    if kind == "Deployment":
        d = cluster.apps.read_namespaced_deployment(name, namespace)
        s, wanted = d.status, d.spec.replicas if d.spec.replicas is not None else 1
        done = (
            (s.observed_generation or 0) >= (d.metadata.generation or 0)
            and (s.updated_replicas or 0) == wanted
            and (s.replicas or 0) == wanted
            and (s.available_replicas or 0) == wanted
        )
        for condition in s.conditions or []:
            if condition.type == "Progressing" and condition.reason == "ProgressDeadlineExceeded":
                return State(s.ready_replicas or 0, wanted, False, condition.message)
        stuck = None if done else _stuck(_pods(cluster, namespace, d.spec.selector.match_labels), since)
        return State(min(s.updated_replicas or 0, s.available_replicas or 0), wanted, done, stuck)
    if kind == "StatefulSet":
        st = cluster.apps.read_namespaced_stateful_set(name, namespace)
        s, wanted = st.status, st.spec.replicas if st.spec.replicas is not None else 1
        done = (
            (s.observed_generation or 0) >= (st.metadata.generation or 0)
            and (s.ready_replicas or 0) == wanted
            and (s.updated_replicas or 0) == wanted
            and (not s.update_revision or s.current_revision == s.update_revision)
        )
        pods = [] if done else _pods(cluster, namespace, st.spec.selector.match_labels)
        _replace_stale(cluster, namespace, pods, s.update_revision)
        stuck = _stuck(pods, since) if pods else None
        return State(s.ready_replicas or 0, wanted, done, stuck)
    job = cluster.batch.read_namespaced_job(name, namespace)
    wanted = job.spec.completions or 1
    for condition in job.status.conditions or []:
        if condition.type == "Failed" and condition.status == "True":
            return State(job.status.succeeded or 0, wanted, False, f"{condition.reason}: {condition.message}")
    done = (job.status.succeeded or 0) >= wanted
    stuck = None if done else _stuck(_pods(cluster, namespace, {"job-name": name}), since)
    return State(job.status.succeeded or 0, wanted, done, stuck)


def _replace_stale(cluster: Cluster, namespace: str, pods: list[Any], revision: str | None) -> None:
    """Delete StatefulSet pods stuck at an older revision: the controller never replaces a pod that is not
    Ready (the documented "forced rollback"), so a fix could never roll out over a crash-looping pod."""
    for pod in pods:
        stale = revision and pod.metadata.labels.get("controller-revision-hash") not in (None, revision)
        if stale and _stuck([pod], None) and pod.metadata.deletion_timestamp is None:
            cluster.core.delete_namespaced_pod(pod.metadata.name, namespace)


def wait_all(cluster: Cluster, namespace: str, items: list[tuple[str, str]], timeout: float) -> Iterator[Event]:
    """Progress until every workload is done; :class:`RolloutFailed` for the first that fails or is late."""
    since = datetime.now(UTC) - timedelta(seconds=2)
    deadline = time.monotonic() + timeout
    shown: dict[str, tuple[int, int, bool]] = {}
    pending = list(items)
    while pending:
        for kind, name in list(pending):
            label = f"{kind}/{name}"
            state = state_of(cluster, kind, name, namespace, since)
            if state.failed:
                raise RolloutFailed(label, state.failed)
            key = (state.ready, state.wanted, state.done)
            if shown.get(label) != key:
                shown[label] = key
                yield RolloutProgress(label, state.ready, state.wanted, state.done)
            if state.done:
                pending.remove((kind, name))
        if not pending:
            return
        if time.monotonic() > deadline:
            kind, name = pending[0]
            state = state_of(cluster, kind, name, namespace)
            raise RolloutFailed(
                f"{kind}/{name}", f"not ready after {timeout:.0f}s ({state.ready}/{state.wanted} ready)"
            )
        time.sleep(POLL)


def diagnose(cluster: Cluster, namespace: str, workload: str) -> list[str]:
    """The workload's events, and the events and last log lines of its pods that are not ready."""
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    kind, name = workload.split("/", 1)
    lines: list[str] = []
    try:
        if kind == "Job":
            selector: dict[str, str] | None = {"job-name": name}
        else:
            read = (
                cluster.apps.read_namespaced_deployment
                if kind == "Deployment"
                else (cluster.apps.read_namespaced_stateful_set)
            )
            selector = read(name, namespace).spec.selector.match_labels
        pods = [p for p in _pods(cluster, namespace, selector) if not _ready(p)]
        names = [name, *(p.metadata.name for p in pods)]
        for involved in names:
            events = cluster.core.list_namespaced_event(namespace, field_selector=f"involvedObject.name={involved}")
            newest = sorted(events.items, key=lambda e: str(e.last_timestamp or e.event_time or ""))[-8:]
            lines.extend(f"event {involved}: {e.reason}: {(e.message or '').strip()}" for e in newest)
        for pod in pods[-1:]:
            for container in pod.spec.containers:
                try:
                    response = cluster.core.read_namespaced_pod_log(
                        pod.metadata.name,
                        namespace,
                        container=container.name,
                        tail_lines=LOG_LINES,
                        _preload_content=False,
                    )
                except ApiException:  # no log yet (never started)
                    continue
                text = response.data.decode(errors="replace")
                lines += [f"log {pod.metadata.name}/{container.name}: {line}" for line in str(text).splitlines()]
    except (ApiException, HTTPError, OSError) as exc:  # diagnosis must never hide the failure it explains
        lines.append(f"(could not read more: {exc})")
    return lines


def _ready(pod: Any) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def smoke_check(cluster: Cluster, namespace: str, checks: list[tuple[str, int, str]], timeout: float = 30) -> None:
    """GET each (service, port, path) through its Service (the API server's service proxy): 2xx or failure."""
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    for service, port, path in checks:
        deadline = time.monotonic() + timeout
        while True:
            try:
                cluster.core.connect_get_namespaced_service_proxy_with_path(
                    f"{service}:{port}", namespace, path.lstrip("/")
                )
                break
            except (ApiException, HTTPError, OSError) as exc:
                if time.monotonic() > deadline:
                    status = getattr(exc, "status", None) or str(exc).splitlines()[0][:120]
                    raise RolloutFailed(
                        f"Deployment/{service}", f"smoke check GET {path} through Service '{service}': {status}"
                    ) from exc
                time.sleep(POLL)
