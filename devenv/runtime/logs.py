"""`devenv logs`: the project's container logs, through `docker compose logs`."""

from __future__ import annotations

from collections.abc import Iterator

from devenv.errors import UsageError
from devenv.generate import generate
from devenv.project import Project
from devenv.runtime.compose_cli import ComposeCLI
from devenv.runtime.engine import Engine


def logs(project: Project, services: list[str], *, follow: bool = False, tail: int | None = None) -> Iterator[str]:
    """Yield log lines (prefixed with the service name) until done, or forever with ``follow``."""
    result = generate(project)
    known = set(result.data["services"])
    for name in services:
        if name not in known:
            raise UsageError(f"no service or dependency named '{name}'", hint="known: " + ", ".join(known))
    Engine.connect()
    compose = ComposeCLI.locate(project.root, project.compose_path)
    args = ["logs", "--no-color"]
    if follow:
        args.append("--follow")
    if tail is not None:
        args += ["--tail", str(tail)]
    running = compose.start(*args, *services)
    try:
        while True:
            line = running.lines.get()
            if line is None:
                break
            yield line
        running.wait()
    finally:
        running.stop()
