"""The service templates devenv ships, their versions, and the snapshots kept per project.

Templates live in ``service_templates/<name>/`` (a Copier template: ``copier.yml``
plus ``template/``) at the top of the repository; the wheel ships that directory as
package data, ``devenv/service_templates/`` (pyproject.toml). They are looked up in
this order: ``$DEVENV_TEMPLATES`` (a fork, a test copy), the installed package data,
the checkout beside the package (an editable install, or running from the source tree).

Versions. A template's version is the hash of its content (paths, bytes, exec bits):
the same files give the same version on every machine, and any change gives a new
one. ``copier update`` needs the *old* template to replay the user's edits on the
new one, and an installed devenv only carries the current template, so every
version a project uses is kept in the project, in
``.devenv/templates/<template>-<version>.tar.gz`` (small, deterministic, committed
with the project). `devenv update` rebuilds a throw-away git repository from the
old snapshot and the current template, tagged ``1.0.0`` and ``2.0.0``, and runs
``copier update`` against it (see :mod:`devenv.scaffold.update`).
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.resources
import io
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

from devenv.errors import DevenvError, UsageError

SERVICE_TEMPLATES = ("backend", "frontend", "worker")
PROJECT_TEMPLATE = "project"
SNAPSHOT_DIR = Path(".devenv") / "templates"
TMP_DIR = Path(".devenv") / "tmp"
ANSWERS_FILE = ".copier-answers.yml"
SOURCE_PREFIX = "devenv:"  # _src_path in answers files: devenv:<template>
_SKIP_PARTS = {"__pycache__", ".git", "node_modules", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


@dataclass(frozen=True)
class ServiceKind:
    """What devenv writes into devenv.yaml for a service made from a template."""

    template: str
    port: int
    health: str
    public: bool
    test: tuple[str, ...]


KINDS: dict[str, ServiceKind] = {
    "backend": ServiceKind("backend", 8000, "/healthz", True, ("pytest", "-q")),
    "worker": ServiceKind("worker", 8000, "/healthz", False, ("pytest", "-q")),
    "frontend": ServiceKind("frontend", 5173, "/", True, ("vitest", "run")),
}


def _template_roots() -> list[Path]:
    """Where an installed or checked-out devenv keeps its templates, in lookup order."""
    roots: list[Path] = []
    packaged = importlib.resources.files("devenv") / "service_templates"
    if isinstance(packaged, Path):  # not when devenv is imported from a zip: copier needs a directory
        roots.append(packaged)
    roots.append(Path(__file__).resolve().parents[2] / "service_templates")
    return roots


def templates_root() -> Path:
    """Where the templates are: $DEVENV_TEMPLATES, else the package data, else the checkout."""
    override = os.environ.get("DEVENV_TEMPLATES", "").strip()
    if override:
        root = Path(override)
        if not root.is_dir():
            raise DevenvError(
                f"service templates not found in '{root}' (DEVENV_TEMPLATES)",
                hint="point DEVENV_TEMPLATES at a service_templates directory, or unset it",
            )
        return root
    candidates = _template_roots()
    for root in candidates:
        if root.is_dir():
            return root
    tried = ", ".join(f"'{root}'" for root in candidates)
    raise DevenvError(
        f"service templates not found (looked in {tried})",
        hint="reinstall devenv (pip install --force-reinstall devenv-compose), "
        "or set DEVENV_TEMPLATES to the service_templates directory of a devenv checkout",
    )


def template_dir(name: str) -> Path:
    """The directory of one template (holds copier.yml)."""
    path = templates_root() / name
    if not (path / "copier.yml").is_file():
        known = ", ".join(SERVICE_TEMPLATES)
        raise UsageError(f"no template '{name}' in {path.parent}", hint=f"templates: {known}")
    return path


def template_files(root: Path) -> list[Path]:
    """The template's files, sorted, without caches."""
    return sorted(
        p for p in root.rglob("*") if p.is_file() and not (_SKIP_PARTS & set(p.relative_to(root).parts))
    )


def template_version(root: Path) -> str:
    """12 hex digits of the hash of the template's content."""
    digest = hashlib.sha256()
    for path in template_files(root):
        rel = path.relative_to(root).as_posix()
        digest.update(rel.encode() + b"\0")
        digest.update(b"x" if os.access(path, os.X_OK) else b"-")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def snapshot_bytes(root: Path) -> bytes:
    """A deterministic .tar.gz of the template (same content, same bytes)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in template_files(root):
            info = tarfile.TarInfo(path.relative_to(root).as_posix())
            data = path.read_bytes()
            info.size = len(data)
            info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def snapshot_path(project_root: Path, template: str, version: str) -> Path:
    """Where a project keeps one version of a template."""
    return project_root / SNAPSHOT_DIR / f"{template}-{version}.tar.gz"


def save_snapshot(project_root: Path, template: str, root: Path, version: str) -> Path | None:
    """Keep this template version in the project; returns the path when it was new."""
    path = snapshot_path(project_root, template, version)
    if path.is_file():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(snapshot_bytes(root))
    os.replace(tmp, path)
    return path


def extract_snapshot(path: Path, dest: Path) -> None:
    """Unpack a snapshot made by :func:`snapshot_bytes` (regular files only, no escapes)."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, mode="r:gz") as tar:
        for member in tar.getmembers():
            target = (dest / member.name).resolve()
            if not member.isfile() or dest.resolve() not in target.parents:
                raise DevenvError(f"{path}: unexpected entry '{member.name}'")
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            target.write_bytes(source.read())
            target.chmod(0o755 if member.mode & 0o111 else 0o644)
