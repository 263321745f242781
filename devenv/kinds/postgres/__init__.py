"""PostgreSQL: the official ``postgres`` image, fixtures from ``*.sql`` and ``*.csv`` files.

The seeding script (``seed.sh`` and its SQL and awk helpers, in this directory) runs
with the image's own psql. Applied files are recorded in ``public.devenv_fixtures``.
"""

from __future__ import annotations

import re

from devenv.kinds.base import DEV_PASSWORD, DEV_USER, ClusterDefaults, DependencyKind, FixtureFormat

ORDER_PREFIX = re.compile(r"^[0-9]+[_-]")


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
    fixtures = FixtureFormat(suffixes=(".sql", ".csv"), description="*.sql and *.csv")
    reset_description = "the public schema"
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
            "PGPASSWORD": DEV_PASSWORD,
            "PGPORT": str(self.port),
            "PGUSER": DEV_USER,
        }

    def fixture_problem(self, file_name: str) -> str | None:
        """A CSV file must name its table."""
        if file_name.endswith(".csv") and not table_name(file_name):
            return "gives no table name; name CSV files TABLE.csv or NNN_TABLE.csv"
        return None

    def records_command(self, project: str, dependency: str) -> tuple[list[str], dict[str, str]]:
        """psql over the records table."""
        sql = "SELECT checksum || ' ' || file FROM public.devenv_fixtures"
        argv = ["psql", "-X", "-At", "-h", "127.0.0.1", "-U", DEV_USER, "-d", self.database(project), "-c", sql]
        return argv, {"PGPASSWORD": DEV_PASSWORD, "PGCONNECT_TIMEOUT": "5"}

    def records_missing_mean_empty(self) -> bool:
        """No records table yet: nothing applied."""
        return True


KIND = Postgres()
