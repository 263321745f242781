"""`devenv check`: each service's checks, inside its dev image, in parallel across services.

Per service, one container runs all its checks one after another (``run.sh``, mounted
read-only), so the image starts once: ``docker compose run --rm --no-deps -T SERVICE sh
/devenv/checks/run.sh TOKEN KIND PROBE COMMAND ...``. The checks run in a Compose
project of their own, ``<project>-check``, rendered from the dev model with every
``depends_on`` dropped and no published ports: a check needs no database (the service
gets no connection settings, so tests that need one are left to ``--integration``) and
a running `devenv up` is left alone. The dev images are shared (same tags).

Integration checks run in the development project itself (``docker compose run --rm
--no-deps`` on the running environment's network, after `devenv up`), against the real
database and queue.

Services run in parallel, as many at a time as the machine has CPUs (at most the number
of services). Each check's output is read by its format (:mod:`devenv.checks.parsers`).
"""

from __future__ import annotations

import os
import secrets
import shlex
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from devenv.checks.parsers import parse
from devenv.checks.plan import INTEGRATION, PlannedCheck, ServicePlan, plan_checks, template_checks
from devenv.errors import DevenvError, UsageError
from devenv.events import CheckOutcome, CheckSummary, Event, ServiceCheckResult, Step
from devenv.generate import generate
from devenv.project import Project
from devenv.render.compose import render_compose
from devenv.render.yamlout import dump_yaml
from devenv.runtime.compose_cli import ComposeCLI, RunningCompose, build_failed, temporary_compose
from devenv.scaffold.templates import TMP_DIR, template_dir
from devenv.spec.checks_model import ProjectChecks

RUN_SCRIPT = Path(__file__).with_name("run.sh")
MOUNT = "/devenv/checks/run.sh"
MARK = "@@devenv-check"
OUTPUT_LINES = 40
POLL_SECONDS = 0.05


class ChecksFailed(DevenvError):
    """One or more required checks failed."""


@dataclass
class RawCheck:
    """What run.sh printed for one check."""

    kind: str
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    probe: list[str] | None = None  # the probe's output, when it failed
    code: int | None = None
    started: float = 0.0
    ended: float = 0.0


def read_markers(lines: list[tuple[float, str]], token: str) -> dict[str, RawCheck]:
    """Split run.sh's (time, line) output into each check's stdout, stderr, exit code and times."""
    checks: dict[str, RawCheck] = {}
    current: RawCheck | None = None
    into: list[str] | None = None
    prefix = f"{MARK} {token} "
    for stamp, line in lines:
        if line.startswith(prefix):
            what, kind, *rest = line[len(prefix) :].split(" ")
            if what == "begin":
                current = checks[kind] = RawCheck(kind, started=stamp)
                into = None
            elif current is not None and what == "skip":
                current.probe = into = []
            elif current is not None and what in ("stdout", "stderr"):
                into = current.stdout if what == "stdout" else current.stderr
            elif current is not None and what == "end":
                current.code, current.ended, into = int(rest[0]), stamp, None
            continue
        if into is not None:
            into.append(line)
    for raw in checks.values():  # each part ends with the newline printed before the next marker
        for part in (raw.stdout, raw.stderr, raw.probe or []):
            if part and part[-1] == "":
                part.pop()
    return checks


def outcome_of(passed: int, failed: int, warnings: int, skipped: bool, required: bool) -> CheckOutcome:
    """skipped; failed (a required check found something); warned; else passed."""
    if skipped:
        return "skipped"
    if failed and required:
        return "failed"
    return "warned" if failed or warnings else "passed"


def result_of(service: str, check: PlannedCheck, raw: RawCheck | None, policy: ProjectChecks) -> ServiceCheckResult:
    """The event for one check, from what run.sh printed (None: the container never ran it)."""
    if raw is None or raw.code is None:
        return ServiceCheckResult(
            service,
            check.kind,
            "failed" if check.required else "warned",
            check.required,
            0,
            1,
            0,
            0.0,
            command=check.command,
            findings=["the container did not run the check to the end"],
        )
    seconds = round(max(raw.ended - raw.started, 0.0), 1)
    if raw.probe is not None:
        reason = next((x.strip() for x in reversed(raw.probe) if x.strip()), "the probe failed")
        return ServiceCheckResult(
            service,
            check.kind,
            "skipped",
            check.required,
            0,
            0,
            0,
            seconds,
            command=check.command,
            reason=f"unreachable ({shlex.join(check.probe or [])} failed): {reason}",
        )
    out, err = "\n".join(raw.stdout), "\n".join(raw.stderr)
    found = parse(check.format, raw.code, out, err, policy)
    kind = outcome_of(found.passed, found.failed, found.warnings, found.skipped is not None, check.required)
    failed, warnings = (found.failed, found.warnings) if check.required else (0, found.failed + found.warnings)
    tail = (raw.stdout + raw.stderr)[-OUTPUT_LINES:] if kind == "failed" else []
    return ServiceCheckResult(
        service,
        check.kind,
        kind,
        check.required,
        found.passed,
        failed,
        warnings,
        seconds,
        command=check.command,
        exit_code=raw.code,
        findings=found.findings,
        reason=found.skipped,
        output=tail,
    )


def run_argv(service: str, checks: list[PlannedCheck], token: str) -> list[str]:
    """`docker compose run` arguments that run ``checks`` in one container of ``service``."""
    argv = ["run", "--rm", "--no-deps", "-T", "-e", "NO_COLOR=1", "-e", "CI=1"]
    argv += ["-v", f"{RUN_SCRIPT}:{MOUNT}:ro", service, "sh", MOUNT, token]
    for check in checks:
        argv += [check.kind, shlex.join(check.probe) if check.probe else "", shlex.join(check.command)]
    return argv


def compose_model_for_checks(project: Project) -> dict[str, Any]:
    """The dev model as ``<project>-check``: no service depends on anything, nothing is published."""
    services = {name: s.model_copy(update={"depends_on": []}) for name, s in project.spec.services.items()}
    alone = replace(project, spec=project.spec.model_copy(update={"services": services}))
    data = render_compose(alone).data
    data["name"] = f"{project.name}-check"
    for entry in data["services"].values():
        entry.pop("ports", None)
    return data


def load_templates(project: Project) -> dict[str, dict[str, Any]]:
    """The checks each template used by the project declares."""
    used = {s.template for s in project.spec.services.values() if s.template}
    return {name: template_checks(template_dir(name)) for name in sorted(used)}


@dataclass
class _Job:
    service: str
    checks: list[PlannedCheck]
    compose: ComposeCLI
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    proc: RunningCompose | None = None
    lines: list[tuple[float, str]] = field(default_factory=list)


def _integration_ready(project: Project, jobs: list[_Job]) -> None:
    """Refuse integration checks when the environment is not running (they need `devenv up`)."""
    if not any(j.compose.compose_file == project.compose_path for j in jobs):
        return
    if not project.compose_path.is_file():
        raise UsageError("integration checks run against the running environment", hint="run `devenv up` first")
    compose = ComposeCLI.locate(project.root, project.compose_path)
    running = set(compose.run("ps", "--services", "--status", "running", timeout=60).stdout.split())
    for job in jobs:
        needed = [d for d in project.spec.services[job.service].depends_on if d not in running]
        if job.compose.compose_file == project.compose_path and needed:
            raise UsageError(
                f"integration checks of {job.service} need {', '.join(needed)} running",
                hint="run `devenv up` first, then `devenv check --integration`",
            )


def run_checks(
    project: Project,
    services: list[str] | None = None,
    only: list[str] | None = None,
    *,
    integration: bool = False,
    build: bool = True,
    parallel: int | None = None,
) -> Iterator[Event]:
    """Run the checks; yields Steps, Output lines, a ServiceCheckResult each, then a CheckSummary."""
    plans, skipped = plan_checks(project.spec, load_templates(project), services, only, integration)
    policy = project.spec.checks
    started = time.monotonic()
    results: list[ServiceCheckResult] = []
    generate(project)  # the programs the services mount: else the engine makes empty, root-owned dirs of them
    text = dump_yaml(compose_model_for_checks(project), header="devenv check")
    down = ("down", "--remove-orphans", "--timeout", "5")  # the network too
    with temporary_compose(project.root, project.root / TMP_DIR, "check-compose-", text, down) as compose:
        to_build = [p.service for p in plans if project.spec.services[p.service].builds]
        if build and to_build:
            yield Step("building " + ", ".join(to_build))
            code, output = yield from compose.stream("build", *to_build, source="build", progress="plain")
            if code != 0:
                raise build_failed(to_build, output, "devenv check")
        jobs = _jobs(project, plans, compose)
        _integration_ready(project, jobs)
        alone = [j.service for j in jobs if j.compose is compose]
        if alone:  # the project's network, made once: parallel `compose run`s would each make one
            compose.run("up", "--no-start", "--no-deps", "--no-build", "--pull", "never", alone[0], timeout=120)
        width = max(1, min(len(jobs), parallel or os.cpu_count() or 1))
        yield Step(f"checking {', '.join(p.service for p in plans)} ({width} at a time)")
        for job in _run_parallel(jobs, width):
            raws = read_markers(job.lines, job.token)
            for check in job.checks:
                result = result_of(job.service, check, raws.get(check.kind), policy)
                if raws.get(check.kind) is None:  # the container failed: what compose said is the finding
                    tail = [line for _, line in job.lines if line.strip()][-OUTPUT_LINES:]
                    result = replace(result, findings=result.findings + tail[-10:], output=tail)
                results.append(result)
                yield result
    order = {(p.service, c.kind): i for i, (p, c) in enumerate((p, c) for p in plans for c in p.checks)}
    results.sort(key=lambda r: order[(r.service, r.kind)])
    yield CheckSummary(project.name, results, skipped, round(time.monotonic() - started, 1), width)


def _jobs(project: Project, plans: list[ServicePlan], compose: ComposeCLI) -> list[_Job]:
    """One container per service for its checks, and one for its integration checks (dev project)."""
    jobs: list[_Job] = []
    dev: ComposeCLI | None = None
    for plan in plans:
        alone = [c for c in plan.checks if c.kind != INTEGRATION]
        if alone:
            jobs.append(_Job(plan.service, alone, compose))
        if plan.integration:
            if dev is None:
                dev = replace(compose, compose_file=project.compose_path)
            jobs.append(_Job(plan.service, [c for c in plan.checks if c.kind == INTEGRATION], dev))
    return jobs


def _run_parallel(jobs: list[_Job], width: int) -> Iterator[_Job]:
    """Run the jobs, ``width`` at a time; yield each when it has finished."""
    waiting: list[_Job] = list(jobs)
    running: list[_Job] = []
    try:
        while waiting or running:
            while waiting and len(running) < width:
                job = waiting.pop(0)
                job.proc = job.compose.start(*run_argv(job.service, job.checks, job.token))
                running.append(job)
            time.sleep(POLL_SECONDS)
            now = time.monotonic()
            for job in list(running):
                assert job.proc is not None
                done = job.proc.poll() is not None
                if done:
                    job.proc.wait()
                job.lines += [(now, line) for line in job.proc.new_lines()]
                if done:
                    running.remove(job)
                    yield job
    finally:
        for job in running:
            if job.proc is not None:
                job.proc.stop()
