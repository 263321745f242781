"""`devenv test [SERVICE...]`: each service's tests, inside its dev image, dependencies up.

The tests run in a separate Compose project, ``<project>-test``, made from the same
rendered model as `devenv up` but with no published ports: test data never lands
in the development databases, a running `devenv up` is left alone and host ports
cannot clash. The dev images are shared (same tags), so a built environment is not
rebuilt. Per service: ``docker compose run --rm -T SERVICE <test command>`` starts
what it depends on (waiting for health) and runs the command from ``test:`` in
devenv.yaml. The test project is removed afterwards, volumes included. The generated
files are brought in line first, as `devenv up` does: the services mount devenv's
programs (the reloader, health probes) from ``.devenv/programs/``, and on a fresh
checkout nothing has written them yet.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from typing import Any

from devenv.errors import DevenvError, UsageError
from devenv.events import Event, ServiceTestResult, Step, TestSummary
from devenv.generate import generate
from devenv.project import Project
from devenv.render.compose import render_compose
from devenv.render.yamlout import dump_yaml
from devenv.runtime.compose_cli import build_failed, temporary_compose
from devenv.scaffold.templates import TMP_DIR

TAIL_LINES = 40

__all__ = ["ServiceTestResult", "TestSummary", "TestsFailed", "compose_model_for_tests", "plan_tests", "run_tests"]


class TestsFailed(DevenvError):
    """One or more services' tests failed."""

    __test__ = False  # not a pytest test class


def project_name_for_tests(project: Project) -> str:
    """``<project>-test``: the Compose project the tests run in."""
    return f"{project.name}-test"


def compose_model_for_tests(project: Project, rendered: dict[str, Any] | None = None) -> dict[str, Any]:
    """The compose model for tests: the dev model (``rendered``, or rendered now), renamed, no published ports."""
    data = copy.deepcopy(render_compose(project).data if rendered is None else rendered)
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
    results: list[ServiceTestResult] = []
    generated = generate(project)  # the programs the services mount, on a checkout never brought up
    text = dump_yaml(compose_model_for_tests(project, generated.data), header="devenv test: temporary compose file")
    down = ("down", "--volumes", "--remove-orphans", "--timeout", "5")
    with temporary_compose(project.root, project.root / TMP_DIR, "test-compose-", text, down) as compose:
        to_build = _needs_build(project, chosen)
        if build and to_build:
            yield Step("building " + ", ".join(to_build))
            code, output = yield from compose.stream("build", *to_build, source="build", progress="plain")
            if code != 0:
                raise build_failed(to_build, output, "devenv test")
        for name in chosen:
            command = list(project.spec.services[name].test or [])
            yield Step(f"testing {name}: {' '.join(command)}")
            started = time.monotonic()
            argv = ("run", "--rm", "-T", "-e", "NO_COLOR=1", name, *command)
            code, lines = yield from compose.stream(*argv, source=name)
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
    yield TestSummary(project=project.name, results=results, skipped=skipped)
