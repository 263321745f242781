"""Hot reload wiring: code mounts, rebuild triggers, polling, host user. Pure.

A service's code is bind-mounted (not synced) on the directory its dev stage runs
from, so edits made while the environment was stopped, or by a branch switch, are
simply there at the next start. Dependencies installed in the image live outside that
directory (templates keep site-packages and node_modules elsewhere), so the mount
does not hide them. The container runs as the host user, so files it writes into
the mount are not root-owned on the host.
"""

from __future__ import annotations

from typing import Any

from devenv.spec.model import Service

# What a template's dev stage expects: where its code lives, which files rebuild it.
TEMPLATE_DEFAULTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "backend": ("/app", ("requirements.txt", "requirements-dev.txt", "pyproject.toml")),
    "worker": ("/app", ("requirements.txt", "requirements-dev.txt", "pyproject.toml")),
    "frontend": ("/app", ("package.json", "package-lock.json")),
}
POLLING_ENV = {"CHOKIDAR_USEPOLLING": "true", "DEVENV_POLLING": "1", "WATCHFILES_FORCE_POLLING": "true"}
HOST_USER = "${DEVENV_UID:-1000}:${DEVENV_GID:-1000}"


def mount_target(service: Service) -> str | None:
    """Container directory the code is mounted on, or None (no mount)."""
    if service.develop.mount:
        return service.develop.mount
    if service.template and service.builds:
        return TEMPLATE_DEFAULTS[service.template][0]
    return None


def rebuild_files(service: Service) -> tuple[str, ...]:
    """Files (relative to the service directory) whose change rebuilds the image."""
    if service.develop.rebuild is not None:
        return tuple(service.develop.rebuild)
    if service.template:
        return TEMPLATE_DEFAULTS[service.template][1]
    return ()


def develop_entries(name: str, service: Service, polling: bool) -> dict[str, Any]:
    """Compose keys for hot reload: volumes, user, develop.watch and polling variables."""
    target = mount_target(service)
    if target is None:
        return {}
    source = service.build_path(name)
    out: dict[str, Any] = {
        "volumes": [{"type": "bind", "source": f"./{source}", "target": target}],
        "user": HOST_USER,
    }
    rules = [{"action": "rebuild", "path": f"./{source}/{path}"} for path in rebuild_files(service)]
    if rules:
        out["develop"] = {"watch": rules}
    if polling:
        out["environment"] = dict(POLLING_ENV)
    return out
