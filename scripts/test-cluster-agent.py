#!/usr/bin/env python3
"""The test cluster's two missing add-ons, in one polling loop (started by scripts/test-cluster.sh).

* Cluster DNS: every Service gets ``<name>.<ns>.svc.cluster.local`` (its ClusterIP, or the
  ready endpoints of a headless Service, plus ``<hostname>.<name>.<ns>...`` for StatefulSet
  pods) in a hosts file that dnsmasq reads; dnsmasq is told to reload (SIGHUP) on change.
* Storage: a default StorageClass ``devenv-hostpath``; each claim of it gets a hostPath
  PersistentVolume under the state directory, owned by the pods' uid (hostPath volumes
  are not chowned to fsGroup); released volumes are deleted.

Stdlib only: it talks to the API server with the kubeconfig's token on loopback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import ssl
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

PROVISIONER = "devenv.dev/hostpath"
STORAGE_CLASS = "devenv-hostpath"
POD_UID = 10001  # devenv's hardened pods run as 10001:10001


class Api:
    """GET/POST/DELETE JSON on the API server."""

    def __init__(self, kubeconfig: Path) -> None:
        fields: dict[str, str] = {}
        for line in kubeconfig.read_text().splitlines():
            key, sep, value = line.strip().partition(": ")
            if sep and key in ("server", "certificate-authority", "token"):
                fields[key] = value.strip()
        self.server = fields["server"]
        self.token = fields["token"]
        self.context = ssl.create_default_context(cafile=fields["certificate-authority"])

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.server + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, context=self.context, timeout=10) as response:
            return json.loads(response.read() or b"{}")


def dns_records(api: Api) -> list[str]:
    """Hosts-file lines for every Service (and every named endpoint of a headless one)."""
    lines = []
    endpoints = {
        (e["metadata"]["namespace"], e["metadata"]["name"]): e for e in api.call("GET", "/api/v1/endpoints")["items"]
    }
    for service in api.call("GET", "/api/v1/services")["items"]:
        ns, name = service["metadata"]["namespace"], service["metadata"]["name"]
        fqdn = f"{name}.{ns}.svc.cluster.local"
        cluster_ip = service["spec"].get("clusterIP")
        if cluster_ip and cluster_ip != "None":
            lines.append(f"{cluster_ip} {fqdn}")
            continue
        for subset in endpoints.get((ns, name), {}).get("subsets") or []:
            for address in subset.get("addresses") or []:
                lines.append(f"{address['ip']} {fqdn}")
                if address.get("hostname"):
                    lines.append(f"{address['ip']} {address['hostname']}.{fqdn}")
    return sorted(lines)


def ensure_storage_class(api: Api) -> None:
    try:
        api.call("GET", f"/apis/storage.k8s.io/v1/storageclasses/{STORAGE_CLASS}")
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise
        api.call(
            "POST",
            "/apis/storage.k8s.io/v1/storageclasses",
            {
                "apiVersion": "storage.k8s.io/v1",
                "kind": "StorageClass",
                "metadata": {
                    "name": STORAGE_CLASS,
                    "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
                },
                "provisioner": PROVISIONER,
                "reclaimPolicy": "Delete",
                "volumeBindingMode": "Immediate",
            },
        )


def provision(api: Api, volumes: Path) -> None:
    """A hostPath PersistentVolume for each pending claim of the default class; delete released ones."""
    existing = {pv["metadata"]["name"]: pv for pv in api.call("GET", "/api/v1/persistentvolumes")["items"]}
    for claim in api.call("GET", "/api/v1/persistentvolumeclaims")["items"]:
        if claim["status"].get("phase") != "Pending" or claim["spec"].get("storageClassName") != STORAGE_CLASS:
            continue
        name = f"pvc-{claim['metadata']['uid']}"
        if name in existing:
            continue
        path = volumes / name
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, POD_UID, POD_UID)
        path.chmod(0o2775)
        size = claim["spec"]["resources"]["requests"]["storage"]
        api.call(
            "POST",
            "/api/v1/persistentvolumes",
            {
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {"name": name, "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER}},
                "spec": {
                    "capacity": {"storage": size},
                    "accessModes": claim["spec"]["accessModes"],
                    "persistentVolumeReclaimPolicy": "Delete",
                    "storageClassName": STORAGE_CLASS,
                    "claimRef": {
                        "namespace": claim["metadata"]["namespace"],
                        "name": claim["metadata"]["name"],
                        "uid": claim["metadata"]["uid"],
                    },
                    "hostPath": {"path": str(path), "type": "Directory"},
                },
            },
        )
    for name, pv in existing.items():
        if pv["status"].get("phase") in ("Released", "Failed") and name.startswith("pvc-"):
            api.call("DELETE", f"/api/v1/persistentvolumes/{name}")
            shutil.rmtree(volumes / name, ignore_errors=True)


def reload_dnsmasq(pidfile: Path) -> None:
    with contextlib.suppress(OSError, ValueError):
        os.kill(int(pidfile.read_text().strip()), signal.SIGHUP)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kubeconfig", type=Path, required=True)
    parser.add_argument("--hosts", type=Path, required=True, help="the hosts file dnsmasq reads (--addn-hosts)")
    parser.add_argument("--dnsmasq-pidfile", type=Path, required=True)
    parser.add_argument("--volumes", type=Path, required=True)
    args = parser.parse_args()
    api = Api(args.kubeconfig)
    written = None
    while True:
        try:
            ensure_storage_class(api)
            text = "".join(line + "\n" for line in dns_records(api))
            if text != written:
                tmp = args.hosts.with_suffix(".tmp")
                tmp.write_text(text)
                tmp.replace(args.hosts)
                reload_dnsmasq(args.dnsmasq_pidfile)
                written = text
            provision(api, args.volumes)
        except (OSError, urllib.error.URLError, KeyError, ValueError) as exc:
            print(f"agent: {exc}", flush=True)
        time.sleep(1)


if __name__ == "__main__":
    main()
