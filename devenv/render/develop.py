"""Hot reload wiring: code mounts, reloaders, rebuild triggers, polling, host user. Pure.

A service's code is bind-mounted (not synced) on the directory its dev stage runs
from, so edits made while the environment was stopped, or by a branch switch, are
simply there at the next start. Dependencies installed in the image live outside that
directory (site-packages, /opt/node_modules), so the mount does not hide them; where a
copy on the host would shadow them (a host ``node_modules`` that Node finds before
``/opt/node_modules``) an empty tmpfs hides it. The container runs as the host user,
with a writable ``HOME``, so files it writes into the mount are not root-owned.

Python services of the backend and worker templates run under devenv's reloader
(the package ``devenv/reload/``), generated into ``.devenv/programs/reload/`` and
mounted read-only at ``/devenv/reload``, plus a ``command:``, so plain
``docker compose up`` uses it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devenv import probes
from devenv.reload import reloader_files
from devenv.render.programs import CONTAINER_DIR, ProgramDir
from devenv.spec.model import Service

RELOADER_PATH = f"{CONTAINER_DIR}/reload"
RELOADER_LABEL = "dev.devenv.reloader"
POLLING_ENV = {"CHOKIDAR_USEPOLLING": "true", "DEVENV_POLLING": "1", "WATCHFILES_FORCE_POLLING": "true"}
HOST_USER = "${DEVENV_UID:-1000}:${DEVENV_GID:-1000}"
# An arbitrary host uid has no home in the image: caches (pip, npm, pytest...) go to /tmp.
HOST_USER_ENV = {"HOME": "/tmp"}
PYTHON_REBUILD = ("requirements.txt", "requirements-dev.txt", "pyproject.toml")


def _backend_command(service: Service, code_dir: str) -> list[str]:
    port = str(service.port or 8000)
    return ["python", RELOADER_PATH, "serve", "app.main:app", "--port", port, *_watch_args(service, code_dir),
            "--log-config", "logging.json", "--no-access-log"]  # fmt: skip


def _worker_command(service: Service, code_dir: str) -> list[str]:
    return ["python", RELOADER_PATH, "run", *_watch_args(service, code_dir), "-m", "worker"]


def _watch_args(service: Service, code_dir: str) -> list[str]:
    """The reloader watches its working directory; a custom mount elsewhere is named."""
    target = service.develop.mount
    return ["--watch", target, "--app-dir", target] if target and target != code_dir else []


@dataclass(frozen=True)
class TemplateDev:
    """What a template's dev stage expects."""

    code_dir: str  # where its code lives (the dev stage's WORKDIR)
    rebuild: tuple[str, ...]  # files (relative to the service directory) whose change rebuilds the image
    hidden: tuple[str, ...] = ()  # paths under the mount hidden by an empty tmpfs (the image's copy must win)
    reload_command: Callable[[Service, str], list[str]] | None = None  # its command under devenv's reloader
    probe: str = probes.SHELL  # the HTTP health probe its image can run (devenv/probes/)


TEMPLATES: dict[str, TemplateDev] = {
    "backend": TemplateDev("/app", PYTHON_REBUILD, reload_command=_backend_command, probe=probes.PYTHON),
    "worker": TemplateDev("/app", PYTHON_REBUILD, reload_command=_worker_command, probe=probes.PYTHON),
    "frontend": TemplateDev(
        "/app", ("package.json", "package-lock.json"), hidden=("node_modules",), probe=probes.NODE
    ),
}


def health_probe(service: Service) -> str:
    """The probe file (devenv/probes/) that fits the service's image: known for templates, else the shell one."""
    if service.template and service.builds:
        return TEMPLATES[service.template].probe
    return probes.SHELL


def mount_target(service: Service) -> str | None:
    """Container directory the code is mounted on, or None (no mount)."""
    if service.develop.mount:
        return service.develop.mount
    if service.template and service.builds:
        return TEMPLATES[service.template].code_dir
    return None


def rebuild_files(service: Service) -> tuple[str, ...]:
    """Files (relative to the service directory) whose change rebuilds the image."""
    if service.develop.rebuild is not None:
        return tuple(service.develop.rebuild)
    if service.template:
        return TEMPLATES[service.template].rebuild
    return ()


def uses_reloader(service: Service) -> bool:
    """Whether the reloader (/devenv/reload) is mounted into the service."""
    if service.develop.reloader is not None:
        return service.develop.reloader and mount_target(service) is not None
    return reload_command(service) is not None


def reload_command(service: Service) -> list[str] | None:
    """The command devenv writes to run a template service under its reloader, or None."""
    if service.command or service.develop.reloader is False or not service.template:
        return None
    template = TEMPLATES[service.template]
    target = mount_target(service)
    if template.reload_command is None or target is None:
        return None
    return template.reload_command(service, template.code_dir)


def develop_entries(name: str, service: Service, polling: bool) -> dict[str, Any]:
    """Compose keys for hot reload: volumes, user, command, configs, develop.watch, environment."""
    target = mount_target(service)
    if target is None:
        return {}
    source = service.build_path(name)
    volumes: list[dict[str, Any] | str] = [{"type": "bind", "source": f"./{source}", "target": target}]
    if service.template and not service.develop.mount:
        hidden = TEMPLATES[service.template].hidden
        volumes.extend({"type": "tmpfs", "target": f"{target}/{folder}"} for folder in hidden)
    out: dict[str, Any] = {"volumes": volumes, "user": HOST_USER}
    command = reload_command(service)
    if command:
        out["command"] = command
    if uses_reloader(service):
        program = reloader_program()
        volumes.append(program.mount(RELOADER_PATH))
        # Compose does not recreate a container when files in a bind mount change: the label does.
        out["labels"] = {RELOADER_LABEL: program.digest()}
    rules = [{"action": "rebuild", "path": f"./{source}/{path}"} for path in rebuild_files(service)]
    if rules:
        out["develop"] = {"watch": rules}
    out["environment"] = {**HOST_USER_ENV, **(POLLING_ENV if polling else {})}
    return out


def reloader_program() -> ProgramDir:
    """The reloader, as the directory it is generated into."""
    return ProgramDir("reload", reloader_files())


def develop_programs(services: dict[str, Service]) -> list[ProgramDir]:
    """The program directories the services' hot reload needs (the reloader, when any service uses it)."""
    return [reloader_program()] if any(uses_reloader(service) for service in services.values()) else []
