"""The wheel is the product: build it, install it into a fresh virtualenv far from the
checkout, and use the installed `devenv` (templates from package data, no
DEVENV_TEMPLATES, no source tree on sys.path) to start a project with all three
service templates and generate its docker-compose.yml.

Dependencies come from the package index through pip (its cache is reused). Set
WHEEL_TRANSCRIPT=PATH to keep the transcript (commands, exit codes, seconds), e.g.
benchmarks/results/wheel_install.txt for a release note.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devenv.scaffold.templates import template_version

ROOT = Path(__file__).resolve().parents[2]
JUNK_DIRS = {"__pycache__", "node_modules", ".venv", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".git"}
JUNK_SUFFIXES = (".pyc", ".pyo")


@dataclass
class Transcript:
    lines: list[str] = field(default_factory=list)

    def run(self, args: list[str | Path], *, cwd: Path, env: dict[str, str], check: bool = True) -> str:
        shown = shlex.join(str(a) for a in args)
        start = time.monotonic()
        proc = subprocess.run(
            [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
        )
        seconds = time.monotonic() - start
        self.lines.append(f"$ {shown}")
        self.lines.append(f"  (cwd {cwd}; exit {proc.returncode}; {seconds:.1f}s)")
        out = proc.stdout.strip()
        if out and len(out) < 2000:
            self.lines.extend(f"  | {line}" for line in out.splitlines())
        if check:
            assert proc.returncode == 0, f"{shown} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        return proc.stdout

    def note(self, text: str) -> None:
        self.lines.append(f"# {text}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _clean_env(venv: Path) -> dict[str, str]:
    """The environment of a user who just installed the wheel: no checkout anywhere."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEVENV_TEMPLATES", "PYTHONPATH", "PYTHONHOME"}}
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _source_files(top: Path) -> set[str]:
    """Files under ``top`` (relative to ROOT) that belong in the wheel: everything but caches."""
    found = set()
    for path in top.rglob("*"):
        rel = path.relative_to(ROOT)
        if path.is_file() and not (JUNK_DIRS & set(rel.parts)) and not path.name.endswith(JUNK_SUFFIXES):
            found.add(rel.as_posix())
    return found


@dataclass
class Installed:
    wheel: Path
    names: set[str]
    venv: Path
    work: Path
    env: dict[str, str]
    transcript: Transcript


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    transcript = Transcript()
    started = time.monotonic()
    dist = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k != "DEVENV_TEMPLATES"}
    transcript.note(f"wheel built from {ROOT}")
    transcript.run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, ROOT], cwd=ROOT, env=env)
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    transcript.note(f"{wheel.name}: {len(names)} files")

    venv = tmp_path_factory.mktemp("venv") / "venv"
    assert ROOT not in venv.parents
    transcript.run([sys.executable, "-m", "venv", venv], cwd=venv.parent, env=env)
    clean = _clean_env(venv)
    transcript.run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel], cwd=venv.parent, env=clean)
    transcript.run([venv / "bin" / "python", "-m", "pip", "check"], cwd=venv.parent, env=clean)
    work = tmp_path_factory.mktemp("work")
    yield Installed(wheel, names, venv, work, clean, transcript)

    transcript.note(f"total {time.monotonic() - started:.1f}s")
    keep = os.environ.get("WHEEL_TRANSCRIPT")
    if keep:
        Path(keep).parent.mkdir(parents=True, exist_ok=True)
        Path(keep).write_text(transcript.text(), encoding="utf-8")
    (work / "transcript.txt").write_text(transcript.text(), encoding="utf-8")


def test_wheel_contents(installed: Installed) -> None:
    names = installed.names
    assert "devenv/service_templates/backend/copier.yml" in names
    for template in ("project", "backend", "worker", "frontend"):
        assert f"devenv/service_templates/{template}/copier.yml" in names
    assert "devenv/py.typed" in names

    # Every file of the package and of the templates is in the wheel, whatever its type
    # (*.sh, *.awk, *.sql, *.lua, *.json, ...): package data is not a list of names.
    package = _source_files(ROOT / "devenv")
    assert package - names == set(), "files under devenv/ missing from the wheel"
    templates = {"devenv/" + rel for rel in _source_files(ROOT / "service_templates")}
    assert templates - names == set(), "template files missing from the wheel"
    scripts = {n for n in package if n.endswith(".sh")}
    if scripts:
        assert scripts <= names

    junk = {n for n in names if JUNK_DIRS & set(n.split("/")) or n.endswith(JUNK_SUFFIXES)}
    assert junk == set(), f"junk in the wheel: {sorted(junk)[:10]}"
    assert not any(n.startswith(("tests/", "service_templates/", "benchmarks/")) for n in names)


def test_import_comes_from_the_venv(installed: Installed) -> None:
    out = installed.transcript.run(
        [
            installed.venv / "bin" / "python",
            "-c",
            "import devenv, devenv.scaffold.templates as t; print(devenv.__file__); print(t.templates_root())",
        ],
        cwd=installed.work,
        env=installed.env,
    )
    module, templates = (Path(line) for line in out.splitlines())
    site = installed.venv.resolve()
    assert site in module.resolve().parents and "site-packages" in module.parts, module
    assert ROOT not in module.resolve().parents
    assert templates.resolve() == module.resolve().parent / "service_templates"


def test_installed_devenv_scaffolds_and_generates(installed: Installed) -> None:
    devenv = installed.venv / "bin" / "devenv"
    run = installed.transcript.run
    work, env = installed.work, installed.env

    out = run([devenv, "--version"], cwd=work, env=env)
    assert out.startswith("devenv ")
    run([devenv, "init", "shop"], cwd=work, env=env)
    project = work / "shop"
    for template, name in (("backend", "api"), ("worker", "worker"), ("frontend", "web")):
        run([devenv, "-C", "shop", "add", "service", name, "--template", template], cwd=work, env=env)
    run([devenv, "-C", "shop", "generate"], cwd=work, env=env)

    for rel in (
        "devenv.yaml",
        "README.md",
        ".gitignore",
        "docker-compose.yml",
        "services/api/Dockerfile",
        "services/api/app/main.py",
        "services/worker/Dockerfile",
        "services/web/Dockerfile",
        "services/web/package.json",
    ):
        assert (project / rel).is_file(), rel
    spec = (project / "devenv.yaml").read_text(encoding="utf-8")
    compose = (project / "docker-compose.yml").read_text(encoding="utf-8")
    for name in ("api", "worker", "web"):
        assert f"{name}:" in spec and f"{name}:" in compose
    installed.transcript.note("files: " + ", ".join(sorted(
        p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file() and p.parent == project
    )))

    # The installed templates are the checkout's templates: same content, same version.
    snapshots = sorted(p.name for p in (project / ".devenv" / "templates").glob("*.tar.gz"))
    expected = sorted(
        f"{t}-{template_version(ROOT / 'service_templates' / t)}.tar.gz" for t in ("backend", "worker", "frontend")
    )
    assert set(expected) <= set(snapshots), (expected, snapshots)
