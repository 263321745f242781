"""HTTP health probes that run inside service containers, one per runtime the image is known to have.

``http_probe.py`` (images with Python: the backend and worker templates),
``http_probe.mjs`` (images with Node.js: the frontend template) and ``http_probe.sh``
(any other image: curl, wget or BusyBox wget). Each takes the URL as its only argument
and exits 0 when it answers 2xx or 3xx. They are generated next to the compose file
(``.devenv/programs/health/``) and bind-mounted read-only at ``/devenv/health``.
"""

from __future__ import annotations

from pathlib import Path

PROBES_DIR = Path(__file__).parent
PYTHON = "http_probe.py"
NODE = "http_probe.mjs"
SHELL = "http_probe.sh"


def probe_files() -> dict[str, str]:
    """{file name: text} of the probes, sorted."""
    return {name: (PROBES_DIR / name).read_text(encoding="utf-8") for name in sorted((PYTHON, NODE, SHELL))}
