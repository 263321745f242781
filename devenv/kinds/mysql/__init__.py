"""MySQL: the official ``mysql`` image, fixtures from ``*.sql`` and ``*.csv`` files.

The seeding program (``seed.sh`` and its SQL, in this directory, with the CSV header reader
``csv_header.awk`` it shares with PostgreSQL) runs with the image's own client: ``mysql``
here, ``mariadb`` for MariaDB, which runs this same program (``devenv/kinds/mariadb/``).
``*.sql`` files run with autocommit off and are committed with their record; ``*.csv``
files are bulk-loaded with ``LOAD DATA LOCAL INFILE`` into the table the file name gives,
after their header is checked against the table. Applied files are recorded in the table
``devenv_fixtures`` of the project's database. MySQL 8 refuses ``LOCAL`` loads unless the
server allows them: the server gets ``--local-infile=ON``.

No snapshots: see docs/snapshots.md.
"""

from __future__ import annotations

import re
from typing import ClassVar

from devenv.kinds.base import DEV_PASSWORD, DEV_USER, ClusterDefaults, DependencyKind, FixtureFormat

ORDER_PREFIX = re.compile(r"^[0-9]+[_-]")
RECORDS = "SELECT CONCAT(checksum, ' ', file) FROM devenv_fixtures"


def table_name(file_name: str) -> str:
    """The table a CSV file loads into: ``010_users.csv`` -> ``users`` (the name as written: case matters)."""
    return ORDER_PREFIX.sub("", file_name.removesuffix(".csv"), count=1)


class MySQL(DependencyKind):
    """MySQL."""

    name = "mysql"
    rank = 40
    summary = "MySQL (DATABASE_URL); fixtures: *.sql and *.csv"
    repository = "mysql"
    default_version = "8"
    port = 3306
    data_path = "/var/lib/mysql"
    url_env = "DATABASE_URL"
    settings = frozenset({"user", "password", "database"})  # credentials the spec may name (docs/spec.md#credentials)
    # LOAD DATA LOCAL (the CSV fixtures) is off by default since MySQL 8
    server_args: ClassVar[tuple[str, ...]] = ("--local-infile=ON",)
    fixtures = FixtureFormat(suffixes=(".sql", ".csv"), description="*.sql and *.csv")
    reset_description = "the project's database (dropped and created again)"
    shared_programs = ("csv_header.awk",)  # devenv/kinds/csv_header.awk, PostgreSQL's too
    cluster = ClusterDefaults(
        component="database", cpu="250m", memory="512Mi", writable_paths=("/var/run/mysqld",)
    )
    seed_secrets = {"DEVENV_MYSQL_USER": "USER", "DEVENV_MYSQL_PASSWORD": "PASSWORD"}  # noqa: RUF012 - read-only
    unhealthy_hint = (
        "a data volume made by another major version (or by MariaDB for MySQL, or the other way "
        "round) may not start: `devenv down --volumes` starts over (fixtures are seeded again)"
    )
    # The image's clients: the seeding program runs the one DEVENV_MYSQL_CLIENT names.
    client: ClassVar[str] = "mysql"
    admin: ClassVar[str] = "mysqladmin"
    env_prefix: ClassVar[str] = "MYSQL"  # of the image's variables: MYSQL_DATABASE, ...

    def container_env(self, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> dict[str, str]:
        """The image creates the database and a user with every right on it; root gets a random password."""
        prefix = self.env_prefix
        return {
            f"{prefix}_DATABASE": self.database(project),
            f"{prefix}_PASSWORD": password,
            f"{prefix}_RANDOM_ROOT_PASSWORD": "yes",
            f"{prefix}_USER": user,
        }

    def setting_problem(self, setting: str, value: object) -> str | None:
        """The image creates ``user`` besides root, which it keeps for itself (with a random password)."""
        if setting == "user" and str(value).lower() == "root":
            return "the image keeps 'root' for itself (random password): name another user"
        return None

    def health_command(self, project: str, user: str = DEV_USER) -> list[str]:
        """ping over TCP: the image's set-up server listens on no port, so this waits for the real one."""
        return [self.admin, "ping", "-h", "127.0.0.1", "--silent"]

    def url(self, host: str, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> str:
        """``mysql://user:password@host:3306/project``."""
        return f"mysql://{user}:{password}@{host}:{self.port}/{self.database(project)}"

    def seed_environment(self, project: str, dependency: str, host: str) -> dict[str, str]:
        """Where seed.sh connects, as whom, with which client (the password goes into an option file)."""
        return {
            "DEVENV_MYSQL_CLIENT": self.client,
            "DEVENV_MYSQL_DATABASE": self.database(project),
            "DEVENV_MYSQL_HOST": host,
            "DEVENV_MYSQL_PASSWORD": self.password,
            "DEVENV_MYSQL_PORT": str(self.port),
            "DEVENV_MYSQL_USER": self.user,
        }

    def fixture_problem(self, file_name: str) -> str | None:
        """A CSV file must name its table."""
        if file_name.endswith(".csv") and not table_name(file_name):
            return "gives no table name; name CSV files TABLE.csv or NNN_TABLE.csv"
        return None

    def records_command(self, project: str, dependency: str) -> tuple[list[str], dict[str, str]]:
        """``<sha256> <file>`` lines from the records table (the default parse_records reads them)."""
        database = self.database(project)
        argv = [self.client, "-h", "127.0.0.1", "-u", self.user, "-N", "-B", "-r", database, "-e", RECORDS]
        return argv, {"MYSQL_PWD": self.password}

    def records_missing_mean_empty(self) -> bool:
        """No records table yet: nothing applied."""
        return True


KIND = MySQL()
