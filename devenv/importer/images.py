"""Image references: Docker's normal form, and which dependency kind an image is. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from devenv import kinds
from devenv.kinds import DependencyKind

DOCKER_HUB = "docker.io"
_HUB_NAMES = ("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com")


@dataclass(frozen=True)
class ImageRef:
    """``registry/path:tag@digest``, split; ``registry`` is empty for Docker Hub references without one."""

    registry: str
    path: str
    tag: str
    digest: str

    @property
    def hub(self) -> bool:
        """True for Docker Hub (no registry, or one of its names)."""
        return not self.registry or self.registry in _HUB_NAMES

    def normal(self) -> str:
        """What Docker pulls: ``postgres`` -> ``docker.io/library/postgres:latest``."""
        registry = DOCKER_HUB if self.hub else self.registry
        path = f"library/{self.path}" if self.hub and "/" not in self.path else self.path
        tag = self.tag or ("" if self.digest else "latest")
        return f"{registry}/{path}" + (f":{tag}" if tag else "") + (f"@{self.digest}" if self.digest else "")


def parse_image(reference: str) -> ImageRef:
    """Split an image reference the way Docker reads it (the first part is a registry when it has . or :)."""
    rest, _, digest = reference.partition("@")
    registry = ""
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first, remainder
    path, tag = rest, ""
    last = rest.rsplit("/", 1)[-1]
    if ":" in last:
        path, tag = rest.rsplit(":", 1)
    return ImageRef(registry=registry.lower(), path=path, tag=tag, digest=digest)


def normal_image(reference: str) -> str:
    """``reference`` as Docker reads it (equal images compare equal)."""
    return parse_image(reference).normal()


def _repository_path(ref: ImageRef) -> str:
    """The image's repository, without ``library/`` on Docker Hub."""
    return ref.path.removeprefix("library/") if ref.hub else ref.path


def kind_of_image(reference: str) -> DependencyKind | None:
    """The kind whose official image ``reference`` is (any tag; also through ``library/``, another registry
    or a mirror path ending in the repository), or None.

    On Docker Hub the repository must be the official one (``bitnami/redis`` is another image);
    on another registry, a path that ends with ``[library/]<repository>`` counts (mirrors keep it).
    """
    ref = parse_image(reference)
    path = _repository_path(ref)
    for kind in kinds.kinds().values():
        repository = kind.repository
        if path == repository:
            return kind
        if not ref.hub and path.endswith(f"/{repository}"):
            return kind
    return None


def image_for(kind: DependencyKind, reference: str) -> tuple[str | None, str | None]:
    """(version, image override) that make a dependency of ``kind`` run exactly ``reference``."""
    ref = parse_image(reference)
    version = ref.tag or (None if ref.digest else "latest")
    if version is not None and kind.image(version) == reference:
        return version, None
    return version, reference
