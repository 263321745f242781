"""The pure half of a deploy: what to apply, for which server, and how a release is recorded.

Nothing here talks to a cluster: manifests in, manifests out. A release is recorded as a
ConfigMap ``devenv-release-<revision>`` in the environment's namespace holding the
revision, commit, tag, digests, time and status, and the applied manifests (without the
Secret: secret values are never recorded), gzipped, so `rollback` re-applies them.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devenv.errors import UsageError
from devenv.events import Release

WORKLOAD_KINDS = ("StatefulSet", "Deployment", "Job")  # the order a deploy waits in
RELEASE_PREFIX = "devenv-release-"
RELEASE_LABEL = "devenv.dev/release"
MANIFESTS_KEY = "manifests.json.gz"


def pin_images(documents: list[dict[str, Any]], digests: Mapping[str, str]) -> list[dict[str, Any]]:
    """Containers running a tag in ``digests`` ({``repo:tag``: ``repo@sha256:...``}) run that digest.

    The tag stays in the reference (``repo:tag@sha256:...``) for people reading it; the
    digest decides what runs.
    """
    pinned = copy.deepcopy(documents)
    for doc in pinned:
        pod = pod_spec(doc)
        if pod is None:
            continue
        for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
            digest = digests.get(container.get("image", ""))
            if digest:
                container["image"] = f"{container['image']}@{digest.rsplit('@', 1)[1]}"
    return pinned


def pod_spec(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The pod spec of a workload, else None."""
    if doc.get("kind") not in WORKLOAD_KINDS:
        return None
    spec: dict[str, Any] = doc.get("spec", {}).get("template", {}).get("spec", {})
    return spec


def for_server(documents: list[dict[str, Any]], version: tuple[int, int]) -> list[dict[str, Any]]:
    """Manifests for a server of ``version`` (major, minor): policy/v1beta1 PDBs before 1.21."""
    if version >= (1, 21):
        return documents
    out = copy.deepcopy(documents)
    for doc in out:
        if doc.get("kind") == "PodDisruptionBudget" and doc.get("apiVersion") == "policy/v1":
            doc["apiVersion"] = "policy/v1beta1"
    return out


def server_version(major: str, minor: str) -> tuple[int, int]:
    """``("1", "20+")`` -> (1, 20), as servers report it."""
    try:
        return int(major.strip("+")), int(minor.strip("+"))
    except ValueError:
        return (1, 99)


def workloads(documents: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(kind, name) of every workload, StatefulSets first, then Deployments, then Jobs."""
    found = [(d["kind"], d["metadata"]["name"]) for d in documents if d.get("kind") in WORKLOAD_KINDS]
    return sorted(found, key=lambda item: WORKLOAD_KINDS.index(item[0]))


# Kinds a deploy never deletes when a release no longer has them: they hold data.
KEPT_KINDS = frozenset({"PersistentVolumeClaim"})


def left_behind(
    applied: list[list[dict[str, Any]]], wanted: list[dict[str, Any]]
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """The objects of earlier releases ``applied`` that ``wanted`` no longer has (a service
    taken out of the spec, a release rolled back past the one that added an object), as
    (apiVersion, kind, name), sorted: (what a deploy or rollback deletes once it is ready,
    what it keeps because it holds data: KEPT_KINDS). Objects are told apart by kind and
    name (an apiVersion that changes with the server is the same object); a Namespace is
    never among them."""
    kept = {(d["kind"], d["metadata"]["name"]) for d in wanted}
    found = {
        (d["kind"], d["metadata"]["name"]): d["apiVersion"]
        for docs in applied
        for d in docs
        if d.get("kind") != "Namespace" and (d["kind"], d["metadata"]["name"]) not in kept
    }
    stale = sorted((version, kind, name) for (kind, name), version in found.items())
    return [s for s in stale if s[1] not in KEPT_KINDS], [s for s in stale if s[1] in KEPT_KINDS]


def secret_values(keys: list[str], file: Path | None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The Secret's values: from ``file`` (KEY=value lines) when given, else the process environment.

    Missing keys are an error naming the keys, never a value.
    """
    from devenv.export import parse_env_file

    if file is not None:
        try:
            source = parse_env_file(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"--secrets: cannot read '{file}' ({exc.strerror})") from exc
        where = str(file)
    else:
        source = dict(os.environ if environ is None else environ)
        where = "the environment"
    missing = [key for key in keys if key not in source]
    if missing:
        raise UsageError(
            f"{where} lacks the secret values {', '.join(missing)}",
            hint="pass --secrets FILE (KEY=value lines, see secrets.example of `devenv export k8s`) or export them",
        )
    return {key: source[key] for key in keys}


def release_configmap(
    namespace: str, project: str, release: Release, documents: list[dict[str, Any]]
) -> dict[str, Any]:
    """The ConfigMap recording ``release`` and its manifests (never the Secret)."""
    kept = [doc for doc in documents if doc.get("kind") != "Secret"]
    packed = gzip.compress(json.dumps(kept, sort_keys=True).encode(), mtime=0)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": f"{RELEASE_PREFIX}{release.revision}",
            "namespace": namespace,
            "labels": {
                RELEASE_LABEL: "true",
                "app.kubernetes.io/part-of": project,
                "app.kubernetes.io/managed-by": "devenv",
            },
        },
        "data": {
            "revision": str(release.revision),
            "commit": release.commit,
            "tag": release.tag,
            "time": release.time,
            "status": release.status,
            "digests": json.dumps(release.digests, sort_keys=True),
        },
        "binaryData": {MANIFESTS_KEY: base64.b64encode(packed).decode()},
    }


def release_of(data: Mapping[str, str]) -> Release:
    """A :class:`Release` from a recording ConfigMap's data."""
    return Release(
        revision=int(data.get("revision", "0")),
        commit=data.get("commit", ""),
        tag=data.get("tag", ""),
        time=data.get("time", ""),
        status=data.get("status", ""),
        digests=json.loads(data.get("digests", "{}")),
    )


def manifests_of(binary: Mapping[str, str]) -> list[dict[str, Any]]:
    """The manifests a recording ConfigMap holds."""
    raw = binary.get(MANIFESTS_KEY)
    if not raw:
        return []
    docs: list[dict[str, Any]] = json.loads(gzip.decompress(base64.b64decode(raw)))
    return docs
