"""The protocol every dependency kind implements, and what all kinds share.

A kind (PostgreSQL, Redis, RabbitMQ, ...) is one package under ``devenv/kinds/``: its
``__init__.py`` defines a subclass of :class:`DependencyKind` named ``KIND``-able by
:func:`devenv.kinds.registry`, and the directory holds the programs that run inside the
kind's image (the seeding script and its helpers). Everything devenv knows about a kind
lives there: image and default version, the image's environment contract, connection
URLs, health check, data volume, fixture formats and seeding, snapshots, what ``status``
shows, Kubernetes defaults and doctor hints. The rest of devenv asks the kind; it never tests
``kind == "..."``.

Kinds depend on nothing else in devenv (the spec model imports the registry for the
``kind`` values), so they take plain values: a version string, a project name.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from devenv.kinds.snapshots import SnapshotContext, SnapshotInfo

DEV_USER = "devenv"
DEV_PASSWORD = "devenv"


@dataclass(frozen=True)
class FixtureFormat:
    """Which files a kind's seeding loads: by suffix or by exact file name."""

    suffixes: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    description: str = ""  # for messages: "*.sql and *.csv"

    def accepts(self, name: str) -> bool:
        """True when a file called ``name`` is a fixture of this format (hidden files never are)."""
        if name.startswith("."):
            return False
        return name in self.exact or (bool(self.suffixes) and name.endswith(self.suffixes))


@dataclass(frozen=True)
class ClusterDefaults:
    """How the kind runs as a StatefulSet when an environment names nothing else."""

    component: str  # app.kubernetes.io/component: database, cache, queue
    cpu: str
    memory: str
    writable_paths: tuple[str, ...] = ()  # written besides the data volume (the root file system is read-only)
    seeded: bool = True  # whether a fixtures Job can seed it
    not_seeded_because: str = ""  # the end of the warning when it cannot: why, and what to do instead


class DependencySettings(Protocol):
    """What a kind may read from one spec dependency (``dependencies.<name>``) in :meth:`DependencyKind.bind`."""

    @property
    def kind(self) -> str: ...
    @property
    def image(self) -> str | None: ...
    @property
    def port(self) -> int | None: ...
    @property
    def health_command(self) -> str | list[str] | None: ...
    @property
    def data(self) -> str | None: ...
    @property
    def env(self) -> Mapping[str, str]: ...
    @property
    def url(self) -> str | None: ...
    @property
    def user(self) -> str | None: ...
    @property
    def password(self) -> str | None: ...
    @property
    def database(self) -> str | None: ...


CREDENTIALS = ("user", "password", "database")


class DependencyKind:
    """One dependency kind. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]
    rank: ClassVar[int] = 100  # order in lists and messages (lower first)
    summary: ClassVar[str]  # one line for `devenv add dependency --help` and docs
    repository: ClassVar[str]  # official image on Docker Hub
    default_version: ClassVar[str]
    port: ClassVar[int]
    # The image's data directory: a named volume locally, a PVC in a cluster. "" for a server
    # that keeps nothing on disk (Memcached): no volume, no PVC, and no data survives a restart.
    data_path: ClassVar[str]
    url_env: ClassVar[str]  # the conventional variable clients read: DATABASE_URL
    # Options for the image's server, given as the container's command (Compose) or args
    # (Kubernetes); the official images pass arguments that start with `-` to the server.
    server_args: ClassVar[tuple[str, ...]] = ()
    fixtures: ClassVar[FixtureFormat] = FixtureFormat()
    reset_description: ClassVar[str] = ""  # what `devenv seed --reset` removes
    cluster: ClassVar[ClusterDefaults]
    unhealthy_hint: ClassVar[str] = ""  # said when it does not get healthy (`up`'s timeout message)
    # Variables of seed_environment() that are credentials: a cluster's Job reads them from the
    # environment's Secret (value: the key's role, USER or PASSWORD), never from devenv's defaults.
    seed_secrets: ClassVar[dict[str, str]] = {}
    # The seed container shares the server's data volume and needs its hostname (RabbitMQ's cookie).
    seed_shares_data: ClassVar[bool] = False
    # Where the kind's programs come from (docs/architecture.md, "Adding a dependency kind"):
    # the home of the kind named here ("": its own). A kind that speaks another's protocol runs
    # that kind's seeding and snapshot programs (Valkey: Redis's, with valkey-cli).
    programs_from: ClassVar[str] = ""
    # Program files of devenv/kinds/ itself (beside seedlib.sh) that join the seeding program:
    # helpers two kinds share (csv_header.awk: PostgreSQL's and MySQL's CSV header reader).
    shared_programs: ClassVar[tuple[str, ...]] = ()
    # Optional settings of `dependencies.<name>` beyond kind, version, image, host_port, profiles and
    # compose that this kind takes (port, health_command, data, env, url, ...); any other is a spec
    # error at its line. `required_settings`: those it cannot do without.
    settings: ClassVar[frozenset[str]] = frozenset()
    required_settings: ClassVar[frozenset[str]] = frozenset()
    # The kind of a dependency that names an `image` and no `kind` (one kind at most sets it).
    chosen_by_image: ClassVar[bool] = False

    # Development credentials: devenv's unless the dependency names its own (`user`, `password`,
    # `database` among `settings`); bind() sets them. Methods read these, not DEV_USER/DEV_PASSWORD.
    user: str = DEV_USER
    password: str = DEV_PASSWORD
    database_name: str | None = None

    def credentials_in(self, env: Mapping[str, str]) -> dict[str, str]:
        """The ``user``, ``password`` (and ``database``) settings that give the image what ``env`` gives it.

        For ``devenv import``: {} unless ``env`` names both the user and the password in the
        variables :meth:`container_env` sets, and the database too or the image has a default
        for it (:meth:`default_database`).
        """
        if not {"user", "password"} <= self.settings:
            return {}
        project, user, password = "\x00project", "\x00user", "\x00password"
        variables = {value: key for key, value in self.container_env(project, user, password).items()}
        found = {"user": env.get(variables.get(user, "")), "password": env.get(variables.get(password, ""))}
        if found["user"] is None or found["password"] is None:
            return {}
        if "database" in self.settings:
            database = env.get(variables.get(self.database(project), "")) or self.default_database(found["user"])
            if database is None:
                return {}
            found["database"] = database
        return {key: value for key, value in found.items() if value is not None}

    def default_database(self, user: str) -> str | None:
        """The database the image creates when told of none (None: it creates none)."""
        return None

    def setting_problem(self, setting: str, value: object) -> str | None:
        """What is wrong with one of the kind's settings (``user: root``), or None; a spec error at its line."""
        return None

    def bind(self, dependency: DependencySettings) -> DependencyKind:
        """The kind as one dependency's settings make it: its credentials (default: devenv's)."""
        given = {key: getattr(dependency, key, None) for key in CREDENTIALS if key in self.settings}
        if not any(value is not None for value in given.values()):
            return self
        bound = copy.copy(self)
        bound.user = given.get("user") or self.user
        bound.password = given.get("password") or self.password
        bound.database_name = given.get("database") or self.database_name
        return bound

    # --- image and environment ------------------------------------------------------------

    def image(self, version: str | None) -> str:
        """Official image reference, pinned to the major version."""
        return f"{self.repository}:{version or self.default_version}"

    def database(self, project: str) -> str:
        """Name of the project's database inside the server: the spec's ``database``, else the project's name."""
        return self.database_name or project.replace("-", "_")

    def container_env(self, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> dict[str, str]:
        """Environment the official image reads to set itself up."""
        return {}

    def cluster_env(self) -> dict[str, str]:
        """Extra container environment in a cluster (beyond :meth:`container_env`)."""
        return {}

    def health_command(self, project: str, user: str = DEV_USER) -> list[str]:
        """Argv of a command, run in the container, that succeeds only when the server serves requests."""
        raise NotImplementedError

    def url(self, host: str, project: str, user: str = DEV_USER, password: str = DEV_PASSWORD) -> str:
        """Connection URL for clients on the same network."""
        raise NotImplementedError

    def host_url(self, host_port: int, project: str) -> str:
        """What ``status`` shows for a dependency published on the host: a URL local tools accept."""
        local = self.url("localhost", project, self.user, self.password)
        return local.replace(f"localhost:{self.port}", f"localhost:{host_port}", 1)

    # --- fixtures -------------------------------------------------------------------------

    @property
    def seeds(self) -> bool:
        """Whether the kind loads fixtures (it has a fixture format and a seeding program)."""
        return bool(self.fixtures.suffixes or self.fixtures.exact)

    def seed_environment(self, project: str, dependency: str, host: str) -> dict[str, str]:
        """How the seeding script reaches the server (development credentials)."""
        return {}

    def fixture_problem(self, file_name: str) -> str | None:
        """A problem with one fixture file's name, or None (checked when the spec loads)."""
        return None

    def records_command(self, project: str, dependency: str) -> tuple[list[str], dict[str, str]]:
        """Argv and environment that print the applied fixtures, run in the server's container."""
        raise NotImplementedError

    def parse_records(self, output: str) -> dict[str, str]:
        """{file: sha256} from the output of :meth:`records_command`."""
        return parse_checksum_lines(output)

    def records_missing_mean_empty(self) -> bool:
        """True when a failing :meth:`records_command` means nothing is applied yet (else: unknown)."""
        return False

    def reset_arguments(self, directory: Path) -> list[str]:
        """Extra arguments of the seeding script in reset mode, read from the fixture directory."""
        return []

    # --- snapshots (docs/snapshots.md) ---------------------------------------------------------
    # What a snapshot holds and how a restore treats running clients, for help and docs; a
    # kind that sets it implements the four methods below ("": the kind has no snapshots).
    snapshot_description: ClassVar[str] = ""

    @property
    def snapshots(self) -> bool:
        """Whether the kind can save and restore snapshots of a dependency's data."""
        return bool(self.snapshot_description)

    def snapshot_save(self, ctx: SnapshotContext, name: str, *, replace: bool = False) -> SnapshotInfo:
        """Save the data as snapshot ``name``; an existing one is refused unless ``replace``.

        Raise :class:`~devenv.kinds.snapshots.SnapshotFailed`; a failure leaves the data and
        any older snapshot of that name as they were.
        """
        raise NotImplementedError

    def snapshot_restore(self, ctx: SnapshotContext, name: str) -> None:
        """Replace the data by snapshot ``name`` (which stays); a failure leaves the data as it was."""
        raise NotImplementedError

    def snapshot_list(self, ctx: SnapshotContext) -> list[SnapshotInfo]:
        """The dependency's snapshots, by name."""
        raise NotImplementedError

    def snapshot_remove(self, ctx: SnapshotContext, name: str) -> None:
        """Delete snapshot ``name`` (SnapshotFailed with ``missing`` when there is none)."""
        raise NotImplementedError

    @property
    def home(self) -> Path:
        """The kind's directory: its class, and its programs unless it runs another kind's."""
        import sys

        module = sys.modules[type(self).__module__]
        return Path(str(module.__file__)).parent

    @property
    def program_home(self) -> Path:
        """The directory of the kind's programs: seed.sh and its helpers, ``snapshot/``."""
        return self.home.parent / self.programs_from if self.programs_from else self.home


def parse_checksum_lines(output: str) -> dict[str, str]:
    """``<sha256> <file>`` lines (what ``sha256sum`` prints) -> {file: sha256}."""
    out: dict[str, str] = {}
    for line in output.splitlines():
        digest, sep, file = line.rstrip("\r").partition(" ")
        if sep and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest):
            out[file] = digest
    return out


def parse_json_object(text: str) -> dict[str, str]:
    """A JSON object of strings, or {} when ``text`` is not one."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def env_name(name: str) -> str:
    """``user-db`` -> ``USER_DB``: a dependency name as an environment variable stem."""
    return name.upper().replace("-", "_")
