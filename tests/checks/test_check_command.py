"""`devenv check` in-process: flags reach the runner, exit codes, JUnit files (the runner is faked here;
tests/integration/test_checks.py runs the real one)."""

from __future__ import annotations

import json

import pytest

from devenv.events import CheckSummary, ServiceCheckResult, Step

SPEC = "name: shop\nservices:\n  api:\n    template: backend\n    port: 8000\n"
PASSED = ServiceCheckResult("api", "tests", "passed", True, 3, 0, 0, 1.0)
FAILED = ServiceCheckResult("api", "style", "failed", True, 0, 1, 0, 0.1, exit_code=1, findings=["a.py:1:1: F401"])


@pytest.fixture
def calls(monkeypatch):
    seen: list[dict[str, object]] = []

    def fake(results):
        def run_checks(project, services, only, *, integration, build):
            seen.append({"services": services, "only": only, "integration": integration, "build": build})
            yield Step("checking api")
            yield from results
            yield CheckSummary(project.name, list(results))

        return run_checks

    seen_results: list[ServiceCheckResult] = []
    monkeypatch.setattr("devenv.checks.runner.run_checks", fake(seen_results))
    return seen, seen_results


def test_exit_0_when_every_required_check_passes(cli, make_project, calls):
    seen, results = calls
    results.append(PASSED)
    root = make_project(SPEC, {"services/api": ""})
    code, out, err = cli("--output", "plain", "-C", root, "check", "--only", "style", "types", "api", "--no-build")
    assert code == 0, err
    assert seen == [{"services": ["api"], "only": ["style", "types"], "integration": False, "build": False}]
    assert "shop: every required check passed" in out


def test_exit_1_and_the_findings_when_a_required_check_fails(cli, make_project, calls, tmp_path):
    _, results = calls
    results += [PASSED, FAILED]
    root = make_project(SPEC, {"services/api": ""})
    code, out, err = cli("--output", "plain", "-C", root, "check", "--integration", "--junit", tmp_path / "junit")
    assert code == 1
    assert "a.py:1:1: F401" in out
    assert "error: checks failed: api/style" in err
    assert (tmp_path / "junit" / "api.xml").is_file()


def test_json_lines(cli, make_project, calls):
    _, results = calls
    results.append(PASSED)
    code, out, _ = cli("-C", make_project(SPEC, {"services/api": ""}), "check", "--json")
    assert code == 0
    kinds = [json.loads(line)["event"] for line in out.splitlines()]
    assert kinds == ["Step", "ServiceCheckResult", "CheckSummary"]
