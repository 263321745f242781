"""`devenv export k8s`: the files a cluster runs, computed whole first, then written atomically.

Everything that can fail (an unknown environment, no tag, a missing registry, secrets
that are not git-ignored) fails before the first write, so an error leaves the output
directory as it was. Files devenv wrote before and no longer produces are removed,
and only those: a file is devenv's when its first line is devenv's header.
"""

from __future__ import annotations

import gc
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devenv.errors import UsageError
from devenv.files import read_text_or_none, write_atomic
from devenv.project import Project
from devenv.render.k8s.config import secrets_example
from devenv.render.k8s.dependencies import fixture_sources
from devenv.render.k8s.fastyaml import dump_documents
from devenv.render.k8s.kustomize import (
    GENERATED,
    base_files,
    header,
    overlay_files,
    plain_files,
)
from devenv.render.k8s.render import K8sRender, environment_of, render_k8s

FORMATS = ("kustomize", "plain")
DEFAULT_OUT = "k8s"
TAG = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$")
FIXTURES_LIMIT = 900_000  # a ConfigMap holds at most 1 MiB
GITIGNORE = "# Written by devenv: a Secret exported with --include-secrets holds real values.\nsecret.yaml\n"


@dataclass
class ExportResult:
    """What an export produced: files in a directory, or one stream."""

    env: str
    format: str
    tag: str
    files: dict[str, str] = field(default_factory=dict)  # relative path -> text
    out: Path | None = None
    stream: str | None = None
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def secret_file_name(env: str) -> str:
    """The local, git-ignored file --include-secrets reads: ``.env.<env>``."""
    return f".env.{env}"


def default_out(project: Project, env: str, fmt: str) -> Path:
    """``k8s/`` for kustomize (base/ and overlays/), ``k8s/plain/<env>/`` for plain."""
    root = project.root / DEFAULT_OUT
    return root if fmt == "kustomize" else root / "plain" / env


def export_k8s(
    project: Project,
    env: str,
    *,
    out: str | Path | None = None,
    tag: str | None = None,
    fmt: str = "kustomize",
    include_secrets: bool = False,
) -> ExportResult:
    """Render ``env`` and write it (or return it as a stream when ``out`` is ``-``)."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: '{fmt}' is not one of: {', '.join(FORMATS)}")
    to_stream = str(out) == "-"
    if to_stream and fmt != "plain":
        raise UsageError(
            "--out -: a kustomize layout is a directory tree", hint="use --format plain to print one stream"
        )
    environment_of(project, env)
    warnings: list[str] = []
    tag = resolve_tag(project.root, tag, warnings)
    result = ExportResult(env=env, format=fmt, tag=tag, warnings=warnings)
    if to_stream:
        with _no_gc():
            _, rendered = _build_files(project, env, tag, fmt, include_secrets, warnings, files=False)
            text = "".join(f"# {line}\n" for line in header(_command(env, fmt)).splitlines())
            result.stream = text + dump_documents(rendered.documents())
        return result
    files, _ = build_files(project, env, tag, fmt=fmt, include_secrets=include_secrets, warnings=warnings)
    out_dir = Path(out) if out is not None else default_out(project, env, fmt)
    result.files = files
    result.out = out_dir
    patches = [out_dir / "overlays" / env / "patches"] if fmt == "kustomize" else []
    result.written, result.removed = write_tree(out_dir, files, also=patches)
    return result


def build_files(
    project: Project,
    env: str,
    tag: str,
    *,
    fmt: str = "kustomize",
    include_secrets: bool = False,
    warnings: list[str] | None = None,
) -> tuple[dict[str, str], K8sRender]:
    """Every file of the export, {relative path: text}, and the environment's rendering. Writes nothing."""
    warnings = [] if warnings is None else warnings
    with _no_gc():
        return _build_files(project, env, tag, fmt, include_secrets, warnings)


@contextmanager
def _no_gc() -> Iterator[None]:
    """Rendering builds many small acyclic dicts: pausing the cycle collector keeps the time linear."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build_files(
    project: Project, env: str, tag: str, fmt: str, include_secrets: bool, warnings: list[str], files: bool = True
) -> tuple[dict[str, str], K8sRender]:
    environment = environment_of(project, env)
    fixtures = read_fixtures(project) if environment.fixtures else {}
    mounted = read_mounted_files(project)
    rendered = render_k8s(project, env, tag, fixtures=fixtures, files=mounted)
    if include_secrets:
        values = read_secrets(project, env, rendered.secret_keys, warnings)
        rendered = render_k8s(project, env, tag, fixtures=fixtures, secret_values=values, files=mounted)
    seen = set(warnings)
    warnings.extend(w for w in rendered.warnings if w not in seen)
    if not files:
        return {}, rendered
    command = _command(env, fmt)
    example = secrets_example(rendered.target, secret_file_name(env))
    if fmt == "plain":
        out = plain_files(rendered, command)
        out["secrets.example"] = example
        out[".gitignore"] = GITIGNORE
    else:
        base = render_k8s(project, None, tag, fixtures=fixtures, files=mounted)
        out = base_files(base, "devenv export k8s (base: shared by every environment)")
        out.update(overlay_files(base, rendered, command))
        out[f"overlays/{env}/secrets.example"] = example
        out[f"overlays/{env}/.gitignore"] = GITIGNORE
    return dict(sorted(out.items())), rendered


def _command(env: str, fmt: str) -> str:
    return f"devenv export k8s --env {env}" + (" --format plain" if fmt == "plain" else "")


def resolve_tag(root: Path, tag: str | None, warnings: list[str]) -> str:
    """``--tag`` as given, or the project's git commit; never ``latest``."""
    if tag is not None:
        if tag == "latest":
            raise UsageError(
                "--tag latest: a moving tag cannot be rolled back to", hint="tag images with the git commit"
            )
        if not TAG.match(tag):
            raise UsageError(
                f"--tag '{tag}' is not a valid image tag and label value",
                hint="use up to 63 letters, digits, '.', '_' or '-', starting and ending with a letter or digit",
            )
        return tag
    commit = _git(root, "rev-parse", "--short=12", "HEAD")
    if commit is None or commit.returncode != 0 or not commit.stdout.strip():
        raise UsageError(
            f"cannot tag the images: '{root}' is not in a git repository with a commit",
            hint="pass --tag TAG, the tag your CI pushed the images with",
        )
    sha = commit.stdout.strip()
    status = _git(root, "status", "--porcelain", "--untracked-files=no", "--", ".")
    if status is not None and status.returncode == 0 and status.stdout.strip():
        warnings.append(
            f"uncommitted changes in '{root}': the images are tagged with commit {sha}, which does not contain them"
        )
    return sha


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None


def read_mounted_files(project: Project) -> dict[str, str | bytes | None]:
    """The services' bind-mounted project files, {path: text (or bytes)}; None for a directory or a missing file."""
    from devenv.render.k8s.service_fields import bind_sources, project_path

    out: dict[str, str | bytes | None] = {}
    for source in bind_sources(project.spec.services):
        path = project_path(source)
        if path is None:
            continue
        file = project.root / path
        if not file.is_file():
            out[path] = None
            continue
        data = file.read_bytes()
        try:
            out[path] = data.decode("utf-8")
        except UnicodeDecodeError:
            out[path] = data
    return out


def read_fixtures(project: Project) -> dict[str, dict[str, str]]:
    """Fixture files per dependency ({dependency: {file: text}}), chosen and ordered as `devenv up` seeds them."""
    from devenv.fixtures.formats import fixture_files

    out: dict[str, dict[str, str]] = {}
    for name, folder in fixture_sources(project.spec).items():
        dependency = project.spec.dependencies.get(name)
        if dependency is None:
            continue
        directory = project.root / str(folder)
        files: dict[str, str] = {}
        for file_name in fixture_files(dependency.kind, directory):
            try:
                files[file_name] = (directory / file_name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise UsageError(f"fixtures.{name}: cannot read '{folder}/{file_name}' as UTF-8 text ({exc})") from exc
        if sum(len(text.encode()) for text in files.values()) > FIXTURES_LIMIT:
            raise UsageError(
                f"fixtures.{name}: the files in '{folder}' are larger than a ConfigMap holds (1 MiB)",
                hint="load large data sets with a Job of your own, from object storage",
            )
        out[name] = files
    return out


def read_secrets(project: Project, env: str, keys: dict[str, Any], warnings: list[str]) -> dict[str, str]:
    """The values of ``keys`` from ``.env.<env>``, which must exist and be git-ignored."""
    name = secret_file_name(env)
    path = project.root / name
    if not path.is_file():
        raise UsageError(
            f"--include-secrets reads {name} in the project directory, which does not exist",
            hint=f"copy secrets.example to {name}, fill it in and make sure git ignores it",
        )
    ignored = _git(project.root, "check-ignore", "-q", "--", name)
    if ignored is None or ignored.returncode not in (0, 1):
        raise UsageError(
            f"--include-secrets: cannot tell whether {name} is git-ignored ('{project.root}' is not a git repository?)",
            hint="secret values are only read from a file git ignores",
        )
    if ignored.returncode == 1:
        raise UsageError(
            f"--include-secrets: {name} is not git-ignored, so its secrets could be committed",
            hint=f"add '{name}' (or '.env.*') to .gitignore; if it is tracked, `git rm --cached {name}`",
        )
    values = parse_env_file(path.read_text(encoding="utf-8"))
    missing = sorted(set(keys) - set(values))
    if missing:
        raise UsageError(f"{name} lacks {', '.join(missing)}", hint="see secrets.example for every key to set")
    unused = sorted(set(values) - set(keys))
    if unused:
        warnings.append(f"{name}: {', '.join(unused)} not read by any manifest of '{env}'; left out of the Secret")
    return {key: values[key] for key in keys}


def parse_env_file(text: str) -> dict[str, str]:
    """``KEY=value`` lines (``export`` prefix, quotes and comments allowed), as docker's --env-file reads them."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        if not sep:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def write_tree(out_dir: Path, files: dict[str, str], also: list[Path] | None = None) -> tuple[list[str], list[str]]:
    """Write changed files atomically, then remove files devenv generated there before and no longer makes.

    Stale files are looked for in the directories written to and in ``also``.
    """
    marker = f"# {GENERATED}: devenv export k8s"
    owned = {(out_dir / rel).parent for rel in files} | set(also or [])
    stale = []
    for directory in sorted(owned):
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.yaml")):
            rel = path.relative_to(out_dir).as_posix()
            if rel in files:
                continue
            first = (read_text_or_none(path) or "").split("\n", 1)[0]
            if first.startswith(marker):
                stale.append(path)
    written = []
    for rel, text in files.items():
        path = out_dir / rel
        if read_text_or_none(path) != text:
            write_atomic(path, text)
            written.append(rel)
    for path in stale:
        path.unlink()
    return written, [path.relative_to(out_dir).as_posix() for path in stale]
