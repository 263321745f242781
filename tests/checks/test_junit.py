"""JUnit XML (devenv check --junit DIR)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from devenv.checks.junit import write_junit
from devenv.events import CheckSummary, ServiceCheckResult

SUMMARY = CheckSummary(
    "shop",
    [
        ServiceCheckResult("api", "tests", "passed", True, 3, 0, 0, 1.5),
        ServiceCheckResult("api", "style", "failed", True, 0, 2, 0, 0.2, findings=["a.py:1:1: F401", "b.py:2:1: E501"]),
        ServiceCheckResult("api", "outdated", "warned", False, 0, 0, 1, 2.0, findings=["redis 6 -> 8"]),
        ServiceCheckResult("web", "vulnerabilities", "skipped", True, 0, 0, 0, 0.7, reason="405 from the registry"),
    ],
)


def test_one_file_per_service_one_case_per_check(tmp_path):
    paths = write_junit(SUMMARY, tmp_path / "reports")
    assert [p.name for p in paths] == ["api.xml", "web.xml"]
    api = ET.parse(paths[0]).getroot()
    assert api.tag == "testsuite" and api.get("name") == "api"
    assert (api.get("tests"), api.get("failures"), api.get("skipped")) == ("3", "1", "0")
    cases = {case.get("name"): case for case in api.iter("testcase")}
    assert list(cases) == ["tests", "style", "outdated"]
    failure = cases["style"].find("failure")
    assert failure is not None and failure.text == "a.py:1:1: F401\nb.py:2:1: E501"
    assert cases["tests"].find("failure") is None
    assert cases["outdated"].find("system-out").text == "redis 6 -> 8"
    web = ET.parse(paths[1]).getroot()
    skipped = web.find("testcase/skipped")
    assert skipped is not None and skipped.get("message") == "405 from the registry"
