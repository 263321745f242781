"""The spec's service fields in a cluster (devenv/spec/service_fields.py). Pure.

- a named volume becomes a PersistentVolumeClaim, and the Deployment rolls out with
  ``Recreate`` (a ReadWriteOnce claim cannot be held by two pods at once);
- a bind-mounted project file becomes a ConfigMap mounted with ``subPath``; other bind mounts
  (the service's code, a data or scripts directory, a path outside the project) are not carried,
  with a warning that says so and why (the pod runs with what its image holds, as with
  ``develop.mount``);
- a tmpfs becomes an ``emptyDir`` of medium Memory;
- a file secret becomes a key of the project's Secret, mounted on /run/secrets/<name>;
- a health command becomes exec probes, and the health check's timing their periods,
  timeouts and thresholds; entrypoint, working_dir and a numeric user the
  container's command, workingDir and runAsUser; extra ports container and Service ports.

What a cluster cannot run as the spec says is refused (:class:`devenv.errors.UsageError`,
exit 2, naming the service and the key) before anything is written: a capability beyond
NET_BIND_SERVICE (the restricted Pod Security Standard), root (the pods run as non-root), a
named volume two services share (a ReadWriteOnce claim), a mounted file over 1 MiB. What it
can run without is a warning.
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass, field
from typing import Any

from devenv.errors import UsageError
from devenv.render.k8s.meta import Target, labels, metadata
from devenv.spec.model import Service
from devenv.spec.service_fields import VolumeMount, duration_seconds

SAFE_CAPABILITIES = ("NET_BIND_SERVICE",)  # what the restricted Pod Security Standard lets a container add
CONFIGMAP_LIMIT = 900_000  # a ConfigMap holds at most 1 MiB
DEFAULT_CLAIM = "1Gi"
_UNITS = {"k": "Ki", "m": "Mi", "g": "Gi"}
_NOT_DNS = re.compile(r"[^a-z0-9-]+")

# {path relative to the project: text, bytes, or None for a directory or a missing file}
MountedFiles = dict[str, "str | bytes | None"]


def dns(text: str) -> str:
    """``db_password`` -> ``db-password``: a name Kubernetes accepts."""
    return _NOT_DNS.sub("-", text.lower()).strip("-")[:50].strip("-") or "x"


def bind_sources(services: dict[str, Service]) -> list[str]:
    """Every bind-mounted path of the project's services (what `devenv export k8s` reads)."""
    return sorted({v.bind for s in services.values() for v in s.volumes if v.bind is not None})


def health_exec(service: Service) -> dict[str, Any] | None:
    """An exec probe's ``exec`` for a health command (a text runs under /bin/sh), or None."""
    command = service.health_command
    if command is None:
        return None
    return {"exec": {"command": ["sh", "-c", command] if isinstance(command, str) else list(command)}}


def timed(probes: dict[str, Any], service: Service) -> dict[str, Any]:
    """The probes with the health check's timing: interval -> periodSeconds, timeout -> timeoutSeconds,
    retries -> failureThreshold, start_period -> how long the startup probe waits."""
    timing = service.health_timing
    if timing is None or not probes:
        return probes

    def whole(text: str | None) -> int | None:
        seconds = duration_seconds(text) if text else None
        return max(1, math.ceil(seconds)) if seconds is not None else None

    interval, timeout, start = whole(timing.interval), whole(timing.timeout), whole(timing.start_period)
    out = {name: dict(probe) for name, probe in probes.items()}
    for name, probe in out.items():
        if timeout is not None:
            probe["timeoutSeconds"] = timeout
        if name != "startupProbe":
            if interval is not None:
                probe["periodSeconds"] = interval
            if timing.retries is not None:
                probe["failureThreshold"] = timing.retries
        elif start is not None:  # Compose's start period, then its retries, before the container counts as failed
            probe["failureThreshold"] = math.ceil(start / probe["periodSeconds"]) + (timing.retries or 3)
    return out


def refusals(target: Target, name: str, service: Service) -> list[str]:
    """Why the service cannot run in a cluster as the spec says: ``services.<name>.<key>: ...`` each."""
    out: list[str] = []
    where = f"services.{name}"
    for volume in service.volumes:
        path = project_path(volume.bind or "")
        if path is not None and len(target.files.get(path) or "") > CONFIGMAP_LIMIT:
            out.append(f"{where}.volumes: {volume.bind} is larger than a ConfigMap holds (1 MiB)")
    extra = [cap for cap in service.cap_add if cap not in SAFE_CAPABILITIES]
    if extra:
        out.append(
            f"{where}.cap_add: {', '.join(extra)} is not allowed by the restricted Pod Security Standard the export "
            f"follows (only {', '.join(SAFE_CAPABILITIES)})"
        )
    if service.user is not None and service.user.split(":")[0] in ("0", "root"):
        out.append(f"{where}.user: '{service.user}' runs as root; the exported pods run as a non-root user")
    claimed = {v.volume for other, s in target.project.spec.services.items() if other != name for v in s.volumes}
    out.extend(
        f"{where}.volumes: the named volume '{volume.volume}' is shared with another service; a cluster's "
        "ReadWriteOnce claim belongs to one pod"
        for volume in service.volumes
        if volume.volume is not None and volume.volume in claimed
    )
    return out


def not_carried(target: Target, name: str, service: Service, volume: VolumeMount) -> str | None:
    """Why a bind mount is not carried to the cluster (None: it is, as a ConfigMap)."""
    if volume.bind is None:
        return None
    if is_code_mount(name, service, volume):
        return "is the service's code, mounted for development; the cluster runs the code baked into the image"
    path = project_path(volume.bind)
    if path is None:
        return "is a path on your machine outside the project; a cluster has no such file"
    if target.files.get(path) is None:
        return (
            "is a directory (or missing) on your machine; a cluster has only what the image holds "
            "(use a named volume for data, bake the rest into the image, or mount single files)"
        )
    return None


def is_code_mount(name: str, service: Service, volume: VolumeMount) -> bool:
    """A bind mount of the service's own build context (its code, for development): the image has it baked in."""
    if volume.bind is None or not service.builds:
        return False
    path, build = project_path(volume.bind), project_path(service.build_path(name)) or ""
    return path is not None and (build in ("", path) or path.startswith(f"{build}/"))


def warn_fields(target: Target, name: str, service: Service) -> None:
    """Warnings for what the cluster does without."""
    where = f"services.{name}"
    for volume in service.volumes:
        why = not_carried(target, name, service, volume)
        if why:
            target.warn(f"{where}.volumes: {volume.bind} is not carried: it {why}")
    if any(p.host is not None for p in service.ports):
        target.warn(f"{where}.ports: host ports have no meaning in a cluster; the ports are the Service's")
    if service.env_file:
        target.warn(
            f"{where}.env_file: the variables of {', '.join(f.path for f in service.env_file)} are not carried; "
            "put them under 'env' (or the Secret)"
        )
    if service.build_args:
        target.warn(f"{where}.build_args: used by local builds; the cluster runs the image your CI built")
    if service.profiles:
        target.warn(f"{where}.profiles: a Compose selection; the export carries every service")
    if service.user is not None and not service.user.split(":")[0].isdigit():
        target.warn(f"{where}.user: '{service.user}' is not a number; the pod runs as the export's non-root user")
    if service.volumes and any(v.volume for v in service.volumes) and service.replicas > 1:
        target.warn(f"{where}.volumes: a named volume's claim is ReadWriteOnce: one replica at a time uses it")


@dataclass
class FieldsRender:
    """The manifests and pod settings of one service's fields."""

    target: Target
    name: str
    service: Service
    docs: list[dict[str, Any]] = field(default_factory=list)

    def apply(self, deployment: dict[str, Any]) -> list[dict[str, Any]]:
        """Add the fields to ``deployment``; the other manifests they need (claims, a ConfigMap)."""
        service, pod = self.service, deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        head = {k: container.pop(k) for k in ("name", "image", "imagePullPolicy")}
        if service.entrypoint is not None:
            head["command"] = list(service.entrypoint)
        if "args" in container:
            head["args"] = container.pop("args")
        if service.working_dir is not None:
            head["workingDir"] = service.working_dir
        rest = dict(container)
        container.clear()
        container.update(head | rest)
        uid, _, gid = (service.user or "").partition(":")
        if uid.isdigit():
            container["securityContext"]["runAsUser"] = int(uid)
            if gid.isdigit():
                container["securityContext"]["runAsGroup"] = int(gid)
        adds = [cap for cap in service.cap_add if cap in SAFE_CAPABILITIES]
        if adds:
            container["securityContext"]["capabilities"]["add"] = adds
        ports = container.setdefault("ports", [])
        for port in self.extra_ports():
            ports.append({"name": port["name"], "containerPort": port["port"], "protocol": port["protocol"]})
        if not ports:
            container.pop("ports")
        files: dict[str, Any] = {}
        for index, volume in enumerate(service.volumes):
            if not_carried(self.target, self.name, service, volume) is None:
                self._mount(volume, index, container, pod, files)
        if service.secrets:
            items = [{"key": key, "path": key} for key in service.secrets]
            pod["volumes"].append(
                {"name": "secrets", "secret": {"secretName": self.target.secret_name, "items": items}}
            )
            container["volumeMounts"].append({"name": "secrets", "mountPath": "/run/secrets", "readOnly": True})
            for key, file in service.secrets.items():
                self.target.secret_keys.setdefault(key, f"<the content of {file}>")
        if files:
            self.docs.insert(0, self._config_map(files))
        if any(v.volume for v in service.volumes):
            deployment["spec"]["strategy"] = {"type": "Recreate"}
        return self.docs

    def extra_ports(self) -> list[dict[str, Any]]:
        """The ports besides the main one: {name, port, protocol}."""
        out = []
        seen = {(self.service.port, "tcp")}
        for port in self.service.ports:
            if (port.container, port.protocol) in seen:  # one container port published on two host ports
                continue
            seen.add((port.container, port.protocol))
            protocol = port.protocol.upper()
            out.append({"name": f"{port.protocol}-{port.container}", "port": port.container, "protocol": protocol})
        return out

    def _mount(
        self, volume: VolumeMount, index: int, container: dict[str, Any], pod: dict[str, Any], files: dict[str, Any]
    ) -> None:
        name = f"v{index}-{dns(volume.volume or volume.target)}"[:63].rstrip("-")
        mount: dict[str, Any] = {"name": name, "mountPath": volume.target}
        if volume.read_only:
            mount["readOnly"] = True
        if volume.tmpfs:
            empty: dict[str, Any] = {"medium": "Memory"}
            if volume.size:
                empty["sizeLimit"] = _quantity(volume.size)
            pod["volumes"].append({"name": name, "emptyDir": empty})
        elif volume.volume is not None:
            claim = self._claim(volume.volume)
            pod["volumes"].append({"name": name, "persistentVolumeClaim": {"claimName": claim}})
        else:
            path = project_path(volume.bind or "") or ""
            key = f"f{index}-{dns(path.rsplit('/', 1)[-1])}"
            files[key] = self.target.files.get(path)
            pod["volumes"].append(
                {"name": name, "configMap": {"name": self._files_name, "items": [{"key": key, "path": key}]}}
            )
            mount["subPath"] = key
            mount["readOnly"] = True
        container["volumeMounts"].append(mount)

    @property
    def _files_name(self) -> str:
        return f"{self.name}-files"

    def _claim(self, volume: str) -> str:
        claim = f"{self.name}-{dns(volume)}"[:63].rstrip("-")
        if any(doc["metadata"]["name"] == claim for doc in self.docs):  # mounted twice: one claim
            return claim
        resources = self.target.env.resources.get(self.name)
        size = (resources.storage if resources else None) or DEFAULT_CLAIM
        component = "service"
        self.docs.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": metadata(self.target, claim, labels(self.target, self.name, component)),
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}},
            }
        )
        return claim

    def _config_map(self, files: dict[str, Any]) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": metadata(self.target, self._files_name, labels(self.target, self.name, "service")),
        }
        text = {k: v for k, v in files.items() if isinstance(v, str)}
        binary = {k: base64.b64encode(v).decode() for k, v in files.items() if isinstance(v, bytes)}
        if text:
            doc["data"] = text
        if binary:
            doc["binaryData"] = binary
        return doc


def check(target: Target, name: str, service: Service) -> FieldsRender:
    """Refuse what cannot run (UsageError naming the service and key), warn for the rest; the renderer."""
    problems = refusals(target, name, service)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise UsageError(
            f"devenv export k8s: {problems[0]}{more}",
            hint="change devenv.yaml, or export without that service; nothing was written",
        )
    warn_fields(target, name, service)
    return FieldsRender(target, name, service)


def project_path(path: str) -> str | None:
    """``./conf/app.ini`` -> ``conf/app.ini``; None for a path outside the project."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if path.startswith(("/", "~")) or ".." in parts or not parts:
        return None
    return "/".join(parts)


def _quantity(size: str) -> str:
    """A tmpfs size (``64m``) as a Kubernetes quantity (``64Mi``)."""
    unit = size[-1].lower()
    return size[:-1] + _UNITS[unit] if unit in _UNITS else size.rstrip("bB")


__all__ = ["FieldsRender", "MountedFiles", "bind_sources", "check", "dns", "health_exec", "project_path", "timed"]
