"""Shared fixtures: project factory, in-process CLI runner, golden files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from devenv.cli.state import CURRENT

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden files from the current output.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def golden(update_golden: bool):
    """Compare text with tests/<dir>/golden/<name>; rewrite it with --update-golden."""

    def check(directory: Path, name: str, text: str) -> None:
        path = directory / "golden" / name
        if update_golden or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if not update_golden:
                pytest.fail(f"golden file {path} was missing and has been written; review and commit it")
        assert text == path.read_text(encoding="utf-8"), f"output differs from {path} (run pytest --update-golden)"

    return check


DOCKERFILE = """\
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE} AS dev
CMD ["python3", "-m", "http.server"]
FROM ${PYTHON_IMAGE} AS prod
"""


@pytest.fixture
def make_project(tmp_path: Path):
    """Write devenv.yaml (dedented) and Dockerfiles for the named service dirs; return the root."""

    def make(spec: str, dockerfiles: dict[str, str] | None = None, root: Path | None = None) -> Path:
        base = root or tmp_path
        base.mkdir(parents=True, exist_ok=True)
        (base / "devenv.yaml").write_text(textwrap.dedent(spec), encoding="utf-8")
        for rel, content in (dockerfiles or {}).items():
            folder = base / rel
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "Dockerfile").write_text(content or DOCKERFILE, encoding="utf-8")
        return base

    return make


def run_cli(*args: object) -> tuple[int, str, str]:
    """devenv in-process: run_cli("-C", dir, "generate") -> (exit code, stdout, stderr)."""
    from typer.testing import CliRunner

    from devenv.cli.app import app

    saved = (CURRENT.root, CURRENT.debug, CURRENT.output)
    try:
        result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    finally:
        CURRENT.root, CURRENT.debug, CURRENT.output = saved
    return result.exit_code, result.stdout, result.stderr


def must(*args: object) -> str:
    """run_cli that must succeed; returns stdout."""
    code, out, err = run_cli(*args)
    assert code == 0, f"devenv {' '.join(map(str, args))} failed ({code}):\n{out[-3000:]}\n{err}"
    return out


@pytest.fixture
def cli():
    """The in-process CLI runner as a fixture (see run_cli)."""
    return run_cli
