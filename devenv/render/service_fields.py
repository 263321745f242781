"""Compose keys for the spec's service fields (devenv/spec/service_fields.py). Pure.

Written the way a person writes them: short syntax where Compose has one
(``127.0.0.1:9001:9001/udp``, ``cache:/var/cache/app``, ``./conf/app.ini:/etc/app.ini:ro``),
the long form only for what has none (a tmpfs with a size, an optional env file).
Ports are published on 127.0.0.1 unless the spec names another address; a port
without a host port is only exposed to the other containers.
"""

from __future__ import annotations

from typing import Any

from devenv.spec.model import Service
from devenv.spec.service_fields import PortMapping, VolumeMount

LOOPBACK = "127.0.0.1"


def _dollars(value: str) -> str:
    return value.replace("$", "$$")


def port_text(port: PortMapping) -> str:
    """``127.0.0.1:5353:53/udp``: a published port in Compose's short syntax."""
    suffix = "/udp" if port.protocol == "udp" else ""
    host_ip = port.host_ip or LOOPBACK
    if ":" in host_ip:  # IPv6
        host_ip = f"[{host_ip}]"
    return f"{host_ip}:{port.host}:{port.container}{suffix}"


def volume_entry(volume: VolumeMount) -> str | dict[str, Any]:
    """A mount in Compose's short syntax, or its long form for a tmpfs."""
    if volume.kind == "tmpfs":
        entry: dict[str, Any] = {"type": "tmpfs", "target": volume.target}
        if volume.size:
            entry["tmpfs"] = {"size": volume.size}
        return entry
    source = volume.volume if volume.kind == "volume" else volume.bind
    return f"{source}:{volume.target}" + (":ro" if volume.read_only else "")


def health_test(command: str | list[str]) -> list[str]:
    """``["CMD", ...]`` for a list (run as is), ``["CMD-SHELL", text]`` for a text (run by /bin/sh)."""
    if isinstance(command, str):
        return ["CMD-SHELL", _dollars(command)]
    return ["CMD", *(_dollars(word) for word in command)]


def process_keys(service: Service) -> dict[str, Any]:
    """entrypoint, user, working_dir: how the process starts (before ``command``)."""
    out: dict[str, Any] = {}
    if service.entrypoint is not None:
        out["entrypoint"] = [_dollars(word) for word in service.entrypoint]
    if service.user is not None:
        out["user"] = _dollars(service.user)
    if service.working_dir is not None:
        out["working_dir"] = _dollars(service.working_dir)
    return out


def env_files(service: Service) -> list[Any]:
    """``env_file``: paths, or ``{path, required: false}`` for the optional ones."""
    return [f.path if f.required else {"path": f.path, "required": False} for f in service.env_file]


def published(service: Service) -> tuple[list[str], list[str]]:
    """(``ports`` entries, ``expose`` entries) of the extra ports."""
    ports = [port_text(p) for p in service.ports if p.host is not None]
    expose = [f"{p.container}" + ("/udp" if p.protocol == "udp" else "") for p in service.ports if p.host is None]
    return ports, expose


def mounts(service: Service) -> list[Any]:
    """The service's own ``volumes`` entries."""
    return [volume_entry(volume) for volume in service.volumes]


def security_keys(service: Service) -> dict[str, Any]:
    """cap_add, cap_drop, profiles: written after everything else a service says."""
    out: dict[str, Any] = {}
    if service.cap_add:
        out["cap_add"] = list(service.cap_add)
    if service.cap_drop:
        out["cap_drop"] = list(service.cap_drop)
    if service.profiles:
        out["profiles"] = list(service.profiles)
    return out


def top_level(services: dict[str, Service]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(top-level ``volumes``, top-level ``secrets``) the services' named volumes and secrets need."""
    volumes: dict[str, Any] = {}
    secrets: dict[str, Any] = {}
    for service in services.values():
        for volume in service.volumes:
            if volume.volume is not None:
                volumes[volume.volume] = {}
        for name, file in service.secrets.items():
            secrets.setdefault(name, {"file": file})
    return volumes, secrets


__all__ = [
    "env_files",
    "health_test",
    "mounts",
    "port_text",
    "process_keys",
    "published",
    "security_keys",
    "top_level",
    "volume_entry",
]
