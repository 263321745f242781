"""Talking to a cluster with the official client: connect, apply, and the recorded releases.

The user's kubeconfig and context are used as kubectl uses them (``KUBECONFIG``,
``~/.kube/config``, ``--context``). No kubeconfig or an unknown context is a usage error
(exit 2); a server that does not answer is a :class:`ClusterError` (exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from devenv.deliver.plan import RELEASE_LABEL, manifests_of, release_of, server_version
from devenv.errors import DevenvError, UsageError
from devenv.events import Release

FIELD_MANAGER = "devenv"
CONNECT_TIMEOUT = 10  # seconds for one request


class ClusterError(DevenvError):
    """The cluster cannot be reached, or refused what devenv sent."""


@dataclass
class Cluster:
    """A connected API client and what devenv asks of it."""

    api: Any  # kubernetes.client.ApiClient
    context: str | None
    host: str
    version: tuple[int, int]

    @property
    def core(self) -> Any:
        from kubernetes import client

        return client.CoreV1Api(self.api)

    @property
    def apps(self) -> Any:
        from kubernetes import client

        return client.AppsV1Api(self.api)

    @property
    def batch(self) -> Any:
        from kubernetes import client

        return client.BatchV1Api(self.api)

    def apply(self, documents: list[dict[str, Any]], namespace: str) -> None:
        """Server-side apply every document (devenv owns the fields it sets; conflicts are taken over)."""
        from kubernetes import dynamic
        from kubernetes.client.exceptions import ApiException

        self.ensure_namespace(namespace)
        client = dynamic.DynamicClient(self.api)
        for doc in documents:
            kind, name = doc["kind"], doc["metadata"]["name"]
            try:
                resource = client.resources.get(api_version=doc["apiVersion"], kind=kind)
                resource.server_side_apply(
                    body=doc,
                    name=name,
                    namespace=namespace if resource.namespaced else None,
                    field_manager=FIELD_MANAGER,
                    force_conflicts=True,
                )
            except ApiException as exc:
                raise ClusterError(f"the cluster refused {kind} '{name}': {_reason(exc)}") from exc
            except Exception as exc:  # discovery: an unknown kind or version on this server
                if type(exc).__name__ in ("ResourceNotFoundError", "ResourceNotUniqueError"):
                    raise ClusterError(
                        f"this cluster (Kubernetes {self.version[0]}.{self.version[1]}) has no {doc['apiVersion']} "
                        f"{kind} ('{name}')"
                    ) from exc
                raise

    def delete(self, objects: list[tuple[str, str, str]], namespace: str) -> None:
        """Delete (apiVersion, kind, name) objects from ``namespace``; one already gone is fine.
        Their pods and Jobs' pods go with them (background propagation)."""
        from kubernetes import dynamic
        from kubernetes.client.exceptions import ApiException

        client = dynamic.DynamicClient(self.api)
        for api_version, kind, name in objects:
            try:
                resource = client.resources.get(api_version=api_version, kind=kind)
                resource.delete(
                    name=name,
                    namespace=namespace if resource.namespaced else None,
                    body={"propagationPolicy": "Background"},
                )
            except ApiException as exc:
                if exc.status != 404:
                    raise ClusterError(f"the cluster did not delete {kind} '{name}': {_reason(exc)}") from exc

    def ensure_namespace(self, namespace: str) -> None:
        from kubernetes.client.exceptions import ApiException

        try:
            self.core.read_namespace(namespace)
        except ApiException as exc:
            if exc.status != 404:
                raise ClusterError(f"cannot read namespace '{namespace}': {_reason(exc)}") from exc
            self.core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})

    def releases(self, namespace: str) -> list[tuple[Release, list[dict[str, Any]]]]:
        """The recorded releases of a namespace with their manifests, oldest first."""
        from kubernetes.client.exceptions import ApiException

        try:
            found = self.core.list_namespaced_config_map(namespace, label_selector=f"{RELEASE_LABEL}=true")
        except ApiException as exc:
            raise ClusterError(f"cannot list the releases in '{namespace}': {_reason(exc)}") from exc
        out = [(release_of(item.data or {}), manifests_of(item.binary_data or {})) for item in found.items]
        return sorted(out, key=lambda pair: pair[0].revision)


def _reason(exc: Any) -> str:
    import json

    try:
        return str(json.loads(exc.body).get("message") or exc.reason)
    except (TypeError, ValueError):
        return f"{exc.status} {exc.reason}"


def connect(context: str | None = None) -> Cluster:
    """A client for the kubeconfig's ``context`` (default: its current one), checked to answer."""
    import os

    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    # Read at call time (the client reads KUBECONFIG once, at import); a list of files merges as kubectl does.
    config_file = os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
    try:
        api = config.new_client_from_config(config_file=config_file, context=context)
    except (ConfigException, OSError) as exc:
        which = f"context '{context}'" if context else "a current context"
        raise UsageError(
            f"no Kubernetes cluster to talk to: the kubeconfig has no {which} ({exc})",
            hint="set KUBECONFIG or create ~/.kube/config; pick a context with --context NAME",
        ) from exc
    api.configuration.retries = 0
    host = str(api.configuration.host)
    try:
        info = client.VersionApi(api).get_code(_request_timeout=CONNECT_TIMEOUT)
    except Exception as exc:  # urllib3 and ssl errors have no common base worth naming
        reason = str(getattr(exc, "reason", None) or exc).splitlines()[0][:200]
        raise ClusterError(
            f"cannot reach the Kubernetes API server at {host} ({reason})",
            hint="is the cluster running and the kubeconfig's context right? try `kubectl cluster-info`",
        ) from exc
    return Cluster(api=api, context=context, host=host, version=server_version(info.major, info.minor))
