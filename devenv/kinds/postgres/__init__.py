"""PostgreSQL: the official ``postgres`` image, fixtures from ``*.sql`` and ``*.csv`` files.

The seeding script (``seed.sh`` and its SQL and awk helpers, in this directory) runs
with the image's own psql. Applied files are recorded in ``public.devenv_fixtures``.
Snapshots are template copies of the project's database in the same server
(``devenv_snap_<name>``), made and restored by the SQL files in ``snapshot/``.
"""

from __future__ import annotations

import re
import time

from devenv.kinds.base import DEV_PASSWORD, DEV_USER, ClusterDefaults, DependencyKind, FixtureFormat
from devenv.kinds.snapshots import (
    ExecResult,
    SnapshotContext,
    SnapshotInfo,
    checked,
    iso_utc,
    parse_table,
    program,
    reported_size,
)

ORDER_PREFIX = re.compile(r"^[0-9]+[_-]")
SNAPSHOT_PREFIX = "devenv_snap_"  # a snapshot is the database devenv_snap_<name> (list.sql knows it too)


def table_name(file_name: str) -> str:
    """The table a CSV file loads into: ``010_users.csv`` -> ``users``; ``app.users.csv`` -> ``app.users``.

    A leading ordering prefix of digits followed by ``_`` or ``-`` is dropped; the rest,
    without ``.csv``, is the table name as PostgreSQL reads an identifier (so it folds
    to lower case; ``schema.table`` names a table in another schema).
    """
    stem = file_name.removesuffix(".csv")
    return ORDER_PREFIX.sub("", stem, count=1)


class Postgres(DependencyKind):
    """PostgreSQL."""

    name = "postgres"
    rank = 10
    summary = "PostgreSQL (DATABASE_URL); fixtures: *.sql and *.csv"
    repository = "postgres"
    default_version = "16"
    port = 5432
    data_path = "/var/lib/postgresql/data"
    url_env = "DATABASE_URL"
    settings = frozenset({"user", "password", "database"})  # credentials the spec may name (docs/spec.md#credentials)
    fixtures = FixtureFormat(suffixes=(".sql", ".csv"), description="*.sql and *.csv")
    reset_description = "the public schema"
    shared_programs = ("csv_header.awk",)  # devenv/kinds/csv_header.awk, MySQL's too
    cluster = ClusterDefaults(
        component="database", cpu="250m", memory="256Mi", writable_paths=("/var/run/postgresql",)
    )
    seed_secrets = {"PGUSER": "USER", "PGPASSWORD": "PASSWORD"}  # noqa: RUF012 - read-only class data
    unhealthy_hint = (
        "a data volume made by another PostgreSQL major version does not start: "
        "`devenv down --volumes` starts over (fixtures are seeded again)"
    )

    def container_env(self, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> dict[str, str]:
        """POSTGRES_DB, POSTGRES_PASSWORD, POSTGRES_USER."""
        return {"POSTGRES_DB": self.database(project), "POSTGRES_PASSWORD": password, "POSTGRES_USER": user}

    def cluster_env(self) -> dict[str, str]:
        """PGDATA in a subdirectory: volume roots may hold lost+found, which initdb refuses."""
        return {"PGDATA": f"{self.data_path}/pgdata"}

    def default_database(self, user: str) -> str | None:
        """Without POSTGRES_DB, the image creates a database named after the user."""
        return user

    def health_command(self, project: str, user: str = DEV_USER) -> list[str]:
        """pg_isready against the project's database."""
        return ["pg_isready", "-h", "127.0.0.1", "-U", user, "-d", self.database(project)]

    def url(self, host: str, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> str:
        """``postgresql://user:password@host:5432/project``."""
        return f"postgresql://{user}:{password}@{host}:{self.port}/{self.database(project)}"

    def seed_environment(self, project: str, dependency: str, host: str) -> dict[str, str]:
        """libpq's variables."""
        return {
            "PGDATABASE": self.database(project),
            "PGHOST": host,
            "PGPASSWORD": self.password,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
        }

    def fixture_problem(self, file_name: str) -> str | None:
        """A CSV file must name its table."""
        if file_name.endswith(".csv") and not table_name(file_name):
            return "gives no table name; name CSV files TABLE.csv or NNN_TABLE.csv"
        return None

    def records_command(self, project: str, dependency: str) -> tuple[list[str], dict[str, str]]:
        """psql over the records table."""
        sql = "SELECT checksum || ' ' || file FROM public.devenv_fixtures"
        argv = ["psql", "-X", "-At", "-h", "127.0.0.1", "-U", self.user, "-d", self.database(project), "-c", sql]
        return argv, {"PGPASSWORD": self.password, "PGCONNECT_TIMEOUT": "5"}

    def records_missing_mean_empty(self) -> bool:
        """No records table yet: nothing applied."""
        return True

    # --- snapshots: template databases (snapshot/*.sql) --------------------------------------

    snapshot_description = (
        "the project's database, copied as a template database in the same server (a file copy); "
        "while it copies, the database refuses new connections and open ones are ended"
    )

    def _psql(self, ctx: SnapshotContext, file: str, **variables: str) -> ExecResult:
        """Run ``snapshot/<file>`` with psql, connected to a maintenance database (never the project's)."""
        maintenance = "template1" if self.database(ctx.project) == "postgres" else "postgres"
        argv = ["psql", "-X", "-q", "-At", "-F", "\t", "-h", "127.0.0.1", "-U", self.user, "-d", maintenance]
        for key, value in variables.items():
            argv += ["-v", f"{key}={value}"]
        env = {"PGPASSWORD": self.password, "PGCONNECT_TIMEOUT": "10"}
        return ctx.run([*argv, "-f", "-"], stdin=program(self.home, file), env=env)

    def snapshot_save(self, ctx: SnapshotContext, name: str, *, replace: bool = False) -> SnapshotInfo:
        """CREATE DATABASE devenv_snap_<name> TEMPLATE <project database> (STRATEGY FILE_COPY from 15)."""
        db = self.database(ctx.project)
        result = self._psql(
            ctx, "save.sql", db=db, snap=SNAPSHOT_PREFIX + name, name=name, replace="true" if replace else "false"
        )
        size = reported_size(checked(result, f"saving snapshot {name}"), "saved")
        return SnapshotInfo(name=name, size_bytes=size, created_at=iso_utc(time.time()))

    def snapshot_restore(self, ctx: SnapshotContext, name: str) -> None:
        """A copy of the snapshot first, then the copy swapped in by renames (restore.sql)."""
        result = self._psql(ctx, "restore.sql", db=self.database(ctx.project), snap=SNAPSHOT_PREFIX + name, name=name)
        checked(result, f"restoring snapshot {name}")

    def snapshot_list(self, ctx: SnapshotContext) -> list[SnapshotInfo]:
        """The databases devenv_snap_*, their sizes and comments."""
        return parse_table(checked(self._psql(ctx, "list.sql"), "listing snapshots").stdout)

    def snapshot_remove(self, ctx: SnapshotContext, name: str) -> None:
        """DROP DATABASE devenv_snap_<name>."""
        checked(self._psql(ctx, "remove.sql", snap=SNAPSHOT_PREFIX + name, name=name), f"removing snapshot {name}")


KIND = Postgres()
