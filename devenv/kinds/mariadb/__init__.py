"""MariaDB: the official ``mariadb`` image; MySQL's fixtures and seeding program, with the mariadb client.

MariaDB speaks MySQL's protocol and SQL, so it is a :class:`~devenv.kinds.mysql.MySQL`
in all but image, environment and clients: the same fixtures (``*.sql`` and ``*.csv``,
recorded in the table ``devenv_fixtures``), the same ``mysql://`` URL in ``DATABASE_URL``.
Its seeding program is MySQL's files (``programs_from``), run with ``mariadb``: the
``mysql`` compatibility names are gone from the images since 11.0. The image reads
``MARIADB_*`` variables (and ``MYSQL_*`` ones as a fallback).
"""

from __future__ import annotations

from devenv.kinds.base import ClusterDefaults
from devenv.kinds.mysql import MySQL


class MariaDB(MySQL):
    """MariaDB."""

    name = "mariadb"
    rank = 41
    summary = f"MariaDB (DATABASE_URL); fixtures: {MySQL.fixtures.description}"
    repository = "mariadb"
    default_version = "11"
    server_args = ()  # local_infile is on by default in MariaDB
    programs_from = MySQL.name
    cluster = ClusterDefaults(component="database", cpu="250m", memory="256Mi", writable_paths=("/run/mysqld",))
    client = "mariadb"
    admin = "mariadb-admin"
    env_prefix = "MARIADB"


KIND = MariaDB()
