"""The Docker Engine facade: reachability, observed containers, images, logs, exec, start.

Other packages reach Docker only through :class:`Engine`. On the local engine (a unix
socket) it talks to the API with :mod:`devenv.runtime.dockerapi`, which costs next to
nothing to import; elsewhere (tcp with TLS, ssh) with the Docker SDK.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devenv.errors import EngineError

if TYPE_CHECKING:
    from devenv.runtime.standalone import StandaloneSpec

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
ONEOFF_LABEL = "com.docker.compose.oneoff"

_EXITED = re.compile(r"Exited \((-?\d+)\)")

ENGINE_HINT = (
    "start the engine (`sudo systemctl start docker`, or `sudo dockerd &`), "
    "check DOCKER_HOST, or run `devenv doctor`"
)


@dataclass(frozen=True)
class ContainerState:
    """What the engine says about one container of a Compose project."""

    service: str
    name: str
    id: str
    state: str  # created, running, restarting, exited, paused, dead
    health: str | None  # healthy, unhealthy, starting, or None without a health check
    exit_code: int | None
    labels: dict[str, str]
    ports: tuple[int, ...] = ()  # host ports it publishes


def health_from_status(status: str) -> str | None:
    """Health from the engine's status text ("Up 3 seconds (health: starting)")."""
    if "(healthy)" in status:
        return "healthy"
    if "(unhealthy)" in status:
        return "unhealthy"
    if "health: starting" in status:
        return "starting"
    return None


def exit_code_from_status(status: str) -> int | None:
    """Exit code from the engine's status text ("Exited (137) 2 seconds ago")."""
    match = _EXITED.search(status)
    return int(match.group(1)) if match else None


class Engine:
    """A connection to a Docker Engine."""

    def __init__(self, client: Any) -> None:
        self.client = client  # the Docker SDK client; other packages use the methods below, not this

    @classmethod
    def connect(cls, timeout: int = 30) -> Engine:
        """Connect and ping, or raise :class:`EngineError` saying what to do."""
        from devenv.runtime.dockerapi import APIError, UnixClient, socket_path

        path = socket_path()
        if path is not None:
            fast = UnixClient(path, timeout)
            try:
                fast.ping()
            except (OSError, APIError) as exc:
                raise EngineError(f"cannot reach the Docker Engine: {exc}", hint=ENGINE_HINT) from None
            return cls(fast)
        import docker
        from docker.errors import DockerException

        try:
            client = docker.from_env(version="auto", timeout=timeout)
            client.ping()
        except DockerException as exc:
            reason = str(exc).split("(Caused by")[0].strip()
            raise EngineError(f"cannot reach the Docker Engine: {reason}", hint=ENGINE_HINT) from None
        except Exception as exc:  # noqa: BLE001 - requests/urllib3 errors surface in many shapes
            raise EngineError(f"cannot reach the Docker Engine: {exc}", hint=ENGINE_HINT) from None
        return cls(client)

    def containers(self, project: str) -> list[ContainerState]:
        """The project's service containers (one-off `run` containers excluded), one API call."""
        raw = self.client.api.containers(all=True, filters={"label": f"{PROJECT_LABEL}={project}"})
        out = []
        for item in raw:
            labels = item.get("Labels") or {}
            if labels.get(ONEOFF_LABEL) == "True":
                continue
            status = item.get("Status") or ""
            names = item.get("Names") or ["/?"]
            out.append(
                ContainerState(
                    service=labels.get(SERVICE_LABEL, "?"),
                    name=names[0].lstrip("/"),
                    id=item.get("Id", ""),
                    state=item.get("State") or "unknown",
                    health=health_from_status(status),
                    exit_code=exit_code_from_status(status),
                    labels=labels,
                    ports=tuple(sorted({p["PublicPort"] for p in item.get("Ports") or [] if p.get("PublicPort")})),
                )
            )
        out.sort(key=lambda c: (c.service, c.name))
        return out

    def raw_containers(self) -> list[dict[str, Any]]:
        """Every running container on the engine, as the API lists them (ports, names)."""
        return list(self.client.api.containers())

    def images_present(self, refs: list[str]) -> set[str]:
        """Which of ``refs`` exist locally."""
        present = set()
        for ref in refs:
            try:
                self.client.api.inspect_image(ref)
                present.add(ref)
            except Exception as exc:
                if getattr(exc, "status", None) != 404 and getattr(exc, "status_code", None) != 404:
                    raise
        return present

    def logs(self, container_id: str, tail: int = 30) -> str:
        """The last ``tail`` lines a container wrote."""
        try:
            data = self.client.api.logs(container_id, stdout=True, stderr=True, tail=tail)
        except Exception as exc:  # noqa: BLE001 - the container may be gone already
            return f"(no logs: {exc})"
        return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else str(data)

    def server_version(self) -> str:
        """The engine's version string."""
        return str(self.client.version().get("Version", "?"))

    def docker_root(self) -> Path | None:
        """Where the engine keeps images and volumes (``DockerRootDir``), or None when it does not say."""
        try:
            root = self.client.info().get("DockerRootDir")
        except Exception:  # noqa: BLE001 - a remote engine may not say
            return None
        return Path(root) if isinstance(root, str) and root else None

    def finished_at(self, container_id: str) -> str | None:
        """When a container last stopped (the engine's ``State.FinishedAt``), or None when it is gone."""
        try:
            finished = self.client.api.inspect_container(container_id)["State"]["FinishedAt"]
        except Exception:  # noqa: BLE001 - gone since listed
            return None
        return str(finished) if finished else None

    def network_mode(self, container_id: str) -> str | None:
        """A container's network mode (``bridge``, ``container:<id>``...), or None when it is gone."""
        try:
            mode = self.client.api.inspect_container(container_id)["HostConfig"]["NetworkMode"]
        except Exception:  # noqa: BLE001 - gone since listed
            return None
        return str(mode) if mode is not None else None

    def start(self, container_id: str) -> None:
        """Start a created or stopped container; raise :class:`EngineError` with the engine's reason."""
        try:
            self.client.api.start(container_id)
        except Exception as exc:  # noqa: BLE001 - docker.errors.APIError and transport errors alike
            reason = getattr(exc, "explanation", None) or str(exc)
            raise EngineError(f"the engine could not start the container: {reason}") from None

    def health_test(self, container_id: str) -> list[str] | None:
        """The container's health check command as the engine runs it (``["CMD", ...]``), or None."""
        try:
            check = self.client.api.inspect_container(container_id)["Config"].get("Healthcheck") or {}
        except Exception:  # noqa: BLE001 - gone since listed
            return None
        test = check.get("Test")
        return [str(word) for word in test] if isinstance(test, list) else None

    def exec(self, container_id: str, argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
        """Run ``argv`` in a running container: (exit code, its standard output).

        (1, "") when the container stops between listing and exec, or the exec fails to start.
        """
        api = self.client.api
        try:
            handle = api.exec_create(container_id, argv, environment=env or None, stdout=True, stderr=False)
            data = api.exec_start(handle["Id"])
            code = api.exec_inspect(handle["Id"]).get("ExitCode")
        except Exception:  # noqa: BLE001 - the container may stop between listing and exec
            return 1, ""
        text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else str(data)
        return (code if isinstance(code, int) else 1), text

    # --- exec with standard input, restart (snapshots: devenv/snapshots/runtime.py) --------------

    def exec_input(
        self,
        container_id: str,
        argv: list[str],
        stdin: str = "",
        env: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> tuple[int, str, str]:
        """Run ``argv`` in a running container with ``stdin`` on its standard input: (exit code, stdout, stderr).

        Exit code -1 when the exec could not run (stderr says why) or the container stopped meanwhile.
        """
        from devenv.runtime import execio

        try:
            out = execio.run(self.client, container_id, argv, stdin.encode("utf-8"), env, timeout)
        except Exception as exc:  # noqa: BLE001 - socket, HTTP and SDK errors alike
            return -1, "", f"the exec did not run: {getattr(exc, 'explanation', None) or exc}"
        return out.code, out.stdout.decode("utf-8", "replace"), out.stderr.decode("utf-8", "replace")

    def restart(self, container_id: str, stop_timeout: int = 10) -> None:
        """Stop a container (if it runs) and start it; raise :class:`EngineError` with the engine's reason."""
        from devenv.runtime import execio

        try:
            execio.restart(self.client, container_id, stop_timeout)
        except Exception as exc:  # noqa: BLE001 - docker.errors.APIError and transport errors alike
            reason = getattr(exc, "explanation", None) or str(exc)
            raise EngineError(f"the engine could not restart the container: {reason}") from None

    # --- containers outside Compose projects (the router: devenv/router/runtime.py) -------------

    def inspect(self, name: str) -> dict[str, Any] | None:
        """The engine's inspection of the container ``name`` (or id), or None when there is none."""
        from devenv.runtime import standalone

        try:
            return standalone.inspect(self.client, name)
        except Exception as exc:  # noqa: BLE001 - transport and SDK errors alike
            raise EngineError(f"cannot inspect container {name}: {exc}") from None

    def run_standalone(self, spec: StandaloneSpec) -> str:
        """Create and start a container devenv runs itself; its id. :class:`EngineError` with the engine's reason."""
        from devenv.runtime import standalone

        try:
            return standalone.run(self.client, spec)
        except Exception as exc:  # noqa: BLE001 - docker.errors.APIError and transport errors alike
            reason = getattr(exc, "explanation", None) or str(exc)
            raise EngineError(f"the engine could not run {spec.name}: {reason}") from None

    def remove(self, container: str) -> None:
        """Remove a container (stopping it first), with its anonymous volumes."""
        from devenv.runtime import standalone

        try:
            standalone.remove(self.client, container)
        except Exception as exc:  # noqa: BLE001 - already gone
            if "404" not in str(exc) and "No such container" not in str(exc):
                raise EngineError(f"the engine could not remove {container}: {exc}") from None

    def connect_network(self, container: str, network: str, aliases: list[str]) -> None:
        """Attach ``container`` to ``network`` under ``aliases``."""
        from devenv.runtime import standalone

        try:
            standalone.connect(self.client, container, network, aliases)
        except Exception as exc:  # noqa: BLE001 - docker.errors.APIError and transport errors alike
            reason = getattr(exc, "explanation", None) or str(exc)
            raise EngineError(f"the engine could not connect {container} to {network}: {reason}") from None

    def disconnect_network(self, container: str, network: str) -> None:
        """Detach ``container`` from ``network`` (nothing when it is not attached)."""
        from devenv.runtime import standalone

        try:
            standalone.disconnect(self.client, container, network)
        except Exception as exc:  # noqa: BLE001 - docker.errors.APIError and transport errors alike
            raise EngineError(f"the engine could not disconnect {container} from {network}: {exc}") from None
