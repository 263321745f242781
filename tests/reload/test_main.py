"""devenv/reload/__main__.py: the package's directory run as a script, as in containers
(``python /devenv/reload run ...``), under any directory name; and ``python -m devenv.reload``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SCRIPT, ship

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_directory_runs_without_devenv(shipped, tmp_path):
    """-I -S: no site-packages (where devenv and its dependencies are), no PYTHONPATH."""
    proc = subprocess.run(
        [sys.executable, "-I", "-S", str(shipped), "run", "--help"], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "usage: devenv-reload run" in proc.stdout


def test_no_module_of_the_app_is_shadowed_by_the_reloaders(running, tmp_path, tmp_path_factory):
    """Neither by its directory's name (here: helper, which the script imports) nor by its modules' names."""
    reloader = ship(tmp_path_factory.mktemp("programs") / "helper")
    (tmp_path / "log.py").write_text("NAME = 'app'\n")
    (tmp_path / "files.py").write_text("NAME = 'app'\n")
    script = "import files, log\nassert files.NAME == log.NAME == 'app'\n" + SCRIPT
    job = running(command=[sys.executable, str(reloader)], script=script)
    (tmp_path / "helper.py").write_text("VERSION = 2\n")
    job.wait_for("2")


def test_python_m_devenv_reload_on_the_host(running, tmp_path):
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    job = running(command=[sys.executable, "-m", "devenv.reload"], env=env)
    (tmp_path / "helper.py").write_text("VERSION = 2\n")
    job.wait_for("2")


def _python39() -> str | None:
    found = shutil.which("python3.9")
    if found is None:
        return None
    check = subprocess.run([found, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
    return found if check.stdout.strip() == "(3, 9)" else None


@pytest.mark.skipif(_python39() is None, reason="needs a working python3.9 on PATH")
def test_the_shipped_directory_runs_on_python_39(running, shipped, tmp_path):
    """Service images may run an older Python than devenv: 3.9 is the oldest the reloader supports."""
    job = running(command=[str(_python39()), str(shipped)])
    (tmp_path / "helper.py").write_text("VERSION = 2\n")
    job.wait_for("2")
