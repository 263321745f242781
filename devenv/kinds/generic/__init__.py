"""Any image, when no kind fits: what it is, the spec says (image, port, health check, data, env, url).

A dependency with ``image`` and no ``kind`` (or ``kind: generic``) is of this kind. Unlike
the other kinds, its catalog is not a set of constants: :meth:`Generic.bind` reads the
image, port, health command, data directory, environment and connection URL template of
one dependency and returns a kind for it alone, so Compose, ``up``, ``status`` and the
Kubernetes export treat it like any other dependency. It loads no fixtures and takes no
snapshots (devenv does not know what the data is). Services that depend on it get
``<NAME>_URL`` only when the spec gives a ``url`` template (``{host}`` and ``{port}`` are
filled in); there is no conventional variable. Without ``health_command`` it counts as
ready once started (Compose: ``service_started``; Kubernetes: a TCP probe on the port).
"""

from __future__ import annotations

from collections.abc import Mapping

from devenv.kinds.base import DEV_PASSWORD, DEV_USER, ClusterDefaults, DependencyKind, DependencySettings


class Generic(DependencyKind):
    """Any image: the catalog entry of one dependency, read from its settings."""

    name = "generic"
    rank = 1000  # last in lists: the kind of no kind
    summary = "Any image (image, port, health_command, data, env, url); no fixtures, no snapshots"
    repository = ""  # there is no official image: 'image' is required
    default_version = "latest"
    port = 0  # the spec's 'port'
    data_path = ""  # the spec's 'data'
    url_env = ""  # no conventional variable: only <NAME>_URL, and only with a 'url' template
    cluster = ClusterDefaults(
        component="backing-service",
        cpu="100m",
        memory="256Mi",
        seeded=False,
        not_seeded_because="(devenv does not know how to load data into an arbitrary image)",
    )
    settings = frozenset({"port", "health_command", "data", "env", "url"})
    required_settings = frozenset({"port"})
    chosen_by_image = True
    unhealthy_hint = "check its health_command by hand: `docker compose exec <name> <command>`"

    def __init__(
        self,
        image: str = "",
        port: int = 0,
        health: str | list[str] | None = None,
        data: str | None = None,
        env: Mapping[str, str] | None = None,
        url: str | None = None,
    ) -> None:
        self._image = image
        self._port = port
        self._health = health
        self._data = data or ""
        self._env = dict(env or {})
        self._url = url

    def bind(self, dependency: DependencySettings) -> DependencyKind:
        """A kind for this dependency alone: its image, port, health check, data path, env and URL template."""
        return _bound(
            dependency.image or "",
            dependency.port or 0,
            dependency.health_command,
            dependency.data,
            dependency.env,
            dependency.url,
        )

    def image(self, version: str | None) -> str:
        """The spec's image (``version`` does not apply: the tag is part of 'image')."""
        return self._image

    def container_env(self, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> dict[str, str]:
        """The spec's ``env``, as given."""
        return dict(self._env)

    def health_command(self, project: str, user: str = DEV_USER) -> list[str]:
        """The spec's ``health_command`` as argv (a text runs with ``sh -c``); [] when there is none."""
        if self._health is None:
            return []
        if isinstance(self._health, str):
            return ["sh", "-c", self._health]
        return list(self._health)

    def url(self, host: str, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> str:
        """The spec's ``url`` template with ``{host}`` and ``{port}`` filled in; "" without one."""
        if not self._url:
            return ""
        return self._url.replace("{host}", host).replace("{port}", str(self._port))

    def host_url(self, host_port: int, project: str) -> str:
        """``localhost:<host_port>``: devenv does not know the protocol."""
        return f"localhost:{host_port}"


def _bound(
    image: str,
    port: int,
    health: str | list[str] | None,
    data: str | None,
    env: Mapping[str, str],
    url: str | None,
) -> DependencyKind:
    """An instance whose class carries the dependency's port and data path (the protocol reads them as class values)."""
    cls = type("GenericImage", (Generic,), {"port": port, "data_path": data or "", "__module__": __name__})
    kind: DependencyKind = cls(image, port, health, data, env, url)
    return kind


KIND = Generic()
