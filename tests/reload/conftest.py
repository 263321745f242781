"""The reloader as containers get it: the files of reloader_files() written into a directory
of another name, outside devenv, and run as ``python DIR run ...``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest

from devenv.reload import reloader_files

SCRIPT = """\
import signal, sys, time
from helper import VERSION
open("seen.txt", "a").write(f"{VERSION}\\n")
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while True:
    time.sleep(0.02)
"""


def ship(directory: Path) -> Path:
    """Write the reloader's files into ``directory`` (as devenv does next to the compose file)."""
    for name, text in reloader_files().items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return directory


@pytest.fixture(scope="session")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped reloader, in a directory named unlike the package (devenv/reload)."""
    return ship(tmp_path_factory.mktemp("programs") / "shipped_reloader")


class Running:
    """The reloader in `run` mode around ``script`` (default SCRIPT, which appends each VERSION
    it starts with to seen.txt), in ``root``."""

    def __init__(self, root: Path, command: list[str], *extra: str, env: dict[str, str] | None = None,
                 script: str = SCRIPT):  # fmt: skip
        self.root = root
        (root / "job.py").write_text(script)
        self.log: IO[str] = open(root / "reloader.log", "w")  # noqa: SIM115 - closed by stop() or the fixture
        self.proc = subprocess.Popen(
            [*command, "run", "--stop-timeout", "5", *extra, "job.py"],
            cwd=root,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})},
        )

    def seen(self) -> list[str]:
        path = self.root / "seen.txt"
        return path.read_text().split() if path.exists() else []

    def wait_for(self, version: str, timeout: float = 15.0) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.seen() and self.seen()[-1] == version:
                return time.monotonic() - started
            assert self.proc.poll() is None, self.output()
            time.sleep(0.01)
        raise AssertionError(f"version {version} never ran; ran {self.seen()}\n{self.output()}")

    def output(self) -> str:
        return (self.root / "reloader.log").read_text()

    def wait_output(self, text: str, timeout: float = 10.0) -> str:
        """The output once it holds ``text``: the reloader logs from its own process, on its own time."""
        deadline = time.monotonic() + timeout
        while text not in (out := self.output()):
            assert time.monotonic() < deadline, f"{text!r} never logged:\n{out}"
            time.sleep(0.02)
        return out

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(15)
        finally:
            self.log.close()


@pytest.fixture
def running(tmp_path: Path, shipped: Path) -> Iterator[Callable[..., Running]]:
    """start(*extra, env=None, command=None, script=SCRIPT): the reloader running SCRIPT in tmp_path,
    VERSION 1 seen. ``command`` defaults to ``python <shipped dir>``."""
    made: list[Running] = []

    def start(*extra: str, env: dict[str, str] | None = None, command: list[str] | None = None,
              script: str = SCRIPT) -> Running:  # fmt: skip
        (tmp_path / "helper.py").write_text("VERSION = 1\n")
        made.append(Running(tmp_path, command or [sys.executable, str(shipped)], *extra, env=env, script=script))
        made[-1].wait_for("1")
        return made[-1]

    yield start
    for item in made:
        if item.proc.poll() is None:
            item.proc.kill()
            item.proc.wait()
        item.log.close()
