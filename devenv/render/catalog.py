"""What devenv knows about each dependency kind: image, port, data, health, connection URL.

Compose and Kubernetes rendering both read this table, so a dependency behaves the
same on a laptop and in a cluster. Local credentials are fixed development values
(``devenv``/``devenv``): they never leave the developer's machine; cluster export uses
Secrets instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from devenv.spec.model import Dependency

DEV_USER = "devenv"
DEV_PASSWORD = "devenv"


@dataclass(frozen=True)
class Kind:
    """One dependency kind."""

    kind: str
    repository: str  # official image name on Docker Hub
    default_version: str
    port: int
    data_path: str
    url_env: str  # the conventional variable name, e.g. DATABASE_URL
    scheme: str
    health_interval: str

    def image(self, dependency: Dependency) -> str:
        """Official image reference, pinned to the major version."""
        return f"{self.repository}:{dependency.version or self.default_version}"

    def database(self, project: str) -> str:
        """Database name used for a project (postgres)."""
        return project.replace("-", "_")

    def container_env(self, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> dict[str, str]:
        """Environment the official image reads to set itself up."""
        if self.kind == "postgres":
            return {"POSTGRES_DB": self.database(project), "POSTGRES_PASSWORD": password, "POSTGRES_USER": user}
        if self.kind == "rabbitmq":
            return {"RABBITMQ_DEFAULT_PASS": password, "RABBITMQ_DEFAULT_USER": user}
        return {}

    def health_command(self, project: str, user: str = DEV_USER) -> list[str]:
        """Argv of a command that succeeds only when the dependency serves requests."""
        if self.kind == "postgres":
            return ["pg_isready", "-h", "127.0.0.1", "-U", user, "-d", self.database(project)]
        if self.kind == "redis":
            return ["sh", "-c", "redis-cli -h 127.0.0.1 ping | grep -q PONG"]
        # `ping` answers before the broker accepts connections; this waits for the AMQP listener
        return ["rabbitmq-diagnostics", "-q", "check_port_connectivity"]

    def url(self, host: str, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> str:
        """Connection URL for clients on the same network."""
        if self.kind == "postgres":
            return f"postgresql://{user}:{password}@{host}:{self.port}/{self.database(project)}"
        if self.kind == "redis":
            return f"redis://{host}:{self.port}/0"
        return f"amqp://{user}:{password}@{host}:{self.port}/%2F"


KINDS: dict[str, Kind] = {
    "postgres": Kind(
        kind="postgres",
        repository="postgres",
        default_version="16",
        port=5432,
        data_path="/var/lib/postgresql/data",
        url_env="DATABASE_URL",
        scheme="postgresql",
        health_interval="1s",
    ),
    "redis": Kind(
        kind="redis",
        repository="redis",
        default_version="7",
        port=6379,
        data_path="/data",
        url_env="REDIS_URL",
        scheme="redis",
        health_interval="1s",
    ),
    "rabbitmq": Kind(
        kind="rabbitmq",
        repository="rabbitmq",
        default_version="3",
        port=5672,
        data_path="/var/lib/rabbitmq",
        url_env="AMQP_URL",
        scheme="amqp",
        health_interval="3s",
    ),
}


def kind_of(dependency: Dependency) -> Kind:
    """The catalog entry for a dependency."""
    return KINDS[dependency.kind]


def env_name(name: str) -> str:
    """``user-db`` -> ``USER_DB``: a dependency name as an environment variable stem."""
    return name.upper().replace("-", "_")


def connection_env(
    depends_on: list[str],
    dependencies: dict[str, Dependency],
    project: str,
    url_for=None,
) -> dict[str, str]:
    """Connection variables a service gets for the dependencies it depends on.

    Each dependency gives ``<NAME>_URL``; when a service depends on exactly one
    dependency of a kind, it also gets that kind's conventional name (``DATABASE_URL``,
    ``REDIS_URL``, ``AMQP_URL``). ``url_for(name, kind)`` may supply the URL (cluster
    export passes Secret references); by default it is the local development URL.
    """
    chosen = [(name, dependencies[name]) for name in depends_on if name in dependencies]
    per_kind: dict[str, list[str]] = {}
    for name, dependency in chosen:
        per_kind.setdefault(dependency.kind, []).append(name)
    env: dict[str, object] = {}
    for name, dependency in chosen:
        kind = kind_of(dependency)
        value = url_for(name, kind) if url_for else kind.url(name, project)
        env[f"{env_name(name)}_URL"] = value
        if len(per_kind[dependency.kind]) == 1:
            env.setdefault(kind.url_env, value)
    return dict(sorted(env.items()))
