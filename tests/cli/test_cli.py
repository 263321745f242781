"""The CLI in-process: exit codes, messages, generate and its drift check."""

from __future__ import annotations

import json

from devenv import __version__

SPEC = """\
name: shop
services:
  api:
    port: 8000
    public: true
    depends_on: [db]
dependencies:
  db: {kind: postgres}
"""


def test_version_and_help(cli):
    code, out, _ = cli("--version")
    assert code == 0 and out.strip() == f"devenv {__version__}"
    for command in ("generate", "up", "down", "status", "logs", "schema"):
        code, out, _ = cli(command, "--help")
        assert code == 0 and "Examples:" in out, command


def test_schema_is_json_schema_of_the_spec(cli):
    code, out, _ = cli("schema")
    schema = json.loads(out)
    assert code == 0
    assert schema["title"] == "devenv.yaml"
    assert schema["additionalProperties"] is False
    assert {"name", "services", "dependencies", "images", "ca_certificates"} <= set(schema["properties"])


def test_generate_writes_then_is_stable(cli, make_project):
    root = make_project(SPEC, {"services/api": ""})
    code, out, _ = cli("-C", root, "generate")
    assert code == 0 and "wrote" in out
    first = (root / "docker-compose.yml").read_bytes()
    code, out, _ = cli("-C", root, "generate")
    assert code == 0 and "unchanged" in out
    assert (root / "docker-compose.yml").read_bytes() == first
    assert not [p for p in root.iterdir() if p.name.endswith(".tmp")]


def test_generate_check_reports_drift_with_diff_and_writes_nothing(cli, make_project):
    root = make_project(SPEC, {"services/api": ""})
    code, _, err = cli("-C", root, "generate", "--check")
    assert code == 1 and "docker-compose.yml is missing" in err
    assert not (root / "docker-compose.yml").exists()
    cli("-C", root, "generate")
    assert cli("-C", root, "generate", "--check")[0] == 0
    (root / "devenv.yaml").write_text(SPEC.replace("8000", "8001"))
    code, _, err = cli("-C", root, "generate", "--check")
    assert code == 1
    assert "-    ports: ['127.0.0.1:8000:8000']" in err and "+    ports: ['127.0.0.1:8001:8001']" in err
    assert "8000:8000" in (root / "docker-compose.yml").read_text()


def test_bad_spec_exit_2_no_traceback_unless_debug(cli, make_project):
    root = make_project("name: shop\nservices:\n  api:\n    port: nope\n")
    code, _out, err = cli("-C", root, "generate")
    assert code == 2
    assert err.splitlines()[0] == "devenv.yaml:4:11: services.api.port: expected a whole number, got the text 'nope'"
    assert "Traceback" not in err
    code, _, err = cli("-C", root, "--debug", "generate")
    assert code == 2 and "Traceback" in err


def test_missing_spec_is_usage_error(cli, tmp_path):
    code, _, err = cli("-C", tmp_path, "generate")
    assert code == 2
    assert f"error: no devenv.yaml in '{tmp_path}'" in err
    assert "devenv init" in err


def test_unreachable_engine_exits_1_with_what_to_do(cli, make_project, monkeypatch, tmp_path):
    root = make_project(SPEC, {"services/api": ""})
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-such-docker.sock")
    code, _, err = cli("-C", root, "up")
    assert code == 1
    assert "cannot reach the Docker Engine" in err
    assert "hint: start the engine" in err
    assert "Traceback" not in err


def test_unknown_output_mode_is_usage_error(cli):
    code, _, _ = cli("--output", "xml", "schema")
    assert code == 2
