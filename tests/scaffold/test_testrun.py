"""`devenv test` without an engine: what runs, in which compose model, how it is reported."""

from __future__ import annotations

import pytest

from devenv.cli.output import emit
from devenv.errors import UsageError
from devenv.scaffold.testrun import ServiceTestResult, TestSummary, _needs_build, compose_model_for_tests, plan_tests
from devenv.spec.loader import load_project

SPEC = """\
name: shop
services:
  api:
    port: 8000
    public: true
    depends_on: [db]
    test: [pytest, -q]
  web:
    port: 5173
    public: true
    depends_on: [api]
    test: [vitest, run]
  docs:
    image: python:3.11-slim
dependencies:
  db: {kind: postgres, version: "15", host_port: 5433}
"""


@pytest.fixture
def project(make_project):
    return load_project(make_project(SPEC, {"services/api": "", "services/web": ""}))


def test_the_test_model_is_a_separate_project_without_published_ports(project):
    data = compose_model_for_tests(project)
    assert data["name"] == "shop-test"
    assert all("ports" not in entry for entry in data["services"].values())
    assert data["services"]["api"]["image"] == "shop-api:dev"  # the dev image is shared
    assert data["services"]["api"]["environment"]["DATABASE_URL"].startswith("postgresql://")


def test_all_services_with_a_test_command_by_default(project):
    assert plan_tests(project, None) == (["api", "web"], ["docs"])
    assert plan_tests(project, ["web"]) == (["web"], [])


def test_naming_a_service_without_tests_or_an_unknown_one_is_a_usage_error(project):
    with pytest.raises(UsageError, match="has no test command"):
        plan_tests(project, ["docs"])
    with pytest.raises(UsageError, match="is not a service"):
        plan_tests(project, ["nope"])


def test_services_a_tested_service_depends_on_are_built_too(project):
    assert _needs_build(project, ["web"]) == ["web", "api"]
    assert _needs_build(project, ["api"]) == ["api"]


def test_the_summary_table_shows_every_service_and_the_tail_of_failures(capsys):
    summary = TestSummary(
        project="shop",
        results=[
            ServiceTestResult("api", ["pytest", "-q"], True, 0, 3.2),
            ServiceTestResult("web", ["vitest", "run"], False, 1, 1.0, tail=["FAIL src/App.test.tsx"]),
        ],
        skipped=["docs"],
    )
    emit([summary], mode="plain")
    out = capsys.readouterr().out
    assert "--- last lines of web's tests (exit 1) ---\nFAIL src/App.test.tsx" in out
    assert "api      passed" in out and "web      FAILED (1)" in out
    assert "docs     skipped (no test command)" in out
    assert summary.failed == ["web"]


def test_the_cli_refuses_unknown_services(project, cli):
    code, _, err = cli("-C", project.root, "test", "nope")
    assert code == 2 and "'nope' is not a service" in err
