"""Helpers of the import tests: the corpus, the CLI run on a copy of a case, Compose's own reading."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_cli

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


@cache
def compose_cli() -> str | None:
    """The docker CLI when it has the compose plugin (no engine needed), else None."""
    docker = shutil.which("docker")
    if docker is None:
        return None
    try:
        proc = subprocess.run([docker, "compose", "version", "--short"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return docker if proc.returncode == 0 else None


# `docker compose config` reads files and needs no engine: these tests run wherever the CLI is.
needs_compose = [
    pytest.mark.compose_cli,
    pytest.mark.skipif(compose_cli() is None, reason="needs the docker CLI with the compose plugin"),
]


def case_settings(case: str) -> dict[str, Any]:
    """A case's case.json: root (a sub-directory to import), args (-f ...), create (files to make first)."""
    path = CORPUS / case / "case.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def copy_case(case: str, tmp_path: Path) -> Path:
    """The case copied to ``tmp_path``; returns the directory to import."""
    target = tmp_path / case
    shutil.copytree(CORPUS / case, target, symlinks=True)
    return target / case_settings(case).get("root", "")


def run_import(root: Path, *args: str) -> tuple[int, str, str]:
    """`devenv -o plain -C ROOT import ARGS...` in-process."""
    return run_cli("-o", "plain", "-C", root, "import", *args)


def stable(report: str) -> str:
    """The report without what depends on the machine (Compose's version)."""
    return re.sub(r"(Docker Compose|docker compose config) [0-9][0-9.]*", r"\1 <version>", report)


def compose_config(root: Path, files: list[str], *, project_dir: Path | None = None) -> dict[str, Any]:
    """What `docker compose config --format json` (every profile) makes of ``files`` in ``root``, with the
    services' own ``x-`` keys, which only its YAML output keeps."""
    docker = compose_cli()
    assert docker is not None
    argv = [docker, "compose"]
    for name in files:
        argv += ["-f", name]
    if project_dir is not None:
        argv += ["--project-directory", str(project_dir)]
    argv += ["--profile", "*", "config", "--format"]
    proc = subprocess.run([*argv, "json"], cwd=root, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    proc = subprocess.run([*argv, "yaml"], cwd=root, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name, service in (yaml.safe_load(proc.stdout).get("services") or {}).items():
        data["services"][name].update({k: v for k, v in service.items() if k.startswith("x-")})
    return data
