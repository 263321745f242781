"""Memcached: the official ``memcached`` image; a cache in memory, so no fixtures and no data volume.

The server keeps nothing on disk: a dependency gets no volume (Compose) and no
PersistentVolumeClaim (Kubernetes), and starts empty after every restart, ``devenv down``
included. It has no fixtures and no snapshots. The image ships no memcached client, so the
health check speaks the text protocol (``version``) through bash's ``/dev/tcp``: the
default (Debian) image has bash, its ``-alpine`` variants have not.
"""

from __future__ import annotations

from devenv.kinds.base import DEV_PASSWORD, DEV_USER, ClusterDefaults, DependencyKind

# The server answers `version` with `VERSION 1.6.x`; bash opens the connection itself. No `$`
# in it: Compose would read one as a variable of its own.
HEALTH = (
    "exec 3<>/dev/tcp/127.0.0.1/{port} && printf 'version\\r\\n' >&3 "
    "&& timeout 4 head -c 8 <&3 | grep -q '^VERSION '"
)


class Memcached(DependencyKind):
    """Memcached."""

    name = "memcached"
    rank = 60
    summary = "Memcached (MEMCACHED_URL); in memory: no fixtures, no data volume"
    repository = "memcached"
    default_version = "1"
    port = 11211
    data_path = ""  # nothing on disk
    url_env = "MEMCACHED_URL"
    cluster = ClusterDefaults(component="cache", cpu="100m", memory="128Mi")

    def health_command(self, project: str, user: str = DEV_USER) -> list[str]:
        """``version`` over TCP answered with ``VERSION ...`` (bash: the image has no client)."""
        return ["bash", "-c", HEALTH.format(port=self.port)]

    def url(self, host: str, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> str:
        """``memcached://host:11211`` (most clients want ``host:11211``: strip the scheme)."""
        return f"memcached://{host}:{self.port}"


KIND = Memcached()
