"""Redis: the official ``redis`` image, fixtures from ``*.redis`` command files and ``*.json`` documents.

The seeding script (``seed.sh`` and ``json.lua``, in this directory) runs with the
image's own redis-cli. Applied files are recorded in the hash ``devenv:fixtures``.
"""

from __future__ import annotations

from devenv.kinds.base import DEV_PASSWORD, DEV_USER, ClusterDefaults, DependencyKind, FixtureFormat

RECORD_KEY = "devenv:fixtures"


class Redis(DependencyKind):
    """Redis."""

    name = "redis"
    rank = 20
    summary = "Redis (REDIS_URL); fixtures: *.redis and *.json"
    repository = "redis"
    default_version = "7"
    port = 6379
    data_path = "/data"
    url_env = "REDIS_URL"
    fixtures = FixtureFormat(suffixes=(".redis", ".json"), description="*.redis and *.json")
    reset_description = "FLUSHDB"
    cluster = ClusterDefaults(component="cache", cpu="100m", memory="128Mi")

    def health_command(self, project: str, user: str = DEV_USER) -> list[str]:
        """redis-cli PING answered with PONG."""
        return ["sh", "-c", "redis-cli -h 127.0.0.1 ping | grep -q PONG"]

    def url(self, host: str, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> str:
        """``redis://host:6379/0``."""
        return f"redis://{host}:{self.port}/0"

    def seed_environment(self, project: str, dependency: str, host: str) -> dict[str, str]:
        """Where redis-cli connects."""
        return {"DEVENV_REDIS_HOST": host, "DEVENV_REDIS_PORT": str(self.port)}

    def records_command(self, project: str, dependency: str) -> tuple[list[str], dict[str, str]]:
        """HGETALL of the records hash."""
        return ["redis-cli", "--raw", "HGETALL", RECORD_KEY], {}

    def parse_records(self, output: str) -> dict[str, str]:
        """HGETALL --raw: field and value on alternate lines."""
        lines = [line.rstrip("\r") for line in output.splitlines()]
        return {lines[i]: lines[i + 1] for i in range(0, len(lines) - 1, 2)}


KIND = Redis()
