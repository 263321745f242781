"""Each tool's output read into counts: passed, failed, warnings, and one line per finding.

Pure functions of (exit code, stdout, stderr). Text formats are read from the tools'
summary lines (pytest, vitest, ruff, eslint, mypy, tsc); the dependency tools from their
JSON reports. Licences and vulnerabilities are judged against the project's policy
(:mod:`devenv.checks.licences`). A network tool whose index or advisory service did not
answer gives ``skipped`` with the reason, never a pass or a failure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devenv.checks.licences import judge_licences, normalise
from devenv.spec.checks_model import ProjectChecks

SEVERITIES = ("info", "low", "moderate", "high", "critical")
NETWORK_ERRORS = re.compile(
    r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network request|audit endpoint returned|"
    r"Could not fetch URL|Max retries exceeded|NewConnectionError|ConnectionError|Temporary failure in name resolution|"
    r"Name or service not known|No matching distribution found|SSLError|CERTIFICATE_VERIFY_FAILED"
)


@dataclass(frozen=True)
class Parsed:
    """What one check found."""

    passed: int = 0
    failed: int = 0
    warnings: int = 0
    findings: list[str] = field(default_factory=list)  # one line per failure or warning
    skipped: str | None = None  # why the check could not run (an unreachable index)


def network_reason(text: str) -> str | None:
    """The first line of ``text`` that says the network failed, or None."""
    for line in text.splitlines():
        if NETWORK_ERRORS.search(line):
            return line.strip().removeprefix("npm error ").strip()
    return None


def _count(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


def _exit_code(code: int, out: str, err: str, policy: ProjectChecks) -> Parsed:
    if code == 0:
        return Parsed(passed=1)
    tail = [line for line in (out + "\n" + err).splitlines() if line.strip()][-5:]
    return Parsed(failed=1, findings=tail)


def _pytest(code: int, out: str, err: str, policy: ProjectChecks) -> Parsed:
    summary = next((line for line in reversed(out.splitlines()) if re.search(r"\bin [0-9.]+s\b", line)), "")
    passed = _count(r"(\d+) passed", summary)
    failed = _count(r"(\d+) failed", summary) + _count(r"(\d+) errors?\b", summary)
    warnings = _count(r"(\d+) warnings?", summary)
    findings = [line for line in out.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    if code not in (0, 5) and failed == 0:  # 5: no tests collected
        return Parsed(passed=passed, failed=1, findings=findings or _exit_code(code, out, err, policy).findings)
    return Parsed(passed=passed, failed=failed, warnings=warnings, findings=findings)


def _vitest(code: int, out: str, err: str, policy: ProjectChecks) -> Parsed:
    text = out + "\n" + err
    line = next((x for x in text.splitlines() if re.match(r"\s*Tests\s+\d", x)), "")
    passed, failed = _count(r"(\d+) passed", line), _count(r"(\d+) failed", line)
    findings = [x.strip() for x in text.splitlines() if x.strip().startswith("FAIL ")]
    if code != 0 and failed == 0:
        return Parsed(passed=passed, failed=1, findings=findings or _exit_code(code, out, err, policy).findings)
    return Parsed(passed=passed, failed=failed, findings=findings)


def _ruff(code: int, out: str, err: str, policy: ProjectChecks) -> Parsed:
    findings = [line for line in out.splitlines() if re.match(r"^\S+:\d+:\d+: ", line)]
    if code != 0 and not findings:
        return _exit_code(code, out, err, policy)
    return Parsed(passed=1 if not findings else 0, failed=len(findings), findings=findings)


def _eslint(code: int, out: str, err: str, policy: ProjectChecks) -> Parsed:
    findings: list[str] = []
    current = ""
    errors = warnings = 0
    for line in out.splitlines():
        problem = re.match(r"^\s+(\d+:\d+)\s+(error|warning)\s+(.*)$", line)
        if problem:
            findings.append(f"{current}:{problem.group(1)}: {problem.group(2)} {problem.group(3).strip()}")
            errors += problem.group(2) == "error"
            warnings += problem.group(2) == "warning"
        elif line.strip() and not line.startswith((" ", "\u2716")):
            current = line.strip()
    if code != 0 and errors == 0:
        return _exit_code(code, out, err, policy)
    return Parsed(passed=1 if errors == 0 else 0, failed=errors, warnings=warnings, findings=findings)


def _mypy(code: int, out: str, err: str, policy: ProjectChecks) -> Parsed:
    findings = [line for line in out.splitlines() if ": error: " in line]
    checked = _count(r"(?:checked|in) (\d+) source files?", out)
    files = _count(r"errors? in (\d+) files?", out)
    if code != 0 and not findings:
        return _exit_code(code, out, err, policy)
    return Parsed(passed=max(checked - files, 0), failed=len(findings), findings=findings)


def _tsc(code: int, out: str, err: str, policy: ProjectChecks) -> Parsed:
    findings = [line for line in out.splitlines() if re.search(r"\): error TS\d+:", line) or "error TS" in line]
    if code != 0 and not findings:
        return _exit_code(code, out, err, policy)
    return Parsed(passed=1 if not findings else 0, failed=len(findings), findings=findings)


def _json(out: str) -> Any:
    try:
        return json.loads(out) if out.strip() else None
    except json.JSONDecodeError:
        return None


def _pip_outdated(code: int, out: str, err: str, policy: ProjectChecks) -> Parsed:
    data = _json(out)
    if not isinstance(data, list):
        return (
            Parsed(skipped=network_reason(err) or "pip list printed no JSON")
            if code
            else _exit_code(1, out, err, policy)
        )
    findings = [f"{p['name']} {p['version']} -> {p['latest_version']}" for p in data]
    return Parsed(passed=1 if not findings else 0, failed=len(findings), findings=findings)


def _npm_outdated(code: int, out: str, err: str, policy: ProjectChecks) -> Parsed:
    data = _json(out)
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return Parsed(skipped=data["error"].get("summary") or network_reason(err) or "npm outdated failed")
    if not isinstance(data, dict):
        return Parsed(skipped=network_reason(err)) if network_reason(err) else _exit_code(code or 1, out, err, policy)
    findings = [
        f"{name} {info.get('current', '?')} -> {info.get('latest', '?')}" for name, info in sorted(data.items())
    ]
    return Parsed(passed=1 if not findings else 0, failed=len(findings), findings=findings)


def _severity_fails(severity: str | None, policy: ProjectChecks) -> bool:
    if severity is None or severity not in SEVERITIES:
        return True  # no severity given: treat as failing, say so in the finding
    return SEVERITIES.index(severity) >= SEVERITIES.index(policy.vulnerabilities.fail_on)


def _pip_audit(code: int, out: str, err: str, policy: ProjectChecks) -> Parsed:
    data = _json(out)
    if not isinstance(data, dict) or "dependencies" not in data:
        reason = network_reason(err)
        return Parsed(skipped=reason) if reason else _exit_code(code or 1, out, err, policy)
    deps = data["dependencies"]
    unaudited = [d for d in deps if d.get("skip_reason")]
    if deps and len(unaudited) == len(deps):
        return Parsed(
            skipped=f"the advisory source audited none of {len(deps)} packages: {unaudited[0]['skip_reason']}"
        )
    failed = warned = 0
    findings: list[str] = []
    for dep in deps:
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            findings.append(
                f"{dep['name']} {dep.get('version', '?')}: {vuln['id']} (severity not given; fixed in {fixes})"
            )
            failed += 1
    if unaudited:
        warned = len(unaudited)
        findings.append(f"{warned} package(s) could not be audited, e.g. {unaudited[0]['skip_reason']}")
    audited = len(deps) - len(unaudited)
    vulnerable = {d["name"] for d in deps if d.get("vulns")}
    return Parsed(passed=audited - len(vulnerable), failed=failed, warnings=warned, findings=findings)


def _npm_audit(code: int, out: str, err: str, policy: ProjectChecks) -> Parsed:
    data = _json(out)
    if isinstance(data, dict) and ("error" in data or "statusCode" in data) and "vulnerabilities" not in data:
        message = data.get("message") or (data.get("error") or {}).get("summary") or network_reason(err)
        return Parsed(skipped=f"the audit endpoint did not answer: {message or 'npm audit failed'}")
    if not isinstance(data, dict) or "vulnerabilities" not in data:
        reason = network_reason(err)
        return Parsed(skipped=reason) if reason else _exit_code(code or 1, out, err, policy)
    failed = warned = 0
    findings: list[str] = []
    for name, vuln in sorted(data["vulnerabilities"].items()):
        severity = vuln.get("severity")
        fails = _severity_fails(severity, policy)
        failed += fails
        warned += not fails
        via = [v.get("title", "") for v in vuln.get("via", []) if isinstance(v, dict)]
        detail = f": {via[0]}" if via else ""
        findings.append(f"{name} {vuln.get('range', '')} ({severity}){detail}".replace("  ", " "))
    total = data.get("metadata", {}).get("dependencies", {}).get("total", 0)
    return Parsed(passed=max(total - failed - warned, 0), failed=failed, warnings=warned, findings=findings)


def _pip_licenses(code: int, out: str, err: str, policy: ProjectChecks) -> Parsed:
    data = _json(out)
    if not isinstance(data, list):
        return _exit_code(code or 1, out, err, policy)
    return _licences([(p["Name"], p.get("Version", "?"), p.get("License", "UNKNOWN")) for p in data], policy)


def _license_checker(code: int, out: str, err: str, policy: ProjectChecks) -> Parsed:
    data = _json(out)
    if not isinstance(data, dict):
        return _exit_code(code or 1, out, err, policy)
    packages = []
    for key, info in data.items():
        name, _, version = key.rpartition("@")
        licence = info.get("licenses", "UNKNOWN")
        packages.append((name, version, " OR ".join(licence) if isinstance(licence, list) else str(licence)))
    return _licences(packages, policy)


def _licences(packages: list[tuple[str, str, str]], policy: ProjectChecks) -> Parsed:
    verdicts = judge_licences(packages, policy.licences)
    findings = [v.line() for v in verdicts if not v.accepted or v.exception]
    failed = sum(not v.accepted for v in verdicts)
    excepted = sum(v.accepted and v.exception is not None for v in verdicts)
    return Parsed(passed=len(verdicts) - failed, failed=failed, warnings=excepted, findings=findings)


PARSERS: dict[str, Callable[[int, str, str, ProjectChecks], Parsed]] = {
    "exit-code": _exit_code,
    "pytest": _pytest,
    "vitest": _vitest,
    "ruff": _ruff,
    "eslint": _eslint,
    "mypy": _mypy,
    "tsc": _tsc,
    "pip-outdated": _pip_outdated,
    "npm-outdated": _npm_outdated,
    "pip-audit": _pip_audit,
    "npm-audit": _npm_audit,
    "pip-licenses": _pip_licenses,
    "license-checker": _license_checker,
}

__all__ = ["PARSERS", "Parsed", "network_reason", "normalise", "parse"]


def parse(fmt: str, code: int, out: str, err: str, policy: ProjectChecks) -> Parsed:
    """Read one check's output in its format (see :data:`PARSERS`)."""
    return PARSERS[fmt](code, out, err, policy)
