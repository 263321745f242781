"""`devenv build --push` against a registry that does not answer: the failure names the
service and the step, exits 1, and records no digest (so `devenv deploy` refuses that tag).
The registry is a loopback port nothing listens on: the real engine tries it and fails."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.integration.conftest import free_port
from tests.integration.test_deliver import EXAMPLE, git

pytestmark = pytest.mark.docker


def test_a_push_the_registry_refuses_names_the_service_and_the_step(tmp_path: Path, standins, monkeypatch) -> None:
    name = f"p-{uuid.uuid4().hex[:8]}"
    root = tmp_path / name
    shutil.copytree(EXAMPLE, root, symlinks=False)
    registry = f"127.0.0.1:{free_port()}"  # nothing listens there
    spec = (root / "devenv.yaml").read_text()
    spec = spec.replace("name: shop\n", f"name: {name}\n")
    (root / "devenv.yaml").write_text(spec.replace("  registry: ghcr.io/acme", f"  registry: {registry}/apps"))
    (root / ".gitignore").write_text(".devenv/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    commit = git(root, "rev-parse", "--short=12", "HEAD")
    monkeypatch.setenv("DEVENV_IMAGES_MIRROR", "docker.io=devenv-local")
    monkeypatch.setenv("DEVENV_CA_CERTIFICATES", "/etc/ssl/certs/ca-certificates.crt")
    ref = f"{registry}/apps/{name}-api:{commit}"
    try:
        code, out, err = run_cli("-C", root, "-o", "plain", "build", "--push", "api")
        assert code == 1, out + err
        assert "push of service 'api' failed" in err, err
        assert registry in err and "refused" in err, err  # the engine's own words, in the details
        assert f"building api (prod stage) as {ref}" in out and f"pushing {ref}" in out
        assert "Traceback" not in err
        record = root / ".devenv" / "images.json"
        images = json.loads(record.read_text()) if record.exists() else {}
        assert all("api" not in entry["images"] for entry in images.values())  # deploy will not find a digest
    finally:
        subprocess.run(["docker", "rmi", "--no-prune", ref], capture_output=True, check=False)
