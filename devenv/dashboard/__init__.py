"""devenv's local observability dashboard: an OTLP/HTTP receiver with a page for traces, logs and metrics.

It runs as the ``devenv-dashboard`` service of the generated compose file (see
:mod:`devenv.render.observability`): its files (every *.py, the page under static/, the
Dockerfile and requirements.txt of its image) are generated into
``.devenv/programs/dashboard/`` and bind-mounted at ``/devenv/dashboard``; the image holds
only its third-party packages (starlette, uvicorn, opentelemetry-proto) and is built
locally, through the project's mirror and CA settings, like any service's.

This module holds only the host's helpers (standard library), so importing the package in
the container costs nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

DASHBOARD_DIR = Path(__file__).resolve().parent
IMAGE_FILES = ("Dockerfile", "requirements.txt")
_SHIPPED = ("*.py", "static/*.html", "static/*.js", "static/*.css", *IMAGE_FILES)


def dashboard_files(directory: Path = DASHBOARD_DIR) -> dict[str, str]:
    """The dashboard's files as shipped into its container: {relative path: text}, sorted."""
    paths = {path for pattern in _SHIPPED for path in directory.glob(pattern)}
    return {path.relative_to(directory).as_posix(): path.read_text(encoding="utf-8") for path in sorted(paths)}


def image_digest(directory: Path = DASHBOARD_DIR) -> str:
    """12 hex characters over the image's files: the tag of the locally built image."""
    digest = hashlib.sha256()
    for name in IMAGE_FILES:
        digest.update(name.encode() + b"\0" + (directory / name).read_bytes() + b"\0")
    return digest.hexdigest()[:12]
