"""RabbitMQ: the official ``rabbitmq`` image, fixtures from a ``definitions.json`` export.

The seeding script (``seed.sh``, in this directory) imports the definitions with the
image's own rabbitmqctl, which reaches the node by name and reads its Erlang cookie
from the data volume: the seed container shares both. The applied checksum is kept in
the global parameter ``devenv_fixtures`` and, for fast reads, in a file next to the
node's database.

Snapshots are the broker's definitions, exported to JSON files in the data volume
(``snapshot/snapshot.sh``); messages are not part of them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from devenv.kinds.base import (
    DEV_PASSWORD,
    DEV_USER,
    ClusterDefaults,
    DependencyKind,
    FixtureFormat,
    parse_checksum_lines,
    parse_json_object,
)
from devenv.kinds.snapshots import (
    SH_STDIN,
    ExecResult,
    SnapshotContext,
    SnapshotFailed,
    SnapshotInfo,
    checked,
    iso_utc,
    parse_table,
    program,
    reported_size,
)

PARAMETER = "devenv_fixtures"
SNAPSHOT_DIR = "devenv-snapshots"  # in the data volume


class RabbitMQ(DependencyKind):
    """RabbitMQ."""

    name = "rabbitmq"
    rank = 30
    summary = "RabbitMQ (AMQP_URL); fixtures: definitions.json"
    repository = "rabbitmq"
    default_version = "3"
    port = 5672
    data_path = "/var/lib/rabbitmq"
    url_env = "AMQP_URL"
    settings = frozenset({"user", "password"})  # credentials the spec may name (docs/spec.md#credentials)
    fixtures = FixtureFormat(exact=("definitions.json",), description="definitions.json")
    reset_description = "the declared queues and exchanges"
    cluster = ClusterDefaults(
        component="queue",
        cpu="250m",
        memory="512Mi",
        seeded=False,
        not_seeded_because="(the seeding needs the node's Erlang cookie); import them with rabbitmqctl",
    )
    seed_shares_data = True

    def container_env(self, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> dict[str, str]:
        """RABBITMQ_DEFAULT_USER and RABBITMQ_DEFAULT_PASS."""
        return {"RABBITMQ_DEFAULT_PASS": password, "RABBITMQ_DEFAULT_USER": user}

    def health_command(self, project: str, user: str = DEV_USER) -> list[str]:
        """`ping` answers before the broker accepts connections; this waits for the AMQP listener."""
        return ["rabbitmq-diagnostics", "-q", "check_port_connectivity"]

    def url(self, host: str, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> str:
        """``amqp://user:password@host:5672/%2F``."""
        return f"amqp://{user}:{password}@{host}:{self.port}/%2F"

    def seed_environment(self, project: str, dependency: str, host: str) -> dict[str, str]:
        """The node's name: rabbitmqctl talks Erlang distribution, not AMQP."""
        return {"DEVENV_RABBITMQ_NODE": f"rabbit@{dependency}"}

    def records_command(self, project: str, dependency: str) -> tuple[list[str], dict[str, str]]:
        """The script's copy of the record next to the node's database, else ask the node (slower)."""
        mark = f'"${{RABBITMQ_MNESIA_BASE:-/var/lib/rabbitmq/mnesia}}/rabbit@{dependency}/devenv-fixtures"'
        return ["sh", "-c", f"cat {mark} 2>/dev/null || rabbitmqctl -q list_global_parameters"], {}

    def parse_records(self, output: str) -> dict[str, str]:
        """The mark file (checksum lines), or the global parameter's JSON."""
        lines = [line.rstrip("\r") for line in output.splitlines()]
        if not any("\t" in line for line in lines):
            return parse_checksum_lines(output)
        for line in lines:
            key, _, value = line.partition("\t")
            if key == PARAMETER:
                return parse_json_object(value)
        return {}

    def reset_arguments(self, directory: Path) -> list[str]:
        """The queues and exchanges definitions.json declares (built-in ``amq.*`` exchanges excluded)."""
        try:
            data = json.loads((directory / "definitions.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        if not isinstance(data, dict):
            return []
        args: list[str] = []
        for what, key in (("queue", "queues"), ("exchange", "exchanges")):
            for item in data.get(key) or []:
                if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"]:
                    if what == "exchange" and item["name"].startswith("amq."):
                        continue  # built-in exchanges cannot be deleted
                    args += [what, str(item.get("vhost") or "/"), item["name"]]
        return args

    # --- snapshots: definitions (snapshot/snapshot.sh) ---------------------------------------

    snapshot_description = (
        "the definitions (vhosts, users, permissions, policies, queues, exchanges, bindings), not the "
        "messages: a restore re-creates every vhost from the snapshot, with empty queues"
    )

    def _snapshots(self) -> str:
        return f"{self.data_path}/{SNAPSHOT_DIR}"

    def _script(self, ctx: SnapshotContext, *args: str) -> ExecResult:
        env = {"DEVENV_SNAPSHOTS": self._snapshots()}
        return ctx.run([*SH_STDIN, "devenv-snapshot", *args], stdin=program(self.home, "snapshot.sh"), env=env)

    def snapshot_save(self, ctx: SnapshotContext, name: str, *, replace: bool = False) -> SnapshotInfo:
        """rabbitmqctl export_definitions into the snapshot directory."""
        result = self._script(ctx, "save", name, "replace" if replace else "keep")
        size = reported_size(checked(result, f"saving snapshot {name}"), "saved")
        return SnapshotInfo(name=name, size_bytes=size, created_at=iso_utc(time.time()))

    def snapshot_restore(self, ctx: SnapshotContext, name: str) -> None:
        """Check the file is definitions first (nothing is deleted for a broken one), then restore."""
        read = ctx.run(["cat", f"{self._snapshots()}/{name}.json"])
        if read.code != 0:
            raise SnapshotFailed(f"restoring snapshot {name} failed: no snapshot {name}", missing=True)
        try:
            data = json.loads(read.stdout)
        except ValueError as exc:
            raise SnapshotFailed(f"restoring snapshot {name} failed: the file is not JSON ({exc})") from None
        if not isinstance(data, dict) or not isinstance(data.get("vhosts"), list):
            raise SnapshotFailed(f"restoring snapshot {name} failed: the file holds no definitions (no vhosts)")
        checked(self._script(ctx, "restore", name), f"restoring snapshot {name}")

    def snapshot_list(self, ctx: SnapshotContext) -> list[SnapshotInfo]:
        """The JSON files in the snapshot directory: size and time of the file."""
        return parse_table(checked(self._script(ctx, "list"), "listing snapshots").stdout)

    def snapshot_remove(self, ctx: SnapshotContext, name: str) -> None:
        """Delete the JSON file."""
        checked(self._script(ctx, "remove", name), f"removing snapshot {name}")


KIND = RabbitMQ()
