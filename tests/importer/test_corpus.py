"""`devenv import` on every project of tests/importer/corpus/: golden devenv.yaml and report, and equivalence.

The equivalence test asks Compose itself, with nothing of devenv in between: `docker compose
config` of the original files before the import, against `docker compose config` of the
generated docker-compose.yml after it, compared key by key (devenv.importer.compare).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devenv.importer.compare import compare_configs
from devenv.importer.convert import propose
from tests.conftest import run_cli
from tests.importer.conftest import (
    CASES,
    CORPUS,
    HERE,
    case_settings,
    compose_config,
    copy_case,
    needs_compose,
    run_import,
    stable,
)

pytestmark = needs_compose


def test_the_corpus_covers_the_compose_service_keys():
    assert len(CASES) >= 15
    text = "".join(p.read_text() for p in CORPUS.rglob("*.y*ml"))
    for key in ("build:", "args:", "target:", "dockerfile:", "ports:", "host_ip", "env_file:", "environment:",
                "tmpfs", "secrets:", "configs:", "healthcheck:", "CMD-SHELL", "NONE", "disable: true", "depends_on:",
                "condition:", "profiles:", "entrypoint:", "user:", "working_dir:", "cap_add:", "cap_drop:",
                "networks:", "extends:", "include:", "x-", "deploy:", "resources:"):  # fmt: skip
        assert key in text, key
    assert any((CORPUS / case / "docker-compose.override.yml").is_file() for case in CASES)
    assert any((CORPUS / case / ".env").is_file() for case in CASES)


@pytest.mark.parametrize("case", CASES)
def test_import_golden(case: str, tmp_path: Path, golden):
    root = copy_case(case, tmp_path)
    code, out, err = run_import(root, *case_settings(case).get("args", []))
    assert code == 0, err
    assert "Traceback" not in out + err
    golden(HERE, f"{case}.devenv.yaml", (root / "devenv.yaml").read_text())
    golden(HERE, f"{case}.report.txt", stable(out))


@pytest.mark.parametrize("case", CASES)
def test_generated_file_is_what_compose_made_of_the_original(case: str, tmp_path: Path):
    settings = case_settings(case)
    root = copy_case(case, tmp_path)
    for name in settings.get("create", []):
        (root / name).touch()
    files = [arg for flag, arg in zip(settings.get("args", []), settings.get("args", [])[1:], strict=False)
             if flag == "-f"]  # fmt: skip
    before = compose_config(root, files)
    code, _, err = run_import(root, *settings.get("args", []))
    assert code == 0, err
    after = compose_config(root, ["docker-compose.yml"])
    renamed = propose(before, None, root.resolve()).renamed
    comparison = compare_configs(before, after, renamed=renamed)
    assert comparison.differences() == []
    assert comparison.equivalent == comparison.settings > 0
    for name, service in after["services"].items():  # devenv's programs are mounted where they run
        mounted = {str(v.get("target")) for v in service.get("volumes") or []}
        for program in ("/devenv/health", "/devenv/reload"):
            if program in json.dumps([service.get("healthcheck"), service.get("command")]):
                assert program in mounted, f"{name} runs {program} without mounting it"
    assert {renamed.get(name, name) for name in before["services"]} <= set(after["services"])
    # nothing else is left for `devenv generate` to do, and the originals are kept
    code, _, err = run_cli("-C", root, "generate", "--check")
    assert code == 0, err
    assert not (root / "compose.yaml").exists()
    assert not (root / "docker-compose.override.yml").exists()
    assert any(p.name.endswith(".original.yml") or p.name.endswith(".original.yaml") for p in root.iterdir()) or (
        "args" in settings
    )
