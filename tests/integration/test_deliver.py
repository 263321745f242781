"""From a commit to a verified release and back, on a real cluster with a real registry.

The cluster is scripts/test-cluster.sh (Kubernetes 1.20.2 built from Debian's sources,
cached); the registry is Debian's docker-registry with TLS from a test CA, which the
cluster's containerd trusts. The example project (examples/shop) is copied, committed,
built with `devenv build --push` and deployed with `devenv deploy`. The tests run in
order: deploy, a broken release rolled back automatically, then a rollback on purpose.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.integration.delivery import (
    cluster_kubeconfig,
    standin_for_cluster,
    start_registry,
    stop_cluster,
    trust_registry,
)

pytestmark = [pytest.mark.docker, pytest.mark.cluster]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "shop"
ENV = "staging"


@pytest.fixture(scope="session")
def kubeconfig():
    """The test cluster: started once per session (stopped after, unless it was already running)."""
    if os.geteuid() != 0:
        pytest.skip("the test cluster needs root (bridge, iptables, mounts)")
    was_running = subprocess.run(["bash", str(ROOT / "scripts" / "test-cluster.sh"), "status"]).returncode == 0
    path = cluster_kubeconfig()
    yield path
    if not was_running:
        stop_cluster()


@pytest.fixture(scope="session")
def registry(kubeconfig, tmp_path_factory, standins):
    """A TLS registry the cluster pulls from, holding the official images' stand-ins under mirror/."""
    running = start_registry(tmp_path_factory.mktemp("registry"))
    try:
        trust_registry(running)
        running.mirror_image(standin_for_cluster("postgres"), "library/postgres:15")
        running.mirror_image("devenv-local/library/redis:7", "library/redis:7")
        running.mirror_image("devenv-local/library/busybox:1.36", "library/busybox:1.36")
        yield running
    finally:
        running.stop()


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "user.email=test@example.com", "-c", "user.name=test", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def devenv(root: Path, *args: str) -> tuple[int, str, str]:
    return run_cli("-C", root, "-o", "plain", *args)


@pytest.fixture(scope="module")
def shop(registry, kubeconfig, tmp_path_factory):
    """examples/shop under a unique name, committed, pushing to the test registry; its namespace removed after."""
    name = f"d-{uuid.uuid4().hex[:8]}"
    root = tmp_path_factory.mktemp("deliver") / name
    shutil.copytree(EXAMPLE, root, symlinks=False)
    spec = (root / "devenv.yaml").read_text()
    spec = spec.replace("name: shop\n", f"name: {name}\n").replace(
        "  registry: ghcr.io/acme", f"  registry: {registry.host}/apps\n  mirror: {{docker.io: {registry.host}/mirror}}"
    )
    (root / "devenv.yaml").write_text(spec)
    (root / ".gitignore").write_text(".devenv/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first release")
    password = secrets.token_hex(12)
    saved = dict(os.environ)
    os.environ.update(
        {
            "KUBECONFIG": str(kubeconfig),
            # builds reach the stand-ins through the machine's mirror; the cluster through the project's
            "DEVENV_IMAGES_MIRROR": "docker.io=devenv-local",
            "DEVENV_CA_CERTIFICATES": "/etc/ssl/certs/ca-certificates.crt",
            "DB_USER": name,
            "DB_PASSWORD": password,
            "DB_URL": f"postgresql://{name}:{password}@db:5432/{name.replace('-', '_')}",  # the kind's database name
            "CACHE_URL": "redis://cache:6379/0",
        }
    )
    try:
        yield root, name, password
    finally:
        os.environ.clear()
        os.environ.update(saved)
        record = json.loads((root / ".devenv" / "images.json").read_text()) if (root / ".devenv").is_dir() else {}
        built = [image["ref"] for entry in record.values() for image in entry["images"].values()]
        subprocess.run(["docker", "rmi", "--no-prune", *built], capture_output=True, check=False)
        subprocess.run(
            ["kubectl", "--kubeconfig", str(kubeconfig), "delete", "namespace", f"{name}-{ENV}", "--wait=false"],
            capture_output=True,
            check=False,
        )


def kubectl(*args: str) -> str:
    done = subprocess.run(["kubectl", *args], capture_output=True, text=True, check=True, env=os.environ)
    return done.stdout.strip()


def service_url(namespace: str, path: str) -> str:
    ip = kubectl("-n", namespace, "get", "service", "api", "-o", "jsonpath={.spec.clusterIP}")
    return f"http://{ip}:8000{path}"


def api_image(namespace: str) -> str:
    return kubectl(
        "-n", namespace, "get", "deployment", "api", "-o", "jsonpath={.spec.template.spec.containers[0].image}"
    )


def build_and_push(root: Path) -> str:
    code, out, err = devenv(root, "build", "--push")
    assert code == 0, out + err
    return out


def test_deploy_answers_through_its_service_with_the_secrets(shop):
    root, name, password = shop
    namespace = f"{name}-{ENV}"
    out = build_and_push(root)
    commit = git(root, "rev-parse", "--short=12", "HEAD")
    assert f"/apps/{name}-api@sha256:" in out

    code, out, err = devenv(root, "deploy", "--env", ENV, "--timeout", "240")
    assert code == 0, out + err
    assert "Deployment/api: 2/2 ready (done)" in out and "GET /healthz via Service api" in out
    assert f"revision 1 deployed: {name} {commit}" in out
    assert password not in out + err  # never printed

    image = api_image(namespace)
    assert f"{name}-api:{commit}@sha256:" in image  # pinned by digest
    with urllib.request.urlopen(service_url(namespace, "/api/visits"), timeout=10) as response:
        assert b"postgres" in response.read()  # the password reached the pods: the API talks to PostgreSQL

    # the secret values went to the API server only: nothing devenv wrote holds them
    written = [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]
    written += list(Path("/tmp").glob("osrcp-*.json"))  # the kubernetes client's discovery cache
    assert not [p for p in written if password.encode() in p.read_bytes()]

    code, out, _ = devenv(root, "history", "--env", ENV)
    assert code == 0 and out.splitlines()[1].split()[:2] == ["1", commit] and out.splitlines()[1].endswith("deployed")


def test_a_release_that_never_gets_ready_is_rolled_back_while_the_old_pods_serve(shop):
    root, name, _ = shop
    namespace = f"{name}-{ENV}"
    before = api_image(namespace)
    main = root / "services" / "api" / "app" / "main.py"
    main.write_text(
        main.read_text().replace(
            '    """Ready: PostgreSQL and Redis answer."""\n',
            '    """Ready: PostgreSQL and Redis answer."""\n    raise RuntimeError("this release is broken")\n',
        )
    )
    git(root, "commit", "-qam", "a release whose readiness check fails")
    build_and_push(root)

    url = service_url(namespace, "/healthz")
    results = {"ok": 0, "failed": 0}
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            try:
                with urllib.request.urlopen(url, timeout=3) as response:
                    results["ok" if response.status == 200 else "failed"] += 1
            except OSError:
                results["failed"] += 1
            time.sleep(0.1)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        code, out, err = devenv(root, "deploy", "--env", ENV, "--timeout", "60")
    finally:
        stop.set()
        poller.join()
    assert code == 1, out + err
    assert "deploy failed: Deployment/api: not ready after 60s" in err and "rolled back to revision 1" in err
    assert "Readiness probe failed" in err  # the workload's events
    assert "RuntimeError: this release is broken" in err  # its last log lines
    assert "rolling back every workload to revision 1" in out
    assert results["failed"] == 0 and results["ok"] > 20, results
    assert api_image(namespace) == before
    code, out, _ = devenv(root, "history", "--env", ENV)
    assert [line.split()[-1] for line in out.splitlines()[1:]] == ["deployed", "failed"]


def answers(url: str, wanted: Callable[[bytes], bool], timeout: float = 30) -> None:
    """The service answers as ``wanted``: the proxy may send a request or two to the old pod just after a rollout."""
    deadline, body = time.monotonic() + timeout, b""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body = response.read()
            if wanted(body):
                return
        except OSError as exc:
            body = repr(exc).encode()
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer as wanted within {timeout}s: {body[:300]!r}")


def test_rollback_to_a_named_revision(shop):
    root, name, _ = shop
    namespace = f"{name}-{ENV}"
    first = api_image(namespace)
    main = root / "services" / "api" / "app" / "main.py"
    main.write_text(main.read_text().replace('    raise RuntimeError("this release is broken")\n', ""))
    main.write_text(main.read_text().replace('{"service": "api",', '{"service": "api", "release": 3,'))
    # release 3 also mounts a project file: a ConfigMap that revision 1 does not have
    spec = root / "devenv.yaml"
    spec.write_text(
        spec.read_text().replace(
            "    health: /healthz\n",
            '    health: /healthz\n    volumes: ["./settings.toml:/etc/api/settings.toml:ro"]\n',
            1,
        )
    )
    (root / "settings.toml").write_text("release = 3\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the fix, release 3")
    build_and_push(root)
    code, out, err = devenv(root, "deploy", "--env", ENV, "--timeout", "120")
    assert code == 0 and "revision 3 deployed" in out, out + err
    assert api_image(namespace) != first
    answers(service_url(namespace, "/"), lambda body: b'"release":3' in body)
    assert "api-files" in kubectl("-n", namespace, "get", "configmaps", "-o", "name")

    code, out, err = devenv(root, "rollback", "--env", ENV, "--to", "1", "--timeout", "120")
    assert code == 0, out + err
    assert "revision 4: " in out and "runs revision 1 again" in out
    assert api_image(namespace) == first
    answers(service_url(namespace, "/"), lambda body: b"release" not in body)
    assert "deleting what this release no longer has: ConfigMap/api-files" in out
    assert "api-files" not in kubectl("-n", namespace, "get", "configmaps", "-o", "name")  # revision 1 has none
    code, out, _ = devenv(root, "history", "--env", ENV)
    assert out.splitlines()[-1].endswith("rollback to 1")

    code, _, err = devenv(root, "rollback", "--env", ENV, "--to", "9")
    assert code == 2 and "no such revision" in err
