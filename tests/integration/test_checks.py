"""`devenv check` on the real engine: one project scaffolded from the three templates (PostgreSQL,
Redis, backend, worker, frontend), shared by the tests of this module, which run in order.

* as scaffolded, every template passes all its checks (outdated only warns; a check whose
  index or advisory service does not answer from here is skipped, with the reason);
* planted faults are caught, one per check: a failing test, a style violation, a type
  error (backend and frontend), an old pinned package, a package under a licence outside
  the allowlist, a package with a published vulnerability (jinja2 2.10; see below), and a
  failing integration test against the real database.

Vulnerabilities: from this machine no advisory source answers (PyPI's per-version JSON API
answers 404, OSV has no DNS, npm's audit endpoint refuses the POST), so the vulnerable
package's check is asserted to be *skipped with a reason* or, where an advisory source
does answer, to *fail naming it* - never to pass. The failing path of the parsers is
covered in tests/checks/test_parsers.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.integration.conftest import remove_project, scaffold_stack

pytestmark = pytest.mark.docker


class Stack:
    def __init__(self, root: Path, name: str):
        self.root, self.name = root, name

    def check(self, *args: str) -> tuple[int, dict[tuple[str, str], dict], str]:
        """`devenv check --json ARGS`: (exit code, results by (service, kind), stderr)."""
        code, out, err = run_cli("-C", self.root, "check", "--json", *args)
        results = {}
        for line in out.splitlines():
            event = json.loads(line)
            if event["event"] == "ServiceCheckResult":
                results[(event["service"], event["kind"])] = event
        return code, results, out[-3000:] + err

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def append(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.write_text(path.read_text() + text)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, standins):
    root, name, _, _ = scaffold_stack(tmp_path_factory.mktemp("checks"))
    try:
        yield Stack(root, name)
    finally:
        remove_project(name)


def test_every_template_passes_its_checks_as_scaffolded(stack):
    programs = stack.root / ".devenv" / "programs"
    assert not programs.exists()  # a checkout never brought up
    code, results, log = stack.check()
    assert code == 0, log
    # the programs the services mount were written, not left for the engine to make empty dirs of
    assert (programs / "reload" / "__main__.py").is_file()
    for service in ("api", "worker", "web"):
        for kind in ("tests", "style", "types", "licences"):
            assert results[(service, kind)]["outcome"] == "passed", (service, kind, results[(service, kind)])
        assert results[(service, "outdated")]["outcome"] in ("passed", "warned", "skipped")
        assert results[(service, "outdated")]["required"] is False
        vulnerabilities = results[(service, "vulnerabilities")]
        assert vulnerabilities["outcome"] in ("passed", "skipped"), vulnerabilities
        if vulnerabilities["outcome"] == "skipped":
            assert vulnerabilities["reason"], vulnerabilities
    assert results[("api", "tests")]["passed"] >= 3
    assert ("api", "integration") not in results  # only with --integration


def test_a_failing_test_a_style_violation_and_type_errors_are_caught(stack):
    stack.write("services/api/tests/test_planted.py", "def test_planted():\n    assert 1 + 1 == 3\n")
    stack.append("services/api/app/settings.py", "\nimport textwrap\n\nPLANTED: int = 'not a number'\n")
    stack.write("services/web/src/planted.ts", "export const planted: number = 'not a number'\n")
    try:
        code, results, log = stack.check("api", "web", "--only", "tests", "style", "types", "--no-build")
        assert code == 1, log
        tests, style, types = (results[("api", kind)] for kind in ("tests", "style", "types"))
        assert tests["outcome"] == "failed" and tests["failed"] == 1
        assert tests["findings"] == ["FAILED tests/test_planted.py::test_planted - assert (1 + 1) == 3"]
        assert style["outcome"] == "failed" and any("F401" in f and "app/settings.py" in f for f in style["findings"])
        assert types["outcome"] == "failed" and any("app/settings.py" in f for f in types["findings"])
        web = results[("web", "types")]
        assert web["outcome"] == "failed" and any("planted.ts" in f and "TS2322" in f for f in web["findings"])
        assert results[("web", "style")]["outcome"] == "passed"
    finally:
        (stack.root / "services/api/tests/test_planted.py").unlink()
        (stack.root / "services/web/src/planted.ts").unlink()
        settings = stack.root / "services/api/app/settings.py"
        settings.write_text(settings.read_text().split("\nimport textwrap\n\nPLANTED")[0])


def test_old_pinned_vulnerable_and_wrongly_licensed_packages_are_caught(stack):
    # html2text 2020.1.16: old, and GPL-3.0; jinja2 2.10: old, with published advisories (CVE-2019-10906)
    stack.append("services/worker/requirements.txt", "html2text==2020.1.16\njinja2==2.10\n")
    code, results, log = stack.check("worker", "--only", "outdated", "vulnerabilities", "licences")
    assert code == 1, log
    outdated = results[("worker", "outdated")]
    assert outdated["outcome"] == "warned" and outdated["warnings"] >= 2, outdated
    assert any(f.startswith("html2text 2020.1.16 -> ") for f in outdated["findings"])
    assert any(f.lower().startswith("jinja2 2.10 -> ") for f in outdated["findings"])  # pip says Jinja2
    licences = results[("worker", "licences")]
    assert licences["outcome"] == "failed", licences
    [refused] = [f for f in licences["findings"] if "not in the allowlist" in f]
    assert refused.startswith("html2text 2020.1.16: ") and "GPL" in refused, refused
    vulnerabilities = results[("worker", "vulnerabilities")]
    if vulnerabilities["outcome"] == "skipped":
        assert "could not be audited" in vulnerabilities["reason"] or "unreachable" in vulnerabilities["reason"]
    else:
        assert vulnerabilities["outcome"] == "failed" and any("jinja2" in f for f in vulnerabilities["findings"])

    # policy in devenv.yaml: outdated required, html2text accepted as an exception with a reason
    stack.append(
        "devenv.yaml",
        "checks:\n  warn: []\n  licences:\n    exceptions:\n      html2text: used only in a dev script\n",
    )
    code, results, log = stack.check("worker", "--only", "outdated", "licences", "--no-build")
    assert code == 1, log
    assert results[("worker", "outdated")]["outcome"] == "failed"
    licences = results[("worker", "licences")]
    assert licences["outcome"] == "warned", licences
    assert any("(exception: used only in a dev script)" in f for f in licences["findings"])


def test_integration_tests_run_against_the_running_environment(stack):
    code, _, log = stack.check("--integration", "--only", "integration", "--no-build")
    assert code == 2 and "run `devenv up` first" in log  # nothing is running yet

    code, out, err = run_cli("-C", stack.root, "--output", "plain", "up", "--timeout", "300")
    assert code == 0, out[-3000:] + err
    code, results, log = stack.check("--integration", "--only", "integration", "--no-build")
    assert code == 0, log
    assert results[("api", "integration")]["passed"] >= 4  # readyz, items x2, a queued job
    assert results[("worker", "integration")]["passed"] >= 2
    assert results[("web", "integration")]["passed"] == 1  # the frontend reaches the backend

    stack.write(
        "services/api/tests/test_planted_integration.py",
        "import pytest\n\nfrom tests.conftest import needs_database\n\n\n"
        "@pytest.mark.integration\n@needs_database\ndef test_planted(client):\n"
        "    assert client.get('/api/items').json()['items'] == []  # the database holds the seeded items\n",
    )
    code, results, log = stack.check("api", "--only", "integration", "--no-build")
    assert code == 1, log
    result = results[("api", "integration")]
    assert result["outcome"] == "failed" and result["failed"] == 1
    assert result["findings"][0].startswith("FAILED tests/test_planted_integration.py::test_planted")
