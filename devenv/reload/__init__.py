"""devenv's reloader for Python services (see reloader.py), and how compose delivers it."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

RELOADER = Path(__file__).with_name("reloader.py")


@cache
def reloader_source() -> str:
    """The reloader script, as it is mounted into containers."""
    return RELOADER.read_text(encoding="utf-8")


@cache
def reloader_digest() -> str:
    """A short digest of the script: changes when devenv ships a new reloader."""
    return hashlib.sha256(reloader_source().encode()).hexdigest()[:16]
