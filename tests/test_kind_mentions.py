"""One home per dependency kind: outside devenv/kinds/<kind>/, at most 2 modules name a kind in code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_each_kind_is_named_by_at_most_two_modules_outside_its_home():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "kind_mentions.py"), str(ROOT), "--limit", "2"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(" module(s) ") >= 3  # every kind was counted


def test_the_measure_sees_a_kind_named_in_code(tmp_path):
    package = tmp_path / "devenv"
    (package / "kinds" / "postgres").mkdir(parents=True)
    (package / "kinds" / "postgres" / "__init__.py").write_text('NAME = "postgres"\n')
    for index in range(3):
        (package / f"m{index}.py").write_text(
            f'"""Mentions postgres in a docstring only."""\nX{index} = "a postgres db"\n'
        )
    (package / "quiet.py").write_text('"""postgres, in a docstring: not counted."""\n')
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "kind_mentions.py"), str(tmp_path)], capture_output=True, text=True
    )
    assert proc.returncode == 1 and "postgres: 3 module(s)" in proc.stdout and "quiet.py" not in proc.stdout
