"""Containers devenv runs itself, outside any Compose project (the router): create, inspect, remove, networks.

Reached through :class:`devenv.runtime.engine.Engine` (``inspect``, ``run_standalone``,
``remove``, ``connect_network``, ``disconnect_network``); the calls go to the Docker SDK's
``APIClient`` (through the fast client's fallback on the local socket).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StandaloneSpec:
    """What to run: image, name, labels, published ports, bind mounts, command."""

    name: str
    image: str
    labels: dict[str, str] = field(default_factory=dict)
    ports: dict[int, tuple[str, int]] = field(default_factory=dict)  # container port -> (host ip, host port)
    binds: dict[str, tuple[str, bool]] = field(default_factory=dict)  # host path -> (container path, read only)
    command: list[str] | None = None
    restart: str = "unless-stopped"
    network: str | None = None  # a user-defined network (made when missing): the engine's DNS resolves names there


def inspect(client: Any, name: str) -> dict[str, Any] | None:
    """The engine's inspection of a container, or None when there is none by that name."""
    try:
        found = client.api.inspect_container(name)
    except Exception as exc:
        if getattr(exc, "status", None) == 404 or getattr(exc, "status_code", None) == 404 or "404" in str(exc):
            return None
        raise
    return dict(found)


def run(client: Any, spec: StandaloneSpec) -> str:
    """Create and start the container; its id."""
    api = client.api
    if spec.network and not api.networks(names=[spec.network]):
        api.create_network(spec.network, driver="bridge", labels=spec.labels)
    host_config = api.create_host_config(
        network_mode=spec.network,
        port_bindings={f"{port}/tcp": [bound] for port, bound in spec.ports.items()},
        binds={source: {"bind": target, "mode": "ro" if ro else "rw"} for source, (target, ro) in spec.binds.items()},
        restart_policy={"Name": spec.restart},
    )
    created = api.create_container(
        image=spec.image,
        name=spec.name,
        labels=spec.labels,
        ports=[(port, "tcp") for port in spec.ports],
        host_config=host_config,
        command=spec.command,
    )
    container_id = str(created["Id"])
    api.start(container_id)
    return container_id


def remove(client: Any, container: str) -> None:
    """Stop and remove a container (and its anonymous volumes)."""
    client.api.remove_container(container, force=True, v=True)


def connect(client: Any, container: str, network: str, aliases: list[str]) -> None:
    """Attach a container to a network, reachable there under ``aliases``."""
    client.api.connect_container_to_network(container, network, aliases=aliases or None)


def disconnect(client: Any, container: str, network: str) -> None:
    """Detach a container from a network (nothing when it is not attached)."""
    try:
        client.api.disconnect_container_from_network(container, network, force=True)
    except Exception as exc:
        if "is not connected" in str(exc) or "not found" in str(exc).lower() or "404" in str(exc):
            return
        raise
