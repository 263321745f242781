"""Rendering events: every event class has a plain and a rich method, and valid JSON; commands decide
their exit code from the typed events. Core calls are replaced by fakes; the CLI runs in-process."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from typer.testing import CliRunner

import devenv.events as events_module
from devenv.cli.output import emit
from devenv.cli.render.plain_renderer import PlainRenderer
from devenv.cli.render.rich_renderer import RichRenderer
from devenv.cli.state import CURRENT
from devenv.events import (
    CACertificate,
    Check,
    CheckSummary,
    Event,
    Graph,
    ImageBuilt,
    ImportedService,
    ImportSummary,
    LogLine,
    Manifests,
    Message,
    Output,
    PlanReady,
    Release,
    ReleaseHistory,
    RolloutProgress,
    Schema,
    ServiceChanged,
    ServiceCheckResult,
    ServicesRestarted,
    ServiceStatus,
    ServiceTestResult,
    ServiceUpdate,
    SnapshotDone,
    SnapshotEntry,
    SnapshotTable,
    StatusReport,
    Step,
    TestSummary,
    Warning,
)
from devenv.runtime.plan import Action

SPEC = "name: shop\nservices:\n  api:\n    port: 8000\n    public: true\n"

PLAN = PlanReady(
    actions=[
        Action(service="db", verb="keep", build=False, reason="running"),
        Action(service="api", verb="create", build=True, reason="image not built yet"),
    ]
)
REPORT = StatusReport(
    project="shop",
    services=[
        ServiceStatus("db", "dependency", "running", "healthy", ["localhost:5432"], True),
        ServiceStatus("api", "service", "exited (1)", None, ["http://localhost:8000"], False),
    ],
    elapsed=3.25,
)
SUMMARY = TestSummary(
    project="shop",
    results=[
        ServiceTestResult("api", ["pytest", "-q"], True, 0, 3.2),
        ServiceTestResult("web", ["vitest", "run"], False, 1, 1.0, tail=["FAIL src/App.test.tsx"]),
    ],
    skipped=["docs"],
)
CHECKED = CheckSummary(
    project="shop",
    results=[
        ServiceCheckResult("api", "style", "failed", True, 0, 1, 0, 0.4, exit_code=1, findings=["app/x.py:1:1: F401"]),
        ServiceCheckResult("api", "outdated", "warned", False, 0, 0, 1, 2.0, exit_code=0, findings=["redis 6 -> 8"]),
        ServiceCheckResult("web", "vulnerabilities", "skipped", True, 0, 0, 0, 0.7, reason="405 from the registry"),
    ],
    skipped=["docs"],
    seconds=3.1,
    parallel=2,
)
UPDATED = ServiceUpdate(
    "api", "conflicts", template="backend", old_version="1.0", new_version="1.1",
    changed=["app/main.py", "pyproject.toml"], deleted=["old.txt"], conflicts=["pyproject.toml"],
)

# (event, plain stdout, plain stderr); the stdout of `--output rich` contains each of `rich`
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
CASES: list[tuple[Event, str, str, list[str]]] = [
    (Message("wrote docker-compose.yml"), "wrote docker-compose.yml\n", "", ["wrote docker-compose.yml"]),
    (Step("building api"), "==> building api\n", "", ["==> building api"]),
    (Warning("services.api.env.X: looks like a secret"), "", "warning: services.api.env.X: looks like a secret\n", []),
    (Output(source="build", line="#1 DONE 0.1s"), "    build | #1 DONE 0.1s\n", "", []),
    (LogLine("api-1  | GET /healthz 200"), "api-1  | GET /healthz 200\n", "", ["api-1  | GET /healthz 200"]),
    (Graph("flowchart LR\n  api\n", format="mermaid"), "flowchart LR\n  api\n", "", ["flowchart LR\n  api\n"]),
    (Schema('{\n  "title": "devenv.yaml"\n}\n'), '{\n  "title": "devenv.yaml"\n}\n', "", ['"title": "devenv.yaml"']),
    (CACertificate(PEM), PEM, "", ["BEGIN CERTIFICATE"]),
    (Manifests("---\nkind: Service\n"), "---\nkind: Service\n", "", ["---\nkind: Service\n"]),
    (
        PLAN,
        "    db: keep (running)\n    api: build, create (image not built yet)\n",
        "",
        ["db: keep (running)", "api: build, create (image not built yet)"],
    ),
    (
        ServiceChanged(service="db", state="running", health="healthy", elapsed=1.5),
        "[   1.5s] db: running (healthy)\n",
        "",
        ["db: running (healthy)"],
    ),
    (
        REPORT,
        ("SERVICE  ROLE        STATE       HEALTH   URL\n"
         "db       dependency  running     healthy  localhost:5432\n"
         "api      service     exited (1)  -        http://localhost:8000\n"
         "shop: ready in 3.2s\n"),
        "",
        ["SERVICE", "exited (1)", "http://localhost:8000", "shop — ready in 3.2s"],
    ),
    (Check("docker CLI", "ok", "/usr/bin/docker"), "[ok  ] docker CLI: /usr/bin/docker\n", "", ["[ok  ] docker CLI"]),
    (
        Check("port 8000", "fail", "in use by nginx", "stop it"),
        "[FAIL] port 8000: in use by nginx\n       fix: stop it\n",
        "",
        ["[FAIL] port 8000: in use by nginx", "fix: stop it"],
    ),
    (Check("devenv.yaml", "skip", "none here", "run devenv init"), "[skip] devenv.yaml: none here\n", "", ["[skip]"]),
    (ServiceTestResult("api", ["pytest"], True, 0, 3.2), "", "", ["api: passed (3.2s)"]),
    (
        SUMMARY,
        ("--- last lines of web's tests (exit 1) ---\n"
         "FAIL src/App.test.tsx\n"
         "SERVICE  RESULT                     SECONDS  COMMAND\n"
         "api      passed                     3.2      pytest -q\n"
         "web      FAILED (1)                 1.0      vitest run\n"
         "docs     skipped (no test command)  -        -\n"),
        "",
        ["--- last lines of web's tests (exit 1) ---", "FAILED (1)", "skipped (no test command)"],
    ),
    (
        UPDATED,
        "api: backend 1.0 -> 1.1\n    updated  app/main.py\n    CONFLICT pyproject.toml\n    deleted  old.txt\n",
        "",
        ["api: backend 1.0 -> 1.1", "CONFLICT pyproject.toml", "deleted  old.txt"],
    ),
    (
        ServiceUpdate("docs", "skipped", reason="not made from a template"),
        "docs: skipped (not made from a template)\n",
        "",
        ["docs: skipped (not made from a template)"],
    ),
    (
        ServiceUpdate("web", "up-to-date", template="frontend", new_version="2"),
        "web: up to date (frontend 2)\n",
        "",
        ["web: up to date (frontend 2)"],
    ),
    (
        SnapshotDone("saved", "db", "before-demo", 97631591, 0.213),
        "db: saved snapshot before-demo (93.1 MiB, 0.21s)\n",
        "",
        ["db: saved snapshot before-demo (93.1 MiB, 0.21s)"],
    ),
    (
        SnapshotDone("removed", "cache", "old", 1734),
        "cache: removed snapshot old (1.7 KiB)\n",
        "",
        ["cache: removed snapshot old (1.7 KiB)"],
    ),
    (
        SnapshotTable("shop", [SnapshotEntry("before-demo", "db", "postgres", 8232295, ""),
                               SnapshotEntry("before-demo", "cache", "redis", 900, "")]),
        ("NAME         DEPENDENCY  KIND      SIZE     CREATED\n"
         "before-demo  db          postgres  7.9 MiB  -\n"
         "before-demo  cache       redis     900 B    -\n"),
        "",
        ["shop: snapshots", "before-demo", "7.9 MiB", "900 B"],
    ),
    (
        SnapshotTable("shop", [], not_running=["db"]),
        "shop: no snapshots (save one: devenv snapshot save [NAME])\n",
        "",
        ["shop: no snapshots"],
    ),
    (
        ServicesRestarted(["api", "worker"], ["db"], 2.14),
        "restarted api, worker (use db): ready in 2.1s\n",
        "",
        ["restarted api, worker (use db): ready in 2.1s"],
    ),
    (
        ImportedService(
            "web-app", "web_app", "image", "service from image nginx:1", raw=["ports"], removed=["init"],
            kubernetes=["compose.ports"], added=["environment DB_URL"], differences=["ports: original 1, now 2"],
            notes=["renamed from web_app"], settings=3, equivalent=2,
        ),
        ("web-app (was web_app): service from image nginx:1\n"
         "    kept as raw compose: ports\n"
         "    left out of devenv's rendering (the original has none): init\n"
         "    devenv adds: environment DB_URL\n"
         "    not carried to Kubernetes: compose.ports\n"
         "    note: renamed from web_app\n"
         "    DIFFERS ports: original 1, now 2\n"),
        "",
        ["web-app (was web_app): service from image nginx:1", "DIFFERS ports: original 1, now 2"],
    ),
    (
        ImportSummary(
            "shop", ["docker-compose.yml"], "2.40.3", services=2, settings=3, equivalent=2, raw=["volumes"],
            kubernetes=["compose.volumes"], moved=["docker-compose.yml -> docker-compose.original.yml"],
            written=["devenv.yaml", "docker-compose.yml"], notes=[".env was read"],
        ),
        ("top level: kept as raw compose: volumes\n"
         "top level: not carried to Kubernetes: compose.volumes\n"
         "note: .env was read\n"
         "moved docker-compose.yml -> docker-compose.original.yml\n"
         "wrote devenv.yaml, docker-compose.yml\n"
         "self-check (docker compose config 2.40.3): 2 of 3 settings of 2 services and the top level read the "
         "same, the rest named above\n"),
        "",
        ["moved docker-compose.yml -> docker-compose.original.yml", "self-check"],
    ),
    (ServiceCheckResult("api", "tests", "passed", True, 3, 0, 0, 1.2), "==> api tests: passed (1.2s)\n", "",
     ["api tests: passed (1.2s)"]),
    (
        CHECKED,
        ("--- api style: FAILED (exit 1) ---\n"
        "app/x.py:1:1: F401\n"
        "--- api outdated: warnings ---\n"
        "redis 6 -> 8\n"
        "--- web vulnerabilities: skipped: 405 from the registry ---\n"
        "SERVICE  CHECK            RESULT              PASSED  FAILED  WARNINGS  SECONDS\n"
        "api      style            failed              0       1       0         0.4\n"
        "api      outdated         warned (warn only)  0       0       1         2.0\n"
        "web      vulnerabilities  skipped             -       -       -         0.7\n"
        "docs     -                nothing to check    -       -       -         -\n"
        "shop: 1 check failed (api/style) in 3.1s, 2 at a time\n"),
        "",
        ["app/x.py:1:1: F401", "shop: checks", "1 check failed (api/style)"],
    ),
    # delivery (devenv build, deploy, history)
    (
        ImageBuilt("api", "r.example.com/shop-api:abc", "r.example.com/shop-api@sha256:0123"),
        "==> built api: r.example.com/shop-api@sha256:0123\n",
        "",
        ["built api: r.example.com/shop-api@sha256:0123"],
    ),
    (RolloutProgress("Deployment/api", 2, 2, True), "==> Deployment/api: 2/2 ready (done)\n", "", ["2/2 ready (done)"]),
    (
        ReleaseHistory("staging", "shop-staging", [Release(1, "abc", "abc", "2026-01-01T00:00:00Z", "deployed")]),
        "REVISION  COMMIT  TAG  TIME                  STATUS\n1         abc     abc  2026-01-01T00:00:00Z  deployed\n",
        "",
        ["REVISION", "deployed"],
    ),
]


def _event_classes() -> list[type[Event]]:
    return [
        value
        for value in vars(events_module).values()
        if inspect.isclass(value) and issubclass(value, Event) and value is not Event
    ]


def _fake_up(events: list[Event]):  # returns a stand-in with the signature of devenv.runtime.up.up
    def up(*args: object, **kwargs: object) -> Iterator[Event]:
        yield from events

    return up


@pytest.fixture
def shop(make_project):
    return make_project(SPEC, {"services/api": ""})


def test_every_event_class_has_a_case():
    for cls in _event_classes():
        assert any(isinstance(event, cls) for event, *_ in CASES), cls.__name__


@pytest.mark.parametrize("renderer", [PlainRenderer, RichRenderer])
def test_plain_and_rich_have_a_method_for_every_event_class(renderer):
    dispatcher = vars(renderer)["render"].dispatcher  # the functools.singledispatchmethod
    fallback = dispatcher.dispatch(Event)
    for cls in _event_classes():
        assert dispatcher.dispatch(cls) is not fallback, f"{renderer.__name__} has no method for {cls.__name__}"


@pytest.mark.parametrize(
    ("event", "out", "err", "rich"), CASES, ids=[f"{type(c[0]).__name__}-{i}" for i, c in enumerate(CASES)]
)
def test_each_event_through_the_cli(event, out, err, rich, cli, shop, monkeypatch):
    monkeypatch.setattr("devenv.runtime.up.up", _fake_up([event]))

    code, stdout, stderr = cli("--output", "plain", "-C", shop, "up")
    assert (code, stdout, stderr) == (0, out, err)

    code, stdout, stderr = cli("--output", "json", "-C", shop, "up")
    assert code == 0 and stderr == ""
    [line] = stdout.splitlines()
    assert json.loads(line) == json.loads(json.dumps(event.as_dict()))
    assert json.loads(line)["event"] == type(event).__name__

    code, stdout, stderr = cli("--output", "rich", "-C", shop, "up")
    assert code == 0
    for text in rich:
        assert text in stdout, stdout
    if isinstance(event, Warning):
        assert f"warning: {event.message}" in stderr


def test_plan_actions_are_typed_and_json_build_is_a_boolean():
    data = json.loads(json.dumps(PLAN.as_dict()))
    assert data["actions"][1] == {"service": "api", "verb": "create", "build": True, "reason": "image not built yet"}
    assert data["actions"][0]["build"] is False


@dataclass(frozen=True)
class Seeded(Event):
    """An event from another package that describes itself (as seeding's events do)."""

    dependency: str

    def describe(self) -> str:
        return f"{self.dependency}: 1 file applied"


def test_events_that_describe_themselves_are_steps_in_plain_and_rich(capsys):
    emit([Seeded("db")], mode="plain")
    assert capsys.readouterr().out == "==> db: 1 file applied\n"
    emit([Seeded("db")], mode="rich")
    assert "==> db: 1 file applied" in capsys.readouterr().out
    emit([Seeded("db")], mode="json")
    assert json.loads(capsys.readouterr().out) == {"event": "Seeded", "dependency": "db"}


def test_seed_events_render_as_their_description(capsys):
    from devenv.fixtures.runtime import FixtureApplied, FixturesDone, FixturesReset

    emit(
        [
            FixturesReset("db", "dropped and re-created schema public"),
            FixtureApplied("db", "010_users.csv", "200 rows into users"),
            FixturesDone("db", 1, 3, 0.9),
        ],
        mode="plain",
    )
    assert capsys.readouterr().out == (
        "==> db: reset: dropped and re-created schema public\n"
        "==> db: applied 010_users.csv (200 rows into users)\n"
        "==> db: 1 file applied, 3 unchanged (0.9s)\n"
    )


def test_doctor_exits_1_on_a_failed_check_only(cli, shop, monkeypatch):
    checks = [Check("docker CLI", "ok", "/usr/bin/docker"), Check("disk", "warn", "1.0 GiB free", "prune")]
    monkeypatch.setattr("devenv.doctor.run_doctor", lambda root: iter(checks))
    code, out, _ = cli("-C", shop, "doctor")
    assert code == 0
    assert out == "[ok  ] docker CLI: /usr/bin/docker\n[WARN] disk: 1.0 GiB free\n       fix: prune\n"
    checks.append(Check("port 8000", "fail", "in use"))
    code, out, _ = cli("-C", shop, "doctor")
    assert code == 1 and out.endswith("[FAIL] port 8000: in use\n")
    code, out, _ = cli("--output", "json", "-C", shop, "doctor")
    assert code == 1
    assert [json.loads(line)["status"] for line in out.splitlines()] == ["ok", "warn", "fail"]


def test_test_command_prints_the_summary_and_exits_1_on_failures(cli, shop, monkeypatch):
    monkeypatch.setattr("devenv.scaffold.testrun.run_tests", lambda *a, **k: iter([Step("testing web"), SUMMARY]))
    code, out, err = cli("--output", "plain", "-C", shop, "test")
    assert code == 1
    assert out.startswith("==> testing web\n--- last lines of web's tests (exit 1) ---\n")
    assert "error: tests failed: web" in err
    code, out, _ = cli("--output", "json", "-C", shop, "test")
    assert code == 1
    assert json.loads(out.splitlines()[-1])["results"][1]["passed"] is False


def test_update_lists_files_and_exits_1_on_conflicts(cli, shop, monkeypatch):
    monkeypatch.setattr("devenv.scaffold.update.update_services", lambda root, services: [UPDATED])
    code, out, err = cli("--output", "plain", "-C", shop, "update")
    assert code == 1
    assert out.splitlines() == ["api: backend 1.0 -> 1.1", "    updated  app/main.py", "    CONFLICT pyproject.toml",
                                "    deleted  old.txt"]
    assert "error: conflicts in api: pyproject.toml" in err
    code, out, _ = cli("--output", "json", "-C", shop, "update")
    assert json.loads(out)["conflicts"] == ["pyproject.toml"]


def test_status_json_is_a_mode_for_the_one_call_not_a_global_change(shop, monkeypatch):
    from devenv.cli.app import app

    monkeypatch.setattr("devenv.runtime.status.project_status", lambda project: REPORT)
    saved = (CURRENT.root, CURRENT.debug, CURRENT.output)
    try:
        result = CliRunner().invoke(app, ["--output", "plain", "-C", str(shop), "status", "--json"])
        assert result.exit_code == 0
        assert json.loads(result.stdout)["services"][1]["urls"] == ["http://localhost:8000"]
        assert CURRENT.output == "plain"
        result = CliRunner().invoke(app, ["--output", "plain", "-C", str(shop), "status"])
        assert result.stdout.startswith("SERVICE  ROLE")
    finally:
        CURRENT.root, CURRENT.debug, CURRENT.output = saved


def test_graph_and_schema_are_documents(cli, shop):
    code, out, _ = cli("-C", shop, "graph", "--format", "dot")
    assert code == 0 and out.startswith('digraph "shop" {')
    code, out, _ = cli("--output", "json", "-C", shop, "graph")
    event = json.loads(out)
    assert event["event"] == "Graph" and event["format"] == "mermaid" and event["text"].startswith("flowchart LR")
    code, out, _ = cli("--output", "json", "schema")
    assert json.loads(json.loads(out)["text"])["title"] == "devenv.yaml"
