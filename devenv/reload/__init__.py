"""devenv-reload: a preloading fork-server reloader for Python services in development.

    python /devenv/reload serve MODULE:APP [--host 0.0.0.0] [--port 8000] [--log-config FILE] [--no-access-log]
    python /devenv/reload run -m MODULE [ARG...]
    python /devenv/reload run SCRIPT [ARG...]

The parent process imports the heavy libraries once (FastAPI, uvicorn, pydantic,
psycopg, redis, ... and whatever third-party modules the app imported last time),
watches the code (inotify; polling with DEVENV_POLLING=1) and, for every change,
forks a fresh child that imports the code anew. Nothing of the app's code is ever
imported in the parent, so each child runs exactly what is on disk.

serve: the parent holds the listening socket, so no connection is refused during a
  swap. The new child imports the app and runs its startup; only then the old child
  stops accepting and the new one starts (connections wait in the socket's backlog
  for the few milliseconds in between). If the new code fails to import or start,
  the parent answers 503 with the error until the next change.
run:  the old child is stopped first (SIGTERM, then SIGKILL after --stop-timeout
  seconds: a worker finishes its current job), then the new one starts.

No edit is lost: changes made while a child starts are noticed (events, and a
re-check of the files' stat and content after each reload) and start another one.
Code is always compiled from source, so a stale __pycache__ never masks an edit.
Settings (environment): DEVENV_POLLING / WATCHFILES_FORCE_POLLING (poll instead of
inotify), DEVENV_RELOAD_POLL_MS (250), DEVENV_RELOAD_DEBOUNCE_MS (10),
DEVENV_RELOAD_PRELOAD (more modules to import up front, comma-separated),
DEVENV_RELOAD_LEARN=0 (do not import what the app used).

This package (devenv/reload) is standard library only, and its modules import each other
relatively: devenv writes its files (reloader_files()) into a directory generated next to
the compose file, bind-mounted read-only at /devenv/reload, and containers run that
directory as a script (__main__.py). On the host: python -m devenv.reload.

This module itself holds only the host's helpers (standard library too, so it is harmless
when the package is imported in a container): the files to ship, and their digest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

RELOADER_DIR = Path(__file__).resolve().parent


def reloader_files(directory: Path = RELOADER_DIR) -> dict[str, str]:
    """The reloader's files as shipped into containers: {relative path: text}, sorted (every
    *.py of the package and its data files, *.txt; none from __pycache__)."""
    paths = (
        path
        for pattern in ("*.py", "*.txt")
        for path in directory.rglob(pattern)
        if "__pycache__" not in path.relative_to(directory).parts
    )
    return {path.relative_to(directory).as_posix(): path.read_text(encoding="utf-8") for path in sorted(paths)}


def reloader_digest(directory: Path = RELOADER_DIR) -> str:
    """A short digest of the files' names and contents: changes when devenv ships a new reloader."""
    digest = hashlib.sha256()
    for name, text in reloader_files(directory).items():
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()[:16]
