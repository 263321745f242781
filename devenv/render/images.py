"""Image references: normalisation and registry mirrors."""

from __future__ import annotations

from devenv.spec.dockerfile import DockerfileInfo

DEFAULT_REGISTRY = "docker.io"


def split_reference(ref: str) -> tuple[str, str]:
    """``postgres:16`` -> (``docker.io``, ``library/postgres:16``); ``ghcr.io/a/b:1`` -> (``ghcr.io``, ``a/b:1``)."""
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return first, rest
    if not sep:
        return DEFAULT_REGISTRY, f"library/{ref}"
    return DEFAULT_REGISTRY, ref


def mirror_image(ref: str, mirror: dict[str, str]) -> str:
    """Rewrite ``ref`` through the longest matching mirror rule; unmatched refs stay as written.

    Rules match a registry (``docker.io``) or a registry path prefix (``ghcr.io/acme``).
    """
    if not mirror:
        return ref
    registry, path = split_reference(ref)
    full = f"{registry}/{path}"
    best = None
    for source in mirror:
        src = source.rstrip("/")
        if src == "index.docker.io":
            src = DEFAULT_REGISTRY
        if full.startswith(src + "/") and (best is None or len(src) > len(best[0])):
            best = (src, mirror[source].rstrip("/"))
    if best is None:
        return ref
    return best[1] + full[len(best[0]):]


def mirrored_base_args(info: DockerfileInfo | None, mirror: dict[str, str]) -> dict[str, str]:
    """Build args pointing a Dockerfile's ``ARG BASE_IMAGE=...`` defaults through the mirror (those it changes)."""
    if info is None:
        return {}
    args: dict[str, str] = {}
    for arg, default in sorted(info.base_image_args().items()):
        mirrored = mirror_image(default, mirror)
        if mirrored != default:
            args[arg] = mirrored
    return args
