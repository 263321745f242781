"""benchmarks/bench_checks.py: the by-hand baseline runs the same commands as `devenv check`."""

from __future__ import annotations

import importlib
import shlex
import sys
from pathlib import Path

from devenv.checks.plan import template_checks
from devenv.scaffold.templates import template_dir

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str):
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))  # the scripts import `common` from their folder
    return importlib.import_module(name)


bench = _load("bench_checks")


def test_the_by_hand_script_runs_every_declared_command_and_probe():
    for template in ("backend", "worker", "frontend"):
        script = bench.hand_script(template)
        declared = template_checks(template_dir(template))
        for kind in bench.KINDS:
            check = declared[kind]
            assert shlex.join(check.command) in script, (template, kind)
            if check.probe:
                assert f"{shlex.join(check.probe)} >/dev/null 2>&1 && {shlex.join(check.command)}" in script
        assert "integration" not in script.replace("not integration", "")
