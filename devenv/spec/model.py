"""The devenv.yaml contract as pydantic v2 models.

Field-level rules (types, ranges, names, unknown keys) live here; rules that look
across fields or at the file system live in :mod:`devenv.spec.checks`.
"""

from __future__ import annotations

import posixpath
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from devenv import kinds
from devenv.spec.checks_model import ProjectChecks, ServiceChecks
from devenv.spec.service_fields import Profile, ServiceFields, _command_form

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
TEMPLATES = ("backend", "frontend", "worker")
CPU = re.compile(r"^([0-9]+m|[0-9]+(\.[0-9]+)?)$")
BYTES = re.compile(r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
_BYTE_UNITS: dict[str, int] = (
    {"": 1} | {u: 1000**i for i, u in enumerate("kMGTPE", 1)} | {f"{u}i": 1024**i for i, u in enumerate("KMGTPE", 1)}
)


def _dns_label(value: str) -> str:
    if len(value) > 63:
        raise ValueError(f"'{value}' is longer than 63 characters (DNS-1123 label)")
    if not DNS_LABEL.match(value):
        raise ValueError(
            f"'{value}' is not a valid name: use lower-case letters, digits and '-', "
            "starting and ending with a letter or digit (DNS-1123 label)"
        )
    return value


def _health_path(value: str) -> str:
    if not value.startswith("/"):
        raise ValueError(f"'{value}' must be an HTTP path starting with '/'")
    if any(c.isspace() for c in value):
        raise ValueError(f"'{value}' must not contain spaces")
    return value


def _env_value(value: object) -> object:
    """Accept scalars in env maps and keep them as text (YAML 'true' becomes 'true')."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _quantity_text(value: object) -> object:
    """Quantities may be written as numbers (``cpu: 1``); they are kept as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _cpu(value: str) -> str:
    if not CPU.match(value):
        raise ValueError(f"'{value}' is not a CPU amount: use millicores like '250m' or cores like '0.5' or '2'")
    return value


def _bytes(value: str) -> str:
    if not BYTES.match(value):
        raise ValueError(f"'{value}' is not a size: use a number with a unit, like '256Mi' or '1Gi'")
    return value


def quantity_value(text: str) -> float:
    """``250m`` -> 0.25, ``1Gi`` -> 1073741824.0: a Kubernetes quantity as a number, for comparisons."""
    if text.endswith("m") and CPU.match(text):
        return int(text[:-1]) / 1000
    match = re.match(r"^([0-9.]+)([A-Za-z]*)$", text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _BYTE_UNITS[match.group(2)]


def _domain(value: str) -> str:
    if len(value) > 200:
        raise ValueError(f"'{value}' is too long for a domain (at most 200 characters, leaving room for host names)")
    for label in value.split("."):
        if not label or len(label) > 63 or not DNS_LABEL.match(label):
            raise ValueError(
                f"'{value}' is not a valid domain: dot-separated lower-case labels of letters, digits and '-'"
            )
    return value


def _data_directory(value: str) -> str:
    if not value.startswith("/") or posixpath.normpath(value) == "/":
        raise ValueError(f"'{value}' must be an absolute directory in the container, not '/'")
    return value


def _sql_name(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", value):
        raise ValueError(f"'{value}' is not a plain name: use letters, digits and '_', not starting with a digit")
    return value


def _url_safe(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._~-]{1,128}", value):
        raise ValueError(f"'{value}' goes into connection URLs as is: use letters, digits and . _ ~ -")
    return value


def _strict_int(value: object) -> object:
    """Refuse booleans and strings where a number belongs (YAML 'yes' is not a port)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {_describe(value)}")
    return value


def _strict_bool(value: object) -> object:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {_describe(value)}")
    return value


def _describe(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _kind(value: object) -> object:
    """A registered dependency kind (devenv/kinds/), reported like a Literal choice."""
    if isinstance(value, str) and value in kinds.names():
        return value
    names = [f"'{name}'" for name in kinds.names()]
    expected = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
    raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})


def _compose_keys(value: object) -> object:
    """Raw compose keys: a mapping whose keys are text; the values are Compose's business."""
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping of compose keys, got {_describe(value)}")
    for key in value:
        if not isinstance(key, str):
            raise ValueError(f"compose keys must be text, got {_describe(key)}")
    return value


def _top_compose(value: dict[str, Any]) -> dict[str, Any]:
    if "name" in value:
        raise ValueError("'name' is the project's own 'name' at the top of devenv.yaml; set it there")
    return value


Name = Annotated[str, AfterValidator(_dns_label)]
RawCompose = Annotated[
    dict[str, Any],
    BeforeValidator(_compose_keys),
    WithJsonSchema(
        {
            "type": "object",
            "description": "Raw Compose keys merged last into what devenv renders (mappings merge, lists and "
            "values replace, null removes); values are literal ('$' is escaped). Not carried to Kubernetes.",
        }
    ),
]
KindName = Annotated[
    str,
    BeforeValidator(_kind),
    WithJsonSchema({"type": "string", "enum": list(kinds.names()), "description": "What it is."}),
]
Port = Annotated[int, BeforeValidator(_strict_int), Field(ge=1, le=65535)]
SqlName = Annotated[str, AfterValidator(_sql_name)]
UrlSafe = Annotated[str, BeforeValidator(_env_value), AfterValidator(_url_safe)]
Flag = Annotated[bool, BeforeValidator(_strict_bool)]
EnvValue = Annotated[str, BeforeValidator(_env_value)]
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
Cpu = Annotated[str, BeforeValidator(_quantity_text), AfterValidator(_cpu)]
Bytes = Annotated[str, BeforeValidator(_quantity_text), AfterValidator(_bytes)]
Domain = Annotated[str, AfterValidator(_domain)]
Count = Annotated[int, BeforeValidator(_strict_int), Field(ge=0)]


class Strict(BaseModel):
    """Base model: unknown keys are errors, values are not silently coerced."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _container_path(value: str) -> str:
    if not value.startswith("/"):
        raise ValueError(f"'{value}' must be an absolute path inside the container")
    return value


def _dockerfile_path(value: str) -> str:
    if not value or value.startswith("/"):
        raise ValueError(f"'{value}' must be a file path relative to the service's 'path'")
    return value


def _relative_file(value: str) -> str:
    if value.startswith("/") or ".." in value.split("/"):
        raise ValueError(f"'{value}' must be a path relative to the service directory")
    return value


class Develop(Strict):
    """How a service runs while you edit it (hot reload)."""

    mount: Annotated[str, AfterValidator(_container_path)] | None = Field(
        None,
        description="Container directory the service's code is bind-mounted on; default /app for template "
        "services, none for custom ones.",
    )
    rebuild: list[Annotated[str, AfterValidator(_relative_file)]] | None = Field(
        None,
        description="Files (relative to the service directory) whose change rebuilds the image under "
        "`devenv up --watch`; default per template (requirements, package.json, lockfiles).",
    )
    reloader: Flag | None = Field(
        None,
        description="devenv's preloading reloader for Python code, mounted at /devenv/reload: by default the "
        "backend and worker templates run under it (unless `command` is set); true mounts it for a custom service "
        "to use in its command; false runs the image's own command (uvicorn --reload, watchfiles).",
    )


class ProjectDevelop(Strict):
    """Project-wide development settings."""

    polling: Flag = Field(
        False, description="Watch files by polling (mounts where file events do not arrive: some macOS/Windows setups)."
    )


class Service(Strict, ServiceFields):
    """A process of the user's own: built from a Dockerfile or run from a prebuilt image.

    Ports, volumes, env files, secrets, health commands... come from
    :class:`devenv.spec.service_fields.ServiceFields`.
    """

    template: Literal["backend", "frontend", "worker"] | None = Field(
        None, description="Service template it was scaffolded from; absent for a custom service."
    )
    path: str | None = Field(None, description="Directory holding the Dockerfile; default services/<name>.")
    dockerfile: Annotated[str, AfterValidator(_dockerfile_path)] | None = Field(
        None, description="The Dockerfile, relative to 'path'; default 'Dockerfile'."
    )
    image: str | None = Field(None, description="A prebuilt image to run instead of building one.")
    target: str | None = Field(
        None, description="Dockerfile stage to build for development; default 'dev' for template services."
    )
    port: Port | None = Field(None, description="Container port the service listens on.")
    public: Flag = Field(False, description="Publish the port on the host (and, in clusters, an Ingress).")
    host_port: Port | None = Field(None, description="Host port when public; default: the container port.")
    health: Annotated[str, AfterValidator(_health_path)] | None = Field(
        None, description="HTTP path that answers 2xx when the service is healthy."
    )
    ready: Annotated[str, AfterValidator(_health_path)] | None = Field(
        None,
        description="HTTP path that answers 2xx when the service can take traffic (its dependencies checked); "
        "cluster readiness probe; default: 'health'.",
    )
    command: list[str] | None = Field(None, description="Command override, as a list of arguments.")
    test: Annotated[list[str], Field(min_length=1)] | None = Field(
        None, description="Command that runs the service's tests inside its dev image (`devenv test`)."
    )
    checks: ServiceChecks = Field(
        default_factory=dict,
        description="`devenv check`: command and output format per kind of check (tests, style, types, outdated, "
        "vulnerabilities, licences, integration, or a name of your own); replaces the template's entry of that "
        "kind, null turns it off (docs/checks.md).",
    )
    env: dict[EnvName, EnvValue] = Field(default_factory=dict, description="Extra environment variables.")
    depends_on: list[Name] = Field(default_factory=list, description="Dependencies or services started first.")
    replicas: Annotated[int, BeforeValidator(_strict_int), Field(ge=0)] = Field(
        1, description="Replica count for cluster export."
    )
    develop: Develop = Field(default_factory=Develop, description="Code mount and rebuild triggers for hot reload.")
    compose: RawCompose = Field(
        default_factory=dict, description="Raw Compose keys of the service (docs/spec.md#raw-compose-keys)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Service:
        if self.image is not None and self.template is not None:
            raise ValueError("'image' and 'template' exclude each other: a template service is built")
        if self.image is not None and self.path is not None:
            raise ValueError("'image' and 'path' exclude each other: a service is either built from path or pulled")
        if self.image is not None and self.target is not None:
            raise ValueError("'target' names a Dockerfile stage; it has no meaning with 'image'")
        if self.image is not None and self.dockerfile is not None:
            raise ValueError("'dockerfile' is for a service built from 'path'; it has no meaning with 'image'")
        if self.host_port is not None and not self.public:
            raise ValueError("'host_port' needs 'public: true' (only public services are published on the host)")
        if self.public and self.port is None:
            raise ValueError("a public service needs a 'port'")
        if self.health is not None and self.port is None:
            raise ValueError("'health' needs a 'port' to send the HTTP check to")
        if self.ready is not None and self.port is None:
            raise ValueError("'ready' needs a 'port' to send the HTTP check to")
        self.check_fields()
        return self

    @property
    def builds(self) -> bool:
        """True when the service is built from a Dockerfile (not a prebuilt image)."""
        return self.image is None

    def build_path(self, name: str) -> str:
        """Directory of the build context, relative to the project root."""
        return self.path or f"services/{name}"

    def dockerfile_path(self, name: str) -> str:
        """The Dockerfile, relative to the project root (``services/api/Dockerfile``)."""
        return posixpath.normpath(posixpath.join(self.build_path(name), self.dockerfile or "Dockerfile"))

    def published_port(self) -> int | None:
        """The host port a public service is reachable on, or None."""
        if not self.public:
            return None
        return self.host_port or self.port


def _kind_or_image(schema: dict[str, Any]) -> None:
    """JSON Schema: ``kind`` may be left out when ``image`` is given (any image: devenv/kinds/generic/)."""
    required = [key for key in schema.pop("required", []) if key != "kind"]
    if required:
        schema["required"] = required
    schema["anyOf"] = [{"required": ["kind"]}, {"required": ["image"]}]


class Dependency(Strict):
    """A backing service devenv runs from an official image (or any image): state lives here."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_kind_or_image)

    kind: KindName = Field(description="What it is (a package in devenv/kinds/).")
    version: Annotated[str, BeforeValidator(_env_value)] | None = Field(
        None, description="Major version (image tag); default per kind."
    )
    host_port: Port | None = Field(
        None, description="Publish the dependency's port on 127.0.0.1 for local tools (psql, redis-cli)."
    )
    image: Annotated[str, Field(min_length=1)] | None = Field(
        None,
        description="The image to run instead of the kind's official one at 'version': a variant (an -alpine "
        "tag) or a copy in a private registry; it must behave like the official image.",
    )
    profiles: list[Profile] = Field(
        default_factory=list,
        description="Started only when one of these profiles is asked for (`devenv up --profile`), or when needed.",
    )
    compose: RawCompose = Field(
        default_factory=dict, description="Raw Compose keys of the dependency (docs/spec.md#raw-compose-keys)."
    )
    # Settings only some kinds take (DependencyKind.settings; devenv/spec/dependency_checks.py says which).
    port: Port | None = Field(None, description="Any image: the port it serves on the network.")
    health_command: Annotated[str | list[str], BeforeValidator(_command_form)] | None = Field(
        None, description="Any image: a command that succeeds when it serves (a list, or a text run by /bin/sh)."
    )
    data: Annotated[str, AfterValidator(_data_directory)] | None = Field(
        None, description="Any image: the directory it keeps its data in (a named volume; a PVC in a cluster)."
    )
    env: dict[EnvName, EnvValue] = Field(default_factory=dict, description="Any image: its environment.")
    url: Annotated[str, Field(min_length=1)] | None = Field(
        None,
        description="Any image: the URL its clients get as <NAME>_URL, '{host}' and '{port}' filled in; "
        "without it they get none.",
    )

    # Credentials, for the kinds that have them (postgres, mysql, mariadb, mongodb; rabbitmq: user, password).
    user: SqlName | None = Field(None, description="The user services connect as; default devenv.")
    password: UrlSafe | None = Field(None, description="Its password (local development); default devenv.")
    database: SqlName | None = Field(None, description="The database created for services; default the project's name.")

    @model_validator(mode="before")
    @classmethod
    def _kind_from_image(cls, data: Any) -> Any:
        """No ``kind`` but an ``image``: the kind of any image (devenv/kinds/generic/)."""
        chosen = kinds.by_image()
        if isinstance(data, dict) and "kind" not in data and data.get("image") is not None and chosen:
            return {"kind": chosen, **data}
        return data

    def image_reference(self) -> str:
        """The image it runs: ``image`` when set, else the kind's official image at ``version``."""
        return self.image or kinds.get(self.kind).image(self.version)


class Images(Strict):
    """Where images come from."""

    mirror: dict[str, str] = Field(
        default_factory=dict,
        description="Rewrite registries for every image reference, e.g. {docker.io: registry.corp/dockerhub}.",
    )
    registry: str | None = Field(None, description="Registry for production images (cluster export).")


class Resources(Strict):
    """CPU and memory of one service or dependency in a cluster (and a dependency's volume size)."""

    cpu: Cpu = Field("100m", description="CPU the container asks for and may use, e.g. '250m' or '1'.")
    memory: Bytes = Field("128Mi", description="Memory the container asks for and may use, e.g. '256Mi'.")
    cpu_limit: Cpu | None = Field(None, description="CPU it may burst to; default: the same as 'cpu'.")
    memory_limit: Bytes | None = Field(None, description="Memory it may burst to; default: the same as 'memory'.")
    storage: Bytes | None = Field(None, description="Dependencies only: size of the data volume; default 1Gi.")

    @model_validator(mode="after")
    def _limits_cover_requests(self) -> Resources:
        if self.cpu_limit is not None and quantity_value(self.cpu_limit) < quantity_value(self.cpu):
            raise ValueError(f"'cpu_limit' ({self.cpu_limit}) is less than 'cpu' ({self.cpu})")
        if self.memory_limit is not None and quantity_value(self.memory_limit) < quantity_value(self.memory):
            raise ValueError(f"'memory_limit' ({self.memory_limit}) is less than 'memory' ({self.memory})")
        return self


class Environment(Strict):
    """A cluster environment (staging, production): what differs from the shared manifests."""

    domain: Domain | None = Field(
        None, description="Public services get an Ingress at <service>.<domain>; without it, no Ingress."
    )
    namespace: Name | None = Field(None, description="Kubernetes namespace; default <project>-<environment>.")
    replicas: dict[Name, Count] = Field(default_factory=dict, description="Replica count per service.")
    resources: dict[Name, Resources] = Field(
        default_factory=dict, description="CPU, memory (and, for dependencies, storage) per service or dependency."
    )
    dependencies: dict[Name, Literal["cluster", "external"]] = Field(
        default_factory=dict,
        description="'external': a managed service outside the cluster, reached through its URL in the Secret; "
        "default 'cluster': a StatefulSet.",
    )
    fixtures: Flag = Field(False, description="Load the project's fixtures with a Job once the dependency is ready.")
    otel_endpoint: Annotated[str, Field(pattern=r"^https?://")] | None = Field(
        None, description="OTLP/HTTP endpoint of the environment's collector, set as OTEL_EXPORTER_OTLP_ENDPOINT."
    )


class Observability(Strict):
    """The local observability dashboard (docs/observability.md)."""

    port: Port | None = Field(
        None,
        description="Host port of the dashboard's page on 127.0.0.1; default: a free one the engine picks "
        "(`devenv up` and `devenv dashboard` show it), so several projects can run at once.",
    )
    max_spans: Annotated[int, BeforeValidator(_strict_int), Field(ge=100)] = Field(
        20000, description="Spans kept in memory; the oldest go first."
    )
    max_logs: Annotated[int, BeforeValidator(_strict_int), Field(ge=100)] = Field(
        20000, description="Log records kept in memory; the oldest go first."
    )


class Spec(Strict):
    """The whole devenv.yaml."""

    name: Name = Field(description="Project name (DNS-1123 label); the Compose project name.")
    services: dict[Name, Service] = Field(default_factory=dict)
    dependencies: dict[Name, Dependency] = Field(default_factory=dict)
    fixtures: dict[Name, Annotated[str, Field(min_length=1)]] = Field(
        default_factory=dict,
        description="Data seeded into dependencies on `up`: {dependency: directory in the project}. "
        + "; ".join(f"{k.name}: {k.fixtures.description}" for k in kinds.kinds().values() if k.seeds)
        + " (docs/fixtures.md).",
    )
    images: Images = Field(default_factory=Images)
    ca_certificates: str | None = Field(
        None, description="PEM bundle of extra CA certificates trusted by every build (corporate proxies)."
    )
    develop: ProjectDevelop = Field(default_factory=ProjectDevelop, description="Project-wide development settings.")
    router: Flag = Field(
        True, description="Serve public services at https://<service>.<project>.localhost through the router."
    )
    checks: ProjectChecks = Field(
        default_factory=ProjectChecks,
        description="`devenv check`: kinds that only warn, the vulnerability severity that fails, the licence "
        "allowlist and exceptions (docs/checks.md).",
    )
    observability: Flag | Observability = Field(
        True,
        description="Run the local dashboard (traces, logs, metrics over OTLP) with the services: true, false, "
        "or its settings.",
    )
    environments: dict[Name, Environment] = Field(
        default_factory=dict, description="Cluster environments for `devenv export k8s --env NAME`."
    )
    compose: Annotated[RawCompose, AfterValidator(_top_compose)] = Field(
        default_factory=dict,
        description="Raw top-level Compose keys (volumes, networks, secrets, configs, x-*), merged last.",
    )

    def component(self, name: str) -> Service | Dependency | None:
        """A service or a dependency by name."""
        return self.services.get(name) or self.dependencies.get(name)
