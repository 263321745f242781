"""Fixtures for scaffolding tests: a fresh project, and a private copy of the templates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "service_templates"


@pytest.fixture
def new_project(tmp_path, cli):
    """`devenv init` in a temp dir; returns its root."""
    root = tmp_path / "shop"
    code, out, err = cli("init", root)
    assert code == 0, out + err
    return root


@pytest.fixture
def template_copy(tmp_path, monkeypatch):
    """A copy of service_templates/ that the test may change; devenv uses it (DEVENV_TEMPLATES)."""
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy, ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    monkeypatch.setenv("DEVENV_TEMPLATES", str(copy))
    return copy
