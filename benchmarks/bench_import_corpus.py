"""`devenv import` on the corpus (tests/importer/corpus): raw compose keys left, and the Kubernetes export.

For every case: `devenv import` on a copy, then
- the raw compose keys of the devenv.yaml it writes (under a service's or dependency's
  ``compose:``, and the keys of services kept whole under the top-level ``compose.services``),
  against the same count on the golden devenv.yaml files of a base git revision (BASE, default
  the main branch): the raw keys before the spec had native fields for them;
- its Kubernetes export (the ``staging`` environment, a placeholder registry for built
  services): refused (exit 2, and the message), or every manifest through
  ``kubernetes-validate --strict`` (Kubernetes 1.34).

Results go to benchmarks/results/import_corpus.json. Needs the docker CLI with compose (no engine).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kubernetes_validate import utils as kv

from devenv.errors import UsageError
from devenv.export import build_files
from devenv.spec.loader import load_project
from devenv.spec.model import Environment

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "importer" / "corpus"
GOLDEN = "tests/importer/golden"
RESULTS = ROOT / "benchmarks" / "results"
BASE = sys.argv[1] if len(sys.argv) > 1 else "main"
K8S = "1.34"


def raw_keys(spec: dict[str, Any]) -> Counter[str]:
    """Raw compose keys of one devenv.yaml (as data)."""
    out: Counter[str] = Counter()
    for section in ("services", "dependencies"):
        for entry in (spec.get(section) or {}).values():
            out.update(list((entry or {}).get("compose") or {}))
    for entry in ((spec.get("compose") or {}).get("services") or {}).values():
        out.update(list(entry or {}))
    return out


def baseline(case: str) -> Counter[str] | None:
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BASE}:{GOLDEN}/{case}.devenv.yaml"], capture_output=True, text=True
    )
    return raw_keys(yaml.safe_load(proc.stdout)) if proc.returncode == 0 else None


def export(root: Path) -> dict[str, Any]:
    project = load_project(root, environ={})
    spec = project.spec
    images = spec.images.model_copy(update={"registry": spec.images.registry or "registry.example.com/team"})
    spec = spec.model_copy(update={"images": images, "environments": {"staging": Environment()}})
    project = type(project)(**{**project.__dict__, "spec": spec})
    try:
        files, rendered = build_files(project, "staging", "0123456789ab", fmt="plain")
    except UsageError as exc:
        return {"result": "refused", "message": exc.message}
    failures = []
    count = 0
    for path, text in files.items():
        if not path.endswith(".yaml"):
            continue
        for doc in yaml.safe_load_all(text):
            if not doc:
                continue
            count += 1
            try:
                kv.validate(doc, K8S, strict=True)
            except Exception as exc:  # noqa: BLE001 - any validation failure is a result
                failures.append(f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}: {exc}")
    return {"result": "valid" if not failures else "invalid", "objects": count, "failures": failures,
            "warnings": len(rendered.warnings)}  # fmt: skip


def main() -> None:
    cases = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
    out: dict[str, Any] = {"base": BASE, "kubernetes": K8S, "cases": {}}
    before_total: Counter[str] = Counter()
    after_total: Counter[str] = Counter()
    compared_before = compared_after = 0
    for case in cases:
        settings_path = CORPUS / case / "case.json"
        settings = json.loads(settings_path.read_text()) if settings_path.is_file() else {}
        with tempfile.TemporaryDirectory(prefix="devenv-bench-import-") as tmp:
            shutil.copytree(CORPUS / case, Path(tmp) / case, symlinks=True)
            root = Path(tmp) / case / settings.get("root", "")
            proc = subprocess.run(
                [sys.executable, "-m", "devenv", "-o", "plain", "-C", str(root), "import", *settings.get("args", [])],
                capture_output=True, text=True,
            )  # fmt: skip
            if proc.returncode != 0:
                out["cases"][case] = {"import": proc.returncode, "stderr": proc.stderr[-400:]}
                continue
            after = raw_keys(yaml.safe_load((root / "devenv.yaml").read_text()))
            before = baseline(case)
            entry: dict[str, Any] = {"raw_keys": sum(after.values()), "export": export(root)}
            if before is not None:
                entry["raw_keys_before"] = sum(before.values())
                before_total += before
                compared_before += sum(before.values())
                compared_after += sum(after.values())
            after_total += after
            out["cases"][case] = entry
    exports = [c["export"]["result"] for c in out["cases"].values() if "export" in c]
    out["summary"] = {
        "cases": len(cases),
        "raw_keys_before_on_base_cases": compared_before,
        "raw_keys_after_on_base_cases": compared_after,
        "raw_keys_after_all_cases": sum(after_total.values()),
        "fewer_by_key": {
            k: before_total[k] - after_total[k] for k in sorted(before_total) if before_total[k] > after_total[k]
        },
        "exports_valid": exports.count("valid"),
        "exports_refused": exports.count("refused"),
        "exports_invalid": exports.count("invalid"),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "import_corpus.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out["summary"], indent=2))
    for case, entry in out["cases"].items():
        export_result = entry.get("export", {})
        print(f"{case}: raw {entry.get('raw_keys_before', '-')} -> {entry.get('raw_keys')}; k8s "
              f"{export_result.get('result')} {export_result.get('message', '')}")  # fmt: skip


if __name__ == "__main__":
    main()
