"""`devenv test [SERVICE...]`: each service's tests, inside its dev image, dependencies up.

The tests run in a separate Compose project, ``<project>-test``, made from the same
rendered model as `devenv up` but with no published ports: test data never lands
in the development databases, a running `devenv up` is left alone and host ports
cannot clash. The dev images are shared (same tags), so a built environment is not
rebuilt. Per service: ``docker compose run --rm -T SERVICE <test command>`` starts
what it depends on (waiting for health) and runs the command from ``test:`` in
devenv.yaml. The test project is removed afterwards, volumes included.
"""

from __future__ import annotations

import copy
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from devenv.errors import DevenvError, UsageError
from devenv.project import Project
from devenv.render.compose import render_compose
from devenv.render.yamlout import dump_yaml
from devenv.runtime.compose_cli import ComposeCLI, last_error_line
from devenv.runtime.events import Event, Output, Step
from devenv.scaffold.templates import TMP_DIR

TAIL_LINES = 40


class TestsFailed(DevenvError):
    """One or more services' tests failed."""

    __test__ = False  # not a pytest test class


@dataclass(frozen=True)
class ServiceTestResult(Event):
    """The outcome of one service's tests."""

    __test__ = False

    service: str
    command: list[str]
    passed: bool
    exit_code: int
    seconds: float
    tail: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TestSummary(Event):
    """Every service's outcome: the table at the end."""

    __test__ = False

    project: str
    results: list[ServiceTestResult]
    skipped: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        return [r.service for r in self.results if not r.passed]


def project_name_for_tests(project: Project) -> str:
    return f"{project.name}-test"


def compose_model_for_tests(project: Project) -> dict:
    """The compose model for tests: the dev model, renamed, without published ports."""
    data = copy.deepcopy(render_compose(project).data)
    data["name"] = project_name_for_tests(project)
    for entry in data["services"].values():
        entry.pop("ports", None)
    return data


def plan_tests(project: Project, services: list[str] | None) -> tuple[list[str], list[str]]:
    """(services to test, services skipped for want of a test command)."""
    spec = project.spec
    for name in services or []:
        if name not in spec.services:
            raise UsageError(f"'{name}' is not a service in devenv.yaml")
        if not spec.services[name].test:
            raise UsageError(
                f"service '{name}' has no test command",
                hint=f"add `test: [pytest, -q]` (the command, as a list) under services.{name} in devenv.yaml",
            )
    if services:
        return list(services), []
    chosen = [n for n, s in spec.services.items() if s.test]
    skipped = [n for n, s in spec.services.items() if not s.test]
    if not chosen:
        raise UsageError("no service has a test command", hint="add `test: [...]` to a service in devenv.yaml")
    return chosen, skipped


def _needs_build(project: Project, services: list[str]) -> list[str]:
    """The services and the services they depend on (transitively) that are built."""
    spec = project.spec
    seen: list[str] = []
    stack = list(services)
    while stack:
        name = stack.pop(0)
        if name in seen or name not in spec.services:
            continue
        seen.append(name)
        stack.extend(spec.services[name].depends_on)
    return [n for n in seen if spec.services[n].builds]


def run_tests(project: Project, services: list[str] | None = None, *, build: bool = True) -> Iterator[Event]:
    """Run the tests; yields Steps, Output lines, a ServiceTestResult each, then a TestSummary."""
    chosen, skipped = plan_tests(project, services)
    tmp_root = project.root / TMP_DIR
    tmp_root.mkdir(parents=True, exist_ok=True)
    fd, compose_path = tempfile.mkstemp(prefix="test-compose-", suffix=".yml", dir=tmp_root)
    os.close(fd)
    results: list[ServiceTestResult] = []
    compose: ComposeCLI | None = None
    try:
        with open(compose_path, "w", encoding="utf-8") as handle:
            handle.write(dump_yaml(compose_model_for_tests(project), header="devenv test: temporary compose file"))
        compose = ComposeCLI.locate(project.root, Path(compose_path))
        to_build = _needs_build(project, chosen)
        if build and to_build:
            yield Step("building " + ", ".join(to_build))
            yield from _stream(compose, "build", ("build", *to_build), progress="plain", check=True)
        for name in chosen:
            command = list(project.spec.services[name].test or [])
            yield Step(f"testing {name}: {' '.join(command)}")
            started = time.monotonic()
            lines: list[str] = []
            argv = ("run", "--rm", "-T", "-e", "NO_COLOR=1", name, *command)
            code = yield from _stream(compose, name, argv, sink=lines)
            result = ServiceTestResult(
                service=name,
                command=command,
                passed=code == 0,
                exit_code=code,
                seconds=round(time.monotonic() - started, 1),
                tail=lines[-TAIL_LINES:],
            )
            results.append(result)
            yield result
    finally:
        if compose is not None:
            try:
                compose.run("down", "--volumes", "--remove-orphans", "--timeout", "5", timeout=120)
            except (DevenvError, OSError, subprocess.TimeoutExpired):
                pass
        try:
            os.unlink(compose_path)
            tmp_root.rmdir()
        except OSError:
            pass
    yield TestSummary(project=project.name, results=results, skipped=skipped)


def _stream(
    compose: ComposeCLI,
    source: str,
    args: tuple[str, ...],
    *,
    progress: str | None = None,
    check: bool = False,
    sink: list[str] | None = None,
) -> Iterator[Event]:
    proc = compose.start(*args, progress=progress)
    try:
        while proc.poll() is None:
            for line in proc.new_lines():
                if sink is not None:
                    sink.append(line)
                yield Output(source=source, line=line)
            time.sleep(0.05)
        code = proc.wait()
        for line in proc.new_lines():
            if sink is not None:
                sink.append(line)
            yield Output(source=source, line=line)
    finally:
        proc.stop()
    if check and code != 0:
        tail = "\n".join(proc.output[-25:])
        raise DevenvError(
            f"building failed: {last_error_line(tail)}",
            hint="fix the Dockerfile or the build context, then run `devenv test` again",
            details=tail,
        )
    return code
