"""The devenv.yaml contract as pydantic v2 models.

Field-level rules (types, ranges, names, unknown keys) live here; rules that look
across fields or at the file system live in :mod:`devenv.spec.checks`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
TEMPLATES = ("backend", "frontend", "worker")
DEPENDENCY_KINDS = ("postgres", "redis", "rabbitmq")


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


Name = Annotated[str, AfterValidator(_dns_label)]
Port = Annotated[int, BeforeValidator(_strict_int), Field(ge=1, le=65535)]
Flag = Annotated[bool, BeforeValidator(_strict_bool)]
EnvValue = Annotated[str, BeforeValidator(_env_value)]
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class Strict(BaseModel):
    """Base model: unknown keys are errors, values are not silently coerced."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Service(Strict):
    """A process of the user's own: built from a Dockerfile or run from a prebuilt image."""

    template: Literal["backend", "frontend", "worker"] | None = Field(
        None, description="Service template it was scaffolded from; absent for a custom service."
    )
    path: str | None = Field(None, description="Directory holding the Dockerfile; default services/<name>.")
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
    command: list[str] | None = Field(None, description="Command override, as a list of arguments.")
    env: dict[EnvName, EnvValue] = Field(default_factory=dict, description="Extra environment variables.")
    depends_on: list[Name] = Field(default_factory=list, description="Dependencies or services started first.")
    replicas: Annotated[int, BeforeValidator(_strict_int), Field(ge=0)] = Field(
        1, description="Replica count for cluster export."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Service:
        if self.image is not None and self.template is not None:
            raise ValueError("'image' and 'template' exclude each other: a template service is built")
        if self.image is not None and self.path is not None:
            raise ValueError("'image' and 'path' exclude each other: a service is either built from path or pulled")
        if self.image is not None and self.target is not None:
            raise ValueError("'target' names a Dockerfile stage; it has no meaning with 'image'")
        if self.host_port is not None and not self.public:
            raise ValueError("'host_port' needs 'public: true' (only public services are published on the host)")
        if self.public and self.port is None:
            raise ValueError("a public service needs a 'port'")
        if self.health is not None and self.port is None:
            raise ValueError("'health' needs a 'port' to send the HTTP check to")
        return self

    @property
    def builds(self) -> bool:
        """True when the service is built from a Dockerfile (not a prebuilt image)."""
        return self.image is None

    def build_path(self, name: str) -> str:
        """Directory of the build context, relative to the project root."""
        return self.path or f"services/{name}"

    def published_port(self) -> int | None:
        """The host port a public service is reachable on, or None."""
        if not self.public:
            return None
        return self.host_port or self.port


class Dependency(Strict):
    """A backing service devenv runs from an official image: state lives here."""

    kind: Literal["postgres", "redis", "rabbitmq"] = Field(description="What it is.")
    version: Annotated[str, BeforeValidator(_env_value)] | None = Field(
        None, description="Major version (image tag); default per kind."
    )
    host_port: Port | None = Field(
        None, description="Publish the dependency's port on 127.0.0.1 for local tools (psql, redis-cli)."
    )


class Images(Strict):
    """Where images come from."""

    mirror: dict[str, str] = Field(
        default_factory=dict,
        description="Rewrite registries for every image reference, e.g. {docker.io: registry.corp/dockerhub}.",
    )
    registry: str | None = Field(None, description="Registry for production images (cluster export).")


class Spec(Strict):
    """The whole devenv.yaml."""

    name: Name = Field(description="Project name (DNS-1123 label); the Compose project name.")
    services: dict[Name, Service] = Field(default_factory=dict)
    dependencies: dict[Name, Dependency] = Field(default_factory=dict)
    images: Images = Field(default_factory=Images)
    ca_certificates: str | None = Field(
        None, description="PEM bundle of extra CA certificates trusted by every build (corporate proxies)."
    )

    def component(self, name: str) -> Service | Dependency | None:
        """A service or a dependency by name."""
        return self.services.get(name) or self.dependencies.get(name)
