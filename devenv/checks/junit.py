"""JUnit XML for CI (``devenv check --junit DIR``): one file per service, one test case per check."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from devenv.events import CheckSummary, ServiceCheckResult


def service_suite(service: str, results: list[ServiceCheckResult]) -> ET.Element:
    """A ``<testsuite>`` for one service: a ``<testcase>`` per check, failed/skipped as the check was."""
    suite = ET.Element(
        "testsuite",
        name=service,
        tests=str(len(results)),
        failures=str(sum(r.outcome == "failed" for r in results)),
        skipped=str(sum(r.outcome == "skipped" for r in results)),
        errors="0",
        time=f"{sum(r.seconds for r in results):.1f}",
    )
    for result in results:
        case = ET.SubElement(suite, "testcase", classname=f"devenv.check.{service}", name=result.kind)
        case.set("time", f"{result.seconds:.1f}")
        counts = f"{result.passed} passed, {result.failed} failed, {result.warnings} warnings"
        if result.outcome == "failed":
            failure = ET.SubElement(case, "failure", message=f"{result.kind}: {counts}")
            failure.text = "\n".join(result.findings or result.output)
        elif result.outcome == "skipped":
            ET.SubElement(case, "skipped", message=result.reason or "skipped")
        elif result.findings:
            ET.SubElement(case, "system-out").text = "\n".join(result.findings)
    return suite


def write_junit(summary: CheckSummary, directory: Path) -> list[Path]:
    """Write ``<directory>/<service>.xml`` for every service checked; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    services = list(dict.fromkeys(r.service for r in summary.results))
    written = []
    for service in services:
        suite = service_suite(service, [r for r in summary.results if r.service == service])
        tree = ET.ElementTree(suite)
        ET.indent(tree)
        path = directory / f"{service}.xml"
        tree.write(path, encoding="utf-8", xml_declaration=True)
        written.append(path)
    return written
