"""Rules that look across fields of devenv.yaml or at the project's files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from devenv.errors import SpecError
from devenv.spec.errors import did_you_mean
from devenv.spec.model import Spec
from devenv.spec.yamlsource import PathKey, Positions


class _Problem(Protocol):
    """Records one problem of ``check_spec``."""

    def __call__(
        self, loc: PathKey, field: str, text: str, *, key: bool = False, hint: str | None = None
    ) -> None: ...


def check_spec(spec: Spec, root: Path, spec_path: Path, positions: Positions) -> None:
    """Raise the first :class:`SpecError` found by the cross-field rules, in file order."""
    problems: list[SpecError] = []

    def problem(loc: PathKey, field: str, text: str, *, key: bool = False, hint: str | None = None) -> None:
        line, col = positions.of_key(loc) if key or len(loc) == 2 else positions.of_value(loc)
        problems.append(SpecError(spec_path, line, col, field, text, hint=hint))

    # one namespace for services and dependencies: they are all Compose services
    for name in spec.services:
        if name in spec.dependencies:
            problem(
                ("dependencies", name),
                f"dependencies.{name}",
                f"'{name}' is already the name of a service",
                key=True,
                hint="rename one of them",
            )

    known = set(spec.services) | set(spec.dependencies)
    for name, service in spec.services.items():
        seen: set[str] = set()
        for index, target in enumerate(service.depends_on):
            loc: PathKey = ("services", name, "depends_on", index)
            field = f"services.{name}.depends_on"
            if target == name:
                problem(loc, field, f"service '{name}' depends on itself")
            elif target not in known:
                hint = did_you_mean(target, known) or (
                    "declare it under 'dependencies' or 'services'" if known else "declare it under 'dependencies'"
                )
                problem(loc, field, f"'{target}' is not a service or dependency", hint=hint)
            elif target in seen:
                problem(loc, field, f"'{target}' is listed twice")
            seen.add(target)

    cycle = _find_cycle(spec)
    if cycle:
        first = cycle[0]
        index = spec.services[first].depends_on.index(cycle[1])
        problem(
            ("services", first, "depends_on", index),
            f"services.{first}.depends_on",
            "dependency cycle: " + " -> ".join(cycle),
            hint="services cannot wait for each other in a circle; remove one edge",
        )

    ports: dict[int, str] = {}
    for name, service in spec.services.items():
        port = service.published_port()
        if port is None:
            continue
        loc = ("services", name, "host_port" if service.host_port else "port")
        _claim(ports, port, f"services.{name}", loc, problem)
    for name, dependency in spec.dependencies.items():
        if dependency.host_port is not None:
            _claim(ports, dependency.host_port, f"dependencies.{name}", ("dependencies", name, "host_port"), problem)

    from devenv.spec.service_checks import check_service_fields

    check_service_fields(spec, ports, problem)

    from devenv.spec.dependency_checks import check_dependency_settings

    check_dependency_settings(spec, problem)

    resolved_root = root.resolve()
    for name, service in spec.services.items():
        if not service.builds:
            continue
        loc = ("services", name, "path") if service.path else ("services", name)
        field = f"services.{name}.path" if service.path else f"services.{name}"
        rel = service.build_path(name)
        directory = (root / rel).resolve()
        if Path(rel).is_absolute() or not _inside(directory, resolved_root):
            problem(loc, field, f"'{rel}' is outside the project directory", hint="use a path inside the project")
        elif not directory.is_dir():
            problem(
                loc,
                field,
                f"directory '{rel}' does not exist",
                hint=f"create it with a Dockerfile, use `devenv add service {name}`, or set 'image'",
            )
        elif service.dockerfile is not None:
            dockerfile = (root / service.dockerfile_path(name)).resolve()
            loc, field = ("services", name, "dockerfile"), f"services.{name}.dockerfile"
            if not _inside(dockerfile, resolved_root):
                problem(loc, field, f"'{service.dockerfile}' is outside the project directory")
            elif not dockerfile.is_file():
                hint = "name the Dockerfile relative to the service's 'path'"
                problem(loc, field, f"'{service.dockerfile_path(name)}' does not exist", hint=hint)
        elif not (directory / "Dockerfile").is_file():
            problem(loc, field, f"'{rel}' has no Dockerfile", hint="add one, or set 'image' to run a prebuilt image")

    if spec.ca_certificates is not None:
        ca = Path(spec.ca_certificates)
        ca_path = ca if ca.is_absolute() else root / ca
        if not ca_path.is_file():
            problem(("ca_certificates",), "ca_certificates", f"file '{spec.ca_certificates}' does not exist")

    for source, target in spec.images.mirror.items():
        if not source.strip() or not target.strip() or " " in source or " " in target:
            problem(
                ("images", "mirror", source),
                f"images.mirror.{source}",
                "registry names must be non-empty and without spaces",
            )

    for name, folder in spec.fixtures.items():
        for loc, text, fixture_hint in _fixture_problems(spec, root, name, folder):
            line, col = positions.of_value(loc) if loc[-1] == "value" else positions.of_key(loc)
            problems.append(SpecError(spec_path, line, col, f"fixtures.{name}", text, hint=fixture_hint))

    if problems:
        problems.sort(key=lambda p: (p.line, p.col))
        raise problems[0]


def _claim(ports: dict[int, str], port: int, owner: str, loc: PathKey, problem: _Problem) -> None:
    if port in ports:
        problem(
            loc,
            f"{owner}.{loc[-1]}",
            f"host port {port} is already used by {ports[port]}",
            hint="set a different 'host_port'",
        )
    else:
        ports[port] = owner


def _fixture_problems(spec: Spec, root: Path, name: str, folder: str) -> list[tuple[PathKey, str, str | None]]:
    """Problems of one ``fixtures`` entry as (loc, text, hint); loc ends in "value" for the directory."""
    from devenv import kinds
    from devenv.fixtures import formats
    from devenv.fixtures.render import BARRIER, seed_service

    key, value = ("fixtures", name), ("fixtures", name, "value")
    dependency = spec.dependencies.get(name)
    if dependency is None:
        if name in spec.services:
            every = ", ".join(kind.name for kind in kinds.kinds().values() if kind.seeds)
            return [(key, f"'{name}' is a service; fixtures seed dependencies ({every})", None)]
        hint = did_you_mean(name, spec.dependencies) or (
            "fixtures name a dependency: " + ", ".join(spec.dependencies)
            if spec.dependencies
            else "declare the dependency under 'dependencies'"
        )
        return [(key, f"'{name}' is not a dependency", hint)]
    if not kinds.get(dependency.kind).seeds:
        loaders = ", ".join(kind.name for kind in kinds.kinds().values() if kind.seeds)
        problem = f"'{name}' is a {dependency.kind} dependency, which loads no fixtures"
        return [(key, problem, f"fixtures seed {loaders}")]
    seed = seed_service(name)
    if seed in spec.services or seed in spec.dependencies:
        text = f"the fixtures of '{name}' run as the one-shot service '{seed}', which is already a name"
        return [(key, text, "rename it")]
    if BARRIER in spec.services or BARRIER in spec.dependencies:
        return [(key, f"fixtures add the compose service '{BARRIER}', which is already a name", "rename it")]
    base = root.absolute()
    target = Path(os.path.normpath(base / folder))
    if Path(folder).is_absolute() or not _inside(target, base):
        return [(value, f"'{folder}' is outside the project directory", "use a directory inside the project")]
    if not target.is_dir():
        accepted = formats.describe(dependency.kind)
        hint = f"create it and put the {dependency.kind} fixtures in it ({accepted})"
        return [(value, f"directory '{folder}' does not exist", hint)]
    wrong = formats.misplaced(dependency.kind, target)
    if wrong:
        other = formats.kind_of_file(wrong[0])
        looks = f", a {other} fixture" if other and other != dependency.kind else ""
        return [
            (
                value,
                (f"'{folder}' holds {wrong[0]}{looks}, but '{name}' is a {dependency.kind} dependency, "
                 f"which loads {formats.describe(dependency.kind)}"),
                "point the entry at the right dependency or directory, or move the file",
            )
        ]
    kind = kinds.get(dependency.kind)
    for file_name in formats.fixture_files(dependency.kind, target):
        trouble = kind.fixture_problem(file_name)
        if trouble:
            problem, _, hint = trouble.partition("; ")
            return [(value, f"'{folder}/{file_name}' {problem}", hint or None)]
    return []


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _find_cycle(spec: Spec) -> list[str] | None:
    """A depends_on cycle among services, as [a, b, ..., a], or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        stack.append(name)
        for target in spec.services[name].depends_on:
            if target == name or target not in spec.services:
                continue
            if state.get(target) == 1:
                return [*stack[stack.index(target):], target]
            if state.get(target) is None:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[name] = 2
        return None

    for name in spec.services:
        if state.get(name) is None:
            found = visit(name)
            if found:
                return found
    return None
