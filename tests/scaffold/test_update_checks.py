"""`devenv update` brings `devenv check`'s tooling into services scaffolded before the templates had it.

The "before" templates are today's with the check tooling taken out (no dev tools, no tool
settings, no eslint config, no integration markers); a service made from them is edited by
the user, then updated to today's templates by the real Copier update."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.scaffold.conftest import TEMPLATES
from tests.scaffold.test_update import scaffold

TOOLS = ("ruff", "mypy", "pip-audit", "pip-licenses")


def strip_check_tooling(copy: Path) -> None:
    """Make ``copy`` look like the templates before `devenv check`."""
    for name in ("backend", "worker"):
        tpl = copy / name / "template"
        reqs = tpl / "requirements-dev.txt"
        kept = [
            line
            for line in reqs.read_text().splitlines(keepends=True)
            if not line.startswith(TOOLS) and "devenv check" not in line
        ]
        reqs.write_text("".join(kept))
        pyproject = tpl / "pyproject.toml.jinja"
        pyproject.write_text(pyproject.read_text().split("\n# `devenv check`: style")[0] + "\n")
    web = copy / "frontend" / "template"
    (web / "eslint.config.js").unlink()
    package = web / "package.json.jinja"
    package.write_text(
        re.sub(
            r'\s*"(eslint|@eslint/js|typescript-eslint|license-checker-rseidelsohn)": "[^"]+",', "", package.read_text()
        )
    )


def test_update_brings_the_check_tooling_and_keeps_the_users_edits(new_project, template_copy, cli):
    strip_check_tooling(template_copy)
    api = scaffold(cli, new_project, "api", "backend")
    web = scaffold(cli, new_project, "web", "frontend")
    assert "ruff" not in (api / "requirements-dev.txt").read_text()
    assert not (web / "eslint.config.js").exists()
    reqs = api / "requirements-dev.txt"
    lines = reqs.read_text().splitlines(keepends=True)
    reqs.write_text("".join([lines[0], "hypothesis>=6\n", *lines[1:]]))  # the user's own dev tool

    shutil.rmtree(template_copy)
    shutil.copytree(TEMPLATES, template_copy, ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    code, out, err = cli("-C", new_project, "update")
    assert code == 0, out + err

    text = reqs.read_text()
    assert all(tool in text for tool in TOOLS) and "hypothesis>=6" in text
    assert "<<<<<<<" not in text
    pyproject = (api / "pyproject.toml").read_text()
    assert "[tool.ruff]" in pyproject and "[tool.mypy]" in pyproject and "integration:" in pyproject
    assert (web / "eslint.config.js").is_file()
    assert '"license-checker-rseidelsohn"' in (web / "package.json").read_text()
