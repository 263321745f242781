"""Redis: the official ``redis`` image, fixtures from ``*.redis`` command files and ``*.json`` documents.

The seeding script (``seed.sh`` and ``json.lua``, in this directory) runs with the
image's own redis-cli. Applied files are recorded in the hash ``devenv:fixtures``.
Snapshots are RDB files in the data volume (``snapshot/snapshot.sh``); a restore puts one
in place of ``dump.rdb`` and restarts the server.
"""

from __future__ import annotations

import time
from typing import ClassVar

from devenv.kinds.base import DEV_PASSWORD, DEV_USER, ClusterDefaults, DependencyKind, FixtureFormat
from devenv.kinds.snapshots import (
    SH_STDIN,
    ExecResult,
    SnapshotContext,
    SnapshotInfo,
    checked,
    iso_utc,
    parse_table,
    program,
    reported_size,
)

RECORD_KEY = "devenv:fixtures"
SNAPSHOT_DIR = "devenv-snapshots"  # in the data volume


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
    # The image's client. The programs (seed.sh, snapshot/snapshot.sh) run the one that
    # DEVENV_REDIS_CLI names (default redis-cli), so a Redis-compatible kind (Valkey) runs them too.
    cli: ClassVar[str] = "redis-cli"

    def _cli_env(self) -> dict[str, str]:
        """DEVENV_REDIS_CLI for the programs, when the image's client is not their default."""
        return {} if self.cli == Redis.cli else {"DEVENV_REDIS_CLI": self.cli}

    def health_command(self, project: str, user: str = DEV_USER) -> list[str]:
        """The client's PING answered with PONG."""
        return ["sh", "-c", f"{self.cli} -h 127.0.0.1 ping | grep -q PONG"]

    def url(self, host: str, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> str:
        """``redis://host:6379/0``."""
        return f"redis://{host}:{self.port}/0"

    def seed_environment(self, project: str, dependency: str, host: str) -> dict[str, str]:
        """Where the client connects (and which client it is)."""
        return {"DEVENV_REDIS_HOST": host, "DEVENV_REDIS_PORT": str(self.port), **self._cli_env()}

    def records_command(self, project: str, dependency: str) -> tuple[list[str], dict[str, str]]:
        """HGETALL of the records hash."""
        return [self.cli, "--raw", "HGETALL", RECORD_KEY], {}

    def parse_records(self, output: str) -> dict[str, str]:
        """HGETALL --raw: field and value on alternate lines."""
        lines = [line.rstrip("\r") for line in output.splitlines()]
        return {lines[i]: lines[i + 1] for i in range(0, len(lines) - 1, 2)}

    # --- snapshots: RDB files (snapshot/snapshot.sh) -----------------------------------------

    snapshot_description = (
        "every key, as an RDB file (SAVE) in the data volume; a restore puts it in place of dump.rdb "
        "and restarts the server, so clients reconnect"
    )

    def _script(self, ctx: SnapshotContext, *args: str) -> ExecResult:
        env = {
            "DEVENV_SNAPSHOTS": f"{self.data_path}/{SNAPSHOT_DIR}",
            "DEVENV_REDIS_PORT": str(self.port),
            **self._cli_env(),
        }
        return ctx.run([*SH_STDIN, "devenv-snapshot", *args], stdin=program(self.program_home, "snapshot.sh"), env=env)

    def snapshot_save(self, ctx: SnapshotContext, name: str, *, replace: bool = False) -> SnapshotInfo:
        """SAVE, then a hard link to the RDB file (Redis replaces dump.rdb by rename, never in place)."""
        result = self._script(ctx, "save", name, "replace" if replace else "keep")
        size = reported_size(checked(result, f"saving snapshot {name}"), "saved")
        return SnapshotInfo(name=name, size_bytes=size, created_at=iso_utc(time.time()))

    def snapshot_restore(self, ctx: SnapshotContext, name: str) -> None:
        """Check the file, stop automatic saves, swap dump.rdb, SHUTDOWN NOSAVE, start the container again."""
        checked(self._script(ctx, "restore", name), f"restoring snapshot {name}")
        # the container stops with its server; its exit is the exec's end, whatever the exec says
        ctx.run([self.cli, "-h", "127.0.0.1", "-p", str(self.port), "SHUTDOWN", "NOSAVE"])
        ctx.restart()

    def snapshot_list(self, ctx: SnapshotContext) -> list[SnapshotInfo]:
        """The RDB files in the snapshot directory: size and time of the file."""
        return parse_table(checked(self._script(ctx, "list"), "listing snapshots").stdout)

    def snapshot_remove(self, ctx: SnapshotContext, name: str) -> None:
        """Delete the RDB file."""
        checked(self._script(ctx, "remove", name), f"removing snapshot {name}")


KIND = Redis()
