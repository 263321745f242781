"""A loaded project: the validated spec plus what was read around it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from devenv.errors import UsageError
from devenv.spec.dockerfile import DockerfileInfo
from devenv.spec.model import Spec
from devenv.spec.yamlsource import Positions

COMPOSE_FILE = "docker-compose.yml"


@dataclass(frozen=True)
class MachineSettings:
    """Per-machine settings that are not the project's business (a corporate mirror, a CA).

    ``DEVENV_IMAGES_MIRROR="docker.io=registry.corp/hub,ghcr.io=registry.corp/ghcr"`` adds
    mirror rules on top of ``images.mirror``; ``DEVENV_CA_CERTIFICATES=/path/ca.pem`` is used
    when the spec names no ``ca_certificates``.
    """

    mirror: dict[str, str] = field(default_factory=dict)
    ca_certificates: str | None = None
    polling: bool = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> MachineSettings:
        """Read DEVENV_IMAGES_MIRROR and DEVENV_CA_CERTIFICATES."""
        mirror: dict[str, str] = {}
        raw = environ.get("DEVENV_IMAGES_MIRROR", "").strip()
        for item in filter(None, (part.strip() for part in raw.split(","))):
            source, sep, target = item.partition("=")
            if not sep or not source.strip() or not target.strip():
                raise UsageError(
                    f"DEVENV_IMAGES_MIRROR: '{item}' is not REGISTRY=MIRROR",
                    hint="for example DEVENV_IMAGES_MIRROR=docker.io=registry.corp/dockerhub",
                )
            mirror[source.strip()] = target.strip()
        ca = environ.get("DEVENV_CA_CERTIFICATES", "").strip() or None
        if ca is not None and not Path(ca).is_file():
            raise UsageError(f"DEVENV_CA_CERTIFICATES: file '{ca}' does not exist")
        polling = environ.get("DEVENV_POLLING", "").strip().lower() in ("1", "true", "yes", "on")
        return cls(mirror=mirror, ca_certificates=ca, polling=polling)


@dataclass(frozen=True)
class Project:
    """Everything rendering needs, read once from disk."""

    root: Path
    spec_path: Path
    spec: Spec
    positions: Positions = field(default_factory=Positions, compare=False, repr=False)
    dockerfiles: dict[str, DockerfileInfo] = field(default_factory=dict)
    machine: MachineSettings = field(default_factory=MachineSettings)

    @property
    def name(self) -> str:
        """The project (and Compose project) name."""
        return self.spec.name

    @property
    def compose_path(self) -> Path:
        """Where the generated compose file goes."""
        return self.root / COMPOSE_FILE

    @property
    def mirror(self) -> dict[str, str]:
        """Mirror rules in force: the spec's, overlaid by the machine's."""
        return {**self.spec.images.mirror, **self.machine.mirror}

    @property
    def polling(self) -> bool:
        """Polling file watchers: the spec's develop.polling or the machine's DEVENV_POLLING."""
        return self.spec.develop.polling or self.machine.polling

    @property
    def ca_certificates(self) -> str | None:
        """The CA bundle every build trusts: the spec's, else the machine's."""
        return self.spec.ca_certificates or self.machine.ca_certificates
