"""The runner's pure parts, and run.sh itself (run with the host's sh: the marker protocol)."""

from __future__ import annotations

import shlex
import subprocess

from devenv.checks.plan import PlannedCheck
from devenv.checks.runner import (
    MOUNT,
    RUN_SCRIPT,
    compose_model_for_checks,
    outcome_of,
    read_markers,
    result_of,
    run_argv,
)
from devenv.spec.checks_model import ProjectChecks
from devenv.spec.loader import load_project

STYLE = PlannedCheck("style", ["ruff", "check", "."], "ruff", False, None, True)
OUTDATED = PlannedCheck("outdated", ["pip", "list"], "pip-outdated", True, ["pip", "index", "versions", "pip"], False)


def run_script(*checks: tuple[str, str, str]) -> list[tuple[float, str]]:
    argv = ["sh", str(RUN_SCRIPT), "TOKEN"] + [part for check in checks for part in check]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    return [(float(i), line) for i, line in enumerate(out.split("\n"))]


def test_run_sh_keeps_stdout_stderr_and_exit_codes_apart():
    lines = run_script(
        ("style", "", "echo 'a.py:1:1: F401 unused'; echo oops >&2; exit 1"),
        ("tests", "", "printf 'no newline at the end'"),
        ("outdated", "false", "echo never"),
        ("licences", "echo probing", "echo '[]'"),
    )
    raws = read_markers(lines, "TOKEN")
    assert list(raws) == ["style", "tests", "outdated", "licences"]
    assert (raws["style"].stdout, raws["style"].stderr, raws["style"].code) == (["a.py:1:1: F401 unused"], ["oops"], 1)
    assert raws["tests"].stdout == ["no newline at the end"] and raws["tests"].code == 0
    assert raws["outdated"].probe == [] and raws["outdated"].stdout == []  # the probe failed: not run
    assert raws["licences"].probe is None and raws["licences"].stdout == ["[]"]
    assert raws["style"].ended >= raws["style"].started


def test_markers_need_the_token():
    lines = run_script(("style", "", "echo '@@devenv-check OTHER end style 0'; exit 3"))
    raws = read_markers(lines, "TOKEN")
    assert raws["style"].code == 3 and raws["style"].stdout == ["@@devenv-check OTHER end style 0"]


def test_result_of_applies_the_policy():
    raws = read_markers(run_script(("style", "", "echo 'a.py:1:1: F401 x'; exit 1")), "TOKEN")
    failed = result_of("api", STYLE, raws["style"], ProjectChecks())
    assert (failed.outcome, failed.failed, failed.findings) == ("failed", 1, ["a.py:1:1: F401 x"])
    assert failed.output == ["a.py:1:1: F401 x"]
    outdated_json = '[{"name": "redis", "version": "6.4.0", "latest_version": "8.1.0", "latest_filetype": "wheel"}]'
    raws = read_markers(run_script(("outdated", "", f"echo {shlex.quote(outdated_json)}")), "TOKEN")
    warned = result_of("api", OUTDATED, raws["outdated"], ProjectChecks())
    assert (warned.outcome, warned.failed, warned.warnings) == ("warned", 0, 1)


def test_a_failed_probe_is_skipped_with_its_reason():
    raws = read_markers(
        run_script(("outdated", "echo 'ERROR: No matching distribution found for pip'; exit 1", "x")), "TOKEN"
    )
    result = result_of("api", OUTDATED, raws["outdated"], ProjectChecks())
    assert result.outcome == "skipped"
    assert result.reason == "unreachable (pip index versions pip failed): ERROR: No matching distribution found for pip"


def test_a_check_the_container_never_finished_fails():
    result = result_of("api", STYLE, None, ProjectChecks())
    assert result.outcome == "failed"


def test_outcome_of():
    assert outcome_of(3, 0, 0, False, True) == "passed"
    assert outcome_of(0, 1, 0, False, True) == "failed"
    assert outcome_of(0, 1, 0, False, False) == "warned"
    assert outcome_of(1, 0, 2, False, True) == "warned"
    assert outcome_of(0, 0, 0, True, True) == "skipped"


def test_run_argv_mounts_the_script_and_quotes_each_command():
    argv = run_argv("api", [STYLE, OUTDATED], "T")
    assert argv[:4] == ["run", "--rm", "--no-deps", "-T"]
    assert f"{RUN_SCRIPT}:{MOUNT}:ro" in argv
    assert argv[-7:] == ["T", "style", "", "ruff check .", "outdated", "pip index versions pip", "pip list"]


def test_the_check_model_has_no_dependencies_no_connection_settings_no_ports(make_project):
    root = make_project(
        """\
        name: shop
        services:
          api: {path: services/api, port: 8000, public: true, depends_on: [db]}
        dependencies:
          db: {kind: postgres}
        """,
        {"services/api": ""},
    )
    data = compose_model_for_checks(load_project(root))
    assert data["name"] == "shop-check"
    api = data["services"]["api"]
    assert "depends_on" not in api and "ports" not in api
    assert "DATABASE_URL" not in api.get("environment", {})
