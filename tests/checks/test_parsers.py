"""Parsers against real tool outputs captured in the templates' dev images (outputs/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from devenv.checks.parsers import network_reason, parse
from devenv.spec.checks_model import LicencePolicy, ProjectChecks, VulnerabilityPolicy

OUTPUTS = Path(__file__).with_name("outputs")
POLICY = ProjectChecks()


def read(name: str) -> str:
    return (OUTPUTS / name).read_text(encoding="utf-8")


def test_pytest_passed_and_failed():
    ok = parse("pytest", 0, read("pytest_ok.txt"), "", POLICY)
    assert (ok.passed, ok.failed, ok.findings) == (3, 0, [])
    bad = parse("pytest", 1, read("pytest_fail.txt"), "", POLICY)
    assert (bad.passed, bad.failed) == (3, 1)
    assert bad.findings == ["FAILED tests/test_planted.py::test_fails - assert (1 + 1) == 3"]


def test_pytest_that_crashes_without_a_summary_fails():
    found = parse("pytest", 4, "ERROR: file or directory not found: nope\n", "", POLICY)
    assert found.failed == 1 and found.findings


def test_vitest_passed_and_failed():
    ok = parse("vitest", 0, read("vitest_ok.txt"), "", POLICY)
    assert (ok.passed, ok.failed) == (7, 0)
    bad = parse("vitest", 1, read("vitest_fail.txt"), "", POLICY)
    assert (bad.passed, bad.failed) == (7, 1)
    assert bad.findings == ["FAIL  src/planted.test.ts > fails"]


def test_ruff():
    assert parse("ruff", 0, read("ruff_ok.txt"), "", POLICY).failed == 0
    bad = parse("ruff", 1, read("ruff_fail.txt"), "", POLICY)
    assert bad.failed == 2
    assert bad.findings[0] == "tests/conftest.py:5:1: I001 [*] Import block is un-sorted or un-formatted"


def test_eslint():
    assert parse("eslint", 0, read("eslint_ok.txt"), "", POLICY).failed == 0
    bad = parse("eslint", 1, read("eslint_fail.txt"), "", POLICY)
    assert (bad.failed, bad.warnings) == (10, 0)
    assert bad.findings[0] == "/app/server.mjs:11:21: error 'process' is not defined     no-undef"


def test_mypy():
    ok = parse("mypy", 0, read("mypy_ok.txt"), "", POLICY)
    assert (ok.passed, ok.failed) == (11, 0)
    bad = parse("mypy", 1, read("mypy_fail.txt"), "", POLICY)
    assert bad.failed == 15
    assert bad.passed == 9  # 11 files checked, errors in 2
    assert all(": error: " in line for line in bad.findings)


def test_tsc():
    assert parse("tsc", 0, read("tsc_ok.txt"), "", POLICY).failed == 0
    bad = parse("tsc", 2, read("tsc_fail.txt"), "", POLICY)
    assert bad.failed == 1 and "TS2322" in bad.findings[0]


def test_a_tool_that_is_missing_fails_with_its_message():
    found = parse("ruff", 127, "", "sh: 1: ruff: not found\n", POLICY)
    assert found.failed == 1 and found.findings == ["sh: 1: ruff: not found"]


def test_pip_outdated():
    found = parse("pip-outdated", 0, read("pip_outdated.json"), "", POLICY)
    assert found.failed == 2
    assert found.findings == ["mypy 1.20.2 -> 2.4.1", "redis 6.4.0 -> 8.1.0"]
    assert parse("pip-outdated", 0, "[]", "", POLICY).failed == 0


def test_npm_outdated_and_an_unreachable_registry():
    found = parse("npm-outdated", 1, read("npm_outdated.json"), "", POLICY)
    assert found.failed == 4 and "typescript 5.9.3 -> 7.0.2" in found.findings
    offline = parse("npm-outdated", 1, read("npm_outdated_offline.json"), read("npm_outdated_offline.err"), POLICY)
    assert offline.skipped is not None and "ENOTFOUND" in offline.skipped
    assert offline.failed == 0


def test_pip_audit_where_pypi_audits_nothing_is_skipped():
    found = parse("pip-audit", 0, read("pip_audit.json"), "No known vulnerabilities found\n", POLICY)
    assert found.skipped is not None
    assert "audited none of 63 packages" in found.skipped
    assert found.failed == 0


def test_pip_audit_with_a_vulnerability_fails():
    found = parse("pip-audit", 1, read("pip_audit_vulnerable.constructed.json"), "", POLICY)
    assert found.skipped is None
    assert found.failed == 1 and found.warnings == 1  # one vulnerability; pip could not be audited
    assert found.findings[0].startswith("jinja2 2.10: PYSEC-2019-217")
    assert found.passed == 1  # markupsafe


def test_npm_audit_endpoint_refusing_is_skipped():
    found = parse("npm-audit", 1, read("npm_audit.json"), read("npm_audit.err"), POLICY)
    assert found.skipped is not None and "405 Method Not Allowed" in found.skipped


@pytest.mark.parametrize(("fail_on", "failed", "warnings"), [("high", 1, 1), ("moderate", 2, 0), ("critical", 0, 2)])
def test_npm_audit_severity_threshold(fail_on, failed, warnings):
    policy = ProjectChecks(vulnerabilities=VulnerabilityPolicy(fail_on=fail_on))
    found = parse("npm-audit", 1, read("npm_audit_vulnerable.constructed.json"), "", policy)
    assert (found.failed, found.warnings) == (failed, warnings)
    assert found.findings[0] == "lodash <=4.17.20 (high): Command Injection in lodash"


def test_pip_licenses_against_the_default_allowlist():
    found = parse("pip-licenses", 0, read("pip_licenses.json"), "", POLICY)
    assert found.failed == 0, found.findings
    assert found.passed == 57  # every package in the image


def test_pip_licenses_outside_a_narrow_allowlist_fail_unless_excepted():
    policy = ProjectChecks(
        licences=LicencePolicy(
            allow=["MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "PSF-2.0", "MPL-2.0"],
            exceptions={"psycopg": "LGPL, used unchanged as a library"},
        )
    )
    found = parse("pip-licenses", 0, read("pip_licenses.json"), "", policy)
    failing = sorted(line.split(" ")[0] for line in found.findings if "not in the allowlist" in line)
    assert failing == ["psycopg-binary", "psycopg-pool"]
    assert found.warnings == 1
    assert "psycopg 3" in next(line for line in found.findings if "exception" in line)


def test_license_checker_flags_the_unlicensed_private_package():
    found = parse("license-checker", 0, read("license_checker.json"), "", POLICY)
    assert found.failed == 1
    assert found.findings == ["web 0.1.0: UNLICENSED is not in the allowlist"]
    assert found.passed == 257


def test_network_reason():
    assert network_reason("npm error code ENOTFOUND\nnpm error network request to x failed") == "code ENOTFOUND"
    assert network_reason("all good") is None
