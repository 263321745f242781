"""MongoDB: the official ``mongo`` image; no fixtures, no snapshots (yet).

The image creates a root user in the ``admin`` database from ``MONGO_INITDB_ROOT_USERNAME``
and ``MONGO_INITDB_ROOT_PASSWORD`` and turns authentication on; ``MONGO_INITDB_DATABASE``
is the database its init scripts use. The URL names the project's database and
``authSource=admin``, where the user lives. The health check is the image's own shell,
``mongosh``, asking the server for ``ping``.

No stand-in image can be built from Debian's packages (Debian ships no MongoDB server), so
this kind is tested by rendering and validation only (docs/testing.md).
"""

from __future__ import annotations

from devenv.kinds.base import DEV_PASSWORD, DEV_USER, ClusterDefaults, DependencyKind


class MongoDB(DependencyKind):
    """MongoDB."""

    name = "mongodb"
    rank = 50
    summary = "MongoDB (MONGODB_URI); no fixtures"
    repository = "mongo"
    default_version = "8"
    port = 27017
    data_path = "/data/db"
    url_env = "MONGODB_URI"  # the name MongoDB's own documentation and drivers' examples use
    settings = frozenset({"user", "password", "database"})  # credentials the spec may name (docs/spec.md#credentials)
    cluster = ClusterDefaults(
        component="database",
        cpu="250m",
        memory="512Mi",
        writable_paths=("/data/configdb",),  # the image's second volume (config servers' data)
    )
    unhealthy_hint = (
        "a data volume written by a newer MongoDB (or one more than a major version older) does not "
        "start: `devenv down --volumes` starts over"
    )

    def container_env(self, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> dict[str, str]:
        """The root user (in ``admin``) and the database the init scripts use."""
        return {
            "MONGO_INITDB_DATABASE": self.database(project),
            "MONGO_INITDB_ROOT_PASSWORD": password,
            "MONGO_INITDB_ROOT_USERNAME": user,
        }

    def cluster_env(self) -> dict[str, str]:
        """mongosh (the probes) keeps its history and logs under HOME: /tmp is writable."""
        return {"HOME": "/tmp"}

    def health_command(self, project: str, user: str = DEV_USER) -> list[str]:
        """``ping`` through mongosh (answered without logging in)."""
        return ["mongosh", "--quiet", "--host", "127.0.0.1", "--eval", "quit(db.adminCommand('ping').ok ? 0 : 1)"]

    def url(self, host: str, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> str:
        """``mongodb://user:password@host:27017/project?authSource=admin``."""
        return f"mongodb://{user}:{password}@{host}:{self.port}/{self.database(project)}?authSource=admin"


KIND = MongoDB()
