"""The spec's fields for what real compose services say: ports, volumes, env files, secrets, ...

Services (:class:`devenv.spec.model.Service`) take these fields from :class:`ServiceFields`;
how each renders to Compose is :mod:`devenv.render.service_fields`, and to Kubernetes
:mod:`devenv.render.k8s.service_fields` (or why `devenv export k8s` refuses it).
Short forms are accepted where Compose has them (``"9001:9001/udp"``, ``"cache:/var/cache"``,
``"./conf/app.ini:/etc/app.ini:ro"``) and read into the same models as the long ones.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

PROFILE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
SECRET = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
VOLUME_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
CAPABILITY = re.compile(r"^[A-Z][A-Z0-9_]*$")
DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$")
SIZE = re.compile(r"^[0-9]+[bkmg]?$", re.IGNORECASE)
_PORT_TEXT = re.compile(r"^(?:(?P<host>[0-9]+):)?(?P<container>[0-9]+)(?:/(?P<protocol>tcp|udp))?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _absolute(value: str) -> str:
    if not value.startswith("/"):
        raise ValueError(f"'{value}' must be an absolute path inside the container")
    return value


def _pattern(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"'{value}' is not a valid {what}")
        return value

    return AfterValidator(check)


def _whole(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {value!r}")
    return value


def _strict_flag(value: object) -> object:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


Flag = Annotated[bool, BeforeValidator(_strict_flag)]
ContainerPath = Annotated[str, AfterValidator(_absolute)]
PortNumber = Annotated[int, BeforeValidator(_whole), Field(ge=1, le=65535)]
Duration = Annotated[str, _pattern(DURATION, "duration (use e.g. '10s', '1m30s')")]
Capability = Annotated[str, _pattern(CAPABILITY, "capability (upper case, like NET_ADMIN)")]
Profile = Annotated[str, _pattern(PROFILE, "profile name")]
SecretName = Annotated[str, _pattern(SECRET, "secret name (letters, digits, '_', '.', '-')")]


def _port_text(value: object) -> object:
    """``9001``, ``"8080:80"``, ``"5353:53/udp"`` -> the long form."""
    if isinstance(value, int) and not isinstance(value, bool):
        return {"container": value}
    if isinstance(value, str):
        match = _PORT_TEXT.match(value)
        if not match:
            raise ValueError(f"'{value}' is not a port: use CONTAINER, HOST:CONTAINER or HOST:CONTAINER/udp")
        out: dict[str, Any] = {"container": int(match["container"])}
        if match["host"]:
            out["host"] = int(match["host"])
        if match["protocol"]:
            out["protocol"] = match["protocol"]
        return out
    return value


class PortMapping(_Strict):
    """One more port the container listens on, published on the host when ``host`` is set."""

    container: PortNumber = Field(description="The port inside the container.")
    host: PortNumber | None = Field(
        None, description="Publish it on this host port (on 127.0.0.1 unless host_ip says otherwise)."
    )
    protocol: Literal["tcp", "udp"] = Field("tcp", description="tcp or udp.")
    host_ip: str | None = Field(None, description="The host address it is published on; default 127.0.0.1.")

    @model_validator(mode="after")
    def _ip_needs_host(self) -> PortMapping:
        if self.host_ip is not None and self.host is None:
            raise ValueError("'host_ip' needs a 'host' port to publish")
        return self


Port = Annotated[PortMapping, BeforeValidator(_port_text)]


def _volume_text(value: object) -> object:
    """``name:/path[:ro]`` (a named volume) or ``./dir:/path[:ro]`` (a bind mount) -> the long form."""
    if not isinstance(value, str):
        return value
    parts = value.split(":")
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ("ro", "rw")):
        raise ValueError(
            f"'{value}' is not a volume: use NAME:/path, ./path:/path (a bind mount), with ':ro' for read-only"
        )
    source, target = parts[0], parts[1]
    out: dict[str, Any] = {"target": target}
    if source.startswith((".", "/", "~")):
        out["bind"] = source
    else:
        out["volume"] = source
    if len(parts) == 3 and parts[2] == "ro":
        out["read_only"] = True
    return out


class VolumeMount(_Strict):
    """One mount: a named volume, a bind mount of a project file or directory, or a tmpfs."""

    target: ContainerPath = Field(description="Where it is mounted in the container.")
    volume: Annotated[str, _pattern(VOLUME_NAME, "volume name")] | None = Field(
        None, description="A named volume (kept by `devenv down`; a PersistentVolumeClaim in clusters)."
    )
    bind: str | None = Field(
        None,
        description="A file or directory of the project (./conf/app.ini) bind-mounted; in clusters a file "
        "becomes a ConfigMap, a directory is refused.",
    )
    tmpfs: Flag = Field(False, description="A memory file system (an emptyDir of medium Memory in clusters).")
    size: Annotated[str, _pattern(SIZE, "size (bytes, or with k, m or g)")] | None = Field(
        None, description="A tmpfs's size limit, like '64m'."
    )
    read_only: Flag = Field(False, description="Mounted read-only.")

    @model_validator(mode="after")
    def _one_source(self) -> VolumeMount:
        sources = [self.volume is not None, self.bind is not None, self.tmpfs]
        if sum(sources) != 1:
            raise ValueError("say exactly one of 'volume' (a name), 'bind' (a project path) or 'tmpfs: true'")
        if self.size is not None and not self.tmpfs:
            raise ValueError("'size' is a tmpfs's size; it has no meaning for a volume or a bind mount")
        if self.tmpfs and self.read_only:
            raise ValueError("a read-only tmpfs holds nothing; leave out 'read_only'")
        return self

    @property
    def kind(self) -> Literal["volume", "bind", "tmpfs"]:
        """Which of the three it is."""
        if self.volume is not None:
            return "volume"
        return "bind" if self.bind is not None else "tmpfs"


Volume = Annotated[VolumeMount, BeforeValidator(_volume_text)]


def _env_file_text(value: object) -> object:
    return {"path": value} if isinstance(value, str) else value


class EnvFile(_Strict):
    """A file of KEY=VALUE lines Compose reads into the environment."""

    path: Annotated[str, Field(min_length=1)] = Field(description="The file, relative to the project.")
    required: Flag = Field(True, description="false: a missing file is skipped.")


def _command_form(value: object) -> object:
    if isinstance(value, list) and not value:
        raise ValueError("a health command needs at least one word")
    return value


_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h)")
_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration_seconds(text: str) -> float | None:
    """``1m30s`` -> 90.0: a Compose duration in seconds; None for what is not one."""
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        return None
    return sum(float(number) * _SECONDS[unit] for number, unit in parts)


class HealthTiming(_Strict):
    """How often the health check runs (Compose's healthcheck timing); devenv's defaults otherwise."""

    interval: Duration | None = None
    timeout: Duration | None = None
    retries: Annotated[int, BeforeValidator(_whole), Field(ge=1)] | None = None
    start_period: Duration | None = None


class ServiceFields(BaseModel):
    """The fields a :class:`devenv.spec.model.Service` takes for what compose apps say."""

    ports: list[Port] = Field(
        default_factory=list,
        description="More ports besides 'port': CONTAINER, HOST:CONTAINER[/udp] or {container, host, protocol, "
        "host_ip}; published on 127.0.0.1 by default.",
    )
    volumes: list[Volume] = Field(
        default_factory=list,
        description="Mounts: NAME:/path (named volume), ./path:/path[:ro] (bind mount) or {tmpfs: true, target, size}.",
    )
    env_file: list[Annotated[EnvFile, BeforeValidator(_env_file_text)]] = Field(
        default_factory=list,
        description="Files of KEY=VALUE lines read into the environment (paths or {path, required}).",
    )
    secrets: dict[SecretName, Annotated[str, Field(min_length=1)]] = Field(
        default_factory=dict,
        description="File-based secrets, {name: file in the project}, mounted on /run/secrets/<name>.",
    )
    health_command: Annotated[str | list[str], BeforeValidator(_command_form)] | None = Field(
        None,
        description="A command-based health check: a list (run as is) or a text (run by /bin/sh); "
        "instead of the HTTP 'health' path.",
    )
    health_timing: HealthTiming | None = Field(
        None, description="interval, timeout, retries, start_period of the health check (Compose durations)."
    )
    entrypoint: list[str] | None = Field(None, description="Entrypoint override, as a list of arguments.")
    user: Annotated[str, Field(min_length=1)] | None = Field(
        None, description="User (and group) to run as: 'uid[:gid]'."
    )
    working_dir: ContainerPath | None = Field(None, description="Working directory inside the container.")
    build_args: dict[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")], str] = Field(
        default_factory=dict, description="Build arguments (ARG) for a built service."
    )
    cap_add: list[Capability] = Field(default_factory=list, description="Linux capabilities to add.")
    cap_drop: list[Capability] = Field(default_factory=list, description="Linux capabilities to drop.")
    profiles: list[Profile] = Field(
        default_factory=list,
        description="Started only when one of these profiles is asked for (`devenv up --profile`).",
    )

    def check_fields(self) -> None:
        """Rules across these fields (called from the service's own check)."""
        if self.health_timing is not None and self.health_command is None and not getattr(self, "health", None):
            raise ValueError("'health_timing' needs a health check: 'health' or 'health_command'")
        if self.health_command is not None and getattr(self, "health", None):
            raise ValueError("'health' (an HTTP path) and 'health_command' exclude each other: keep one")
        if self.build_args and getattr(self, "image", None) is not None:
            raise ValueError("'build_args' are for a service built from 'path'; they have no meaning with 'image'")
        targets = [volume.target for volume in self.volumes]
        doubled = sorted({t for t in targets if targets.count(t) > 1})
        if doubled:
            raise ValueError(f"two volumes are mounted on {doubled[0]}")


__all__ = ["EnvFile", "HealthTiming", "PortMapping", "ServiceFields", "VolumeMount", "duration_seconds"]
