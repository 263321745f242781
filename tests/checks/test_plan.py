"""Which checks run for which services (devenv.checks.plan): pure, from the spec and the templates."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from pydantic import ValidationError

from devenv.checks.plan import plan_checks, service_checks, template_checks
from devenv.errors import UsageError
from devenv.scaffold.templates import template_dir
from devenv.spec.checks_model import KINDS, CheckCommand
from devenv.spec.model import Spec

SPEC = {
    "name": "shop",
    "services": {
        "api": {"template": "backend", "port": 8000},
        "web": {"template": "frontend", "port": 5173},
        "docs": {"image": "nginx"},
        "tool": {"path": "services/tool", "test": ["make", "test"], "checks": {"style": {"command": ["make", "lint"]}}},
    },
}


@pytest.fixture(scope="module")
def templates() -> dict[str, dict[str, CheckCommand]]:
    return {name: template_checks(template_dir(name)) for name in ("backend", "frontend", "worker")}


def spec(**changes: object) -> Spec:
    data = {**SPEC, **changes}
    return Spec.model_validate(data)


def test_every_template_declares_the_six_kinds_and_integration(templates):
    for name, checks in templates.items():
        assert list(checks) == [*KINDS], name
        assert checks["outdated"].network and checks["vulnerabilities"].network
        assert not checks["style"].network


def test_default_plan_runs_everything_but_integration(templates):
    plans, skipped = plan_checks(spec(), templates)
    assert [p.service for p in plans] == ["api", "web", "tool"]
    assert skipped == ["docs"]
    api = plans[0]
    assert [c.kind for c in api.checks] == ["tests", "style", "types", "outdated", "vulnerabilities", "licences"]
    assert [c.required for c in api.checks] == [True, True, True, False, True, True]  # outdated warns
    assert not api.integration


def test_a_custom_service_gets_its_test_command_and_its_own_checks(templates):
    checks = service_checks(spec(), "tool", templates)
    assert list(checks) == ["tests", "style"]
    assert checks["tests"] == CheckCommand(command=["make", "test"], format="exit-code")


def test_a_service_replaces_or_turns_off_a_template_check(templates):
    services = dict(SPEC["services"])
    services["api"] = {
        **services["api"],
        "checks": {"types": None, "style": {"command": ["ruff", "check", "src"], "format": "ruff"}},
    }
    checks = service_checks(spec(services=services), "api", templates)
    assert "types" not in checks
    assert checks["style"].command == ["ruff", "check", "src"]


def test_only_and_integration(templates):
    plans, _ = plan_checks(spec(), templates, ["api"], ["style", "types"])
    assert [c.kind for c in plans[0].checks] == ["style", "types"]
    plans, _ = plan_checks(spec(), templates, ["api"], integration=True)
    assert plans[0].checks[-1].kind == "integration" and plans[0].integration
    plans, skipped = plan_checks(spec(), templates, None, ["integration"])
    assert [p.service for p in plans] == ["api", "web"] and [c.kind for c in plans[0].checks] == ["integration"]
    assert skipped == ["docs", "tool"]


def test_warn_makes_a_kind_optional_and_outdated_can_be_required(templates):
    plans, _ = plan_checks(spec(checks={"warn": ["licences"]}), templates, ["api"])
    required = {c.kind: c.required for c in plans[0].checks}
    assert required["licences"] is False and required["outdated"] is True


def test_unknown_service_or_kind_is_a_usage_error(templates):
    with pytest.raises(UsageError, match="'nope' is not a service"):
        plan_checks(spec(), templates, ["nope"])
    with pytest.raises(UsageError, match="no service declares a check of kind 'lint'"):
        plan_checks(spec(), templates, None, ["lint"])
    with pytest.raises(UsageError, match="no check to run"):
        plan_checks(spec(), templates, ["docs"])


def test_checks_in_devenv_yaml_are_validated():
    with pytest.raises(ValidationError, match="format"):
        spec(services={"api": {"path": "x", "checks": {"style": {"command": ["x"], "format": "pylint"}}}})
    with pytest.raises(ValidationError, match="fail_on"):
        spec(checks={"vulnerabilities": {"fail_on": "severe"}})


def test_a_template_without_checks_yml_declares_none(tmp_path: Path):
    assert template_checks(tmp_path) == {}
    (tmp_path / "checks.yml").write_text(textwrap.dedent("style: {command: [x], format: nope}\n"))
    with pytest.raises(Exception, match="invalid checks"):
        template_checks(tmp_path)
