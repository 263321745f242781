"""`devenv export k8s` time for specs of 10, 100 and 1,000 services (goal: 100 services <= 1 s).

Each size is a generated project (built services with Dockerfiles, a few prebuilt ones,
postgres/redis/rabbitmq dependencies, a staging environment with replicas, resources, a
domain and an external dependency). Three phases are timed, in process: load (read and
validate devenv.yaml), render (base + overlay + YAML text) and write (atomic writes to
an empty directory). Medians of wall-clock time (and of this process's CPU time, which
other work on a shared machine affects less) go to benchmarks/results/k8s_export.json,
with the time per service and the log-log slope between sizes (1.0 = linear). No
Docker, no network.
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

from devenv.export import build_files, write_tree
from devenv.spec.loader import load_project

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "10,100,1000").split(","))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
GOAL_SERVICES, GOAL_SECONDS = 100, 1.0
DOCKERFILE = "ARG BASE=python:3.12-slim\nFROM ${BASE} AS dev\nFROM ${BASE} AS prod\n"


def make_spec(root: Path, services: int) -> Path:
    """A project of ``services`` services; every 10th is public, every 7th a prebuilt image."""
    lines = ["name: bench", "services:"]
    for i in range(services):
        name = f"svc{i}"
        deps = ["db", "cache", "queue"][i % 3]
        depends = [deps] + ([f"svc{i // 10}"] if i >= 10 else [])
        lines.append(f"  {name}:")
        if i % 7 == 6:
            lines.append(f"    image: ghcr.io/acme/tool-{i}:1.0")
        else:
            folder = root / "services" / name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "Dockerfile").write_text(DOCKERFILE)
        lines.append(f"    port: {8000 + i}")
        lines.append("    health: /healthz")
        if i % 10 == 0:
            lines.append("    public: true")
        lines.append(f"    env: {{LOG_LEVEL: info, FEATURE_{i}: 'on', API_TOKEN: x}}")
        lines.append(f"    depends_on: [{', '.join(depends)}]")
    lines += [
        "dependencies:",
        "  db: {kind: postgres}",
        "  cache: {kind: redis}",
        "  queue: {kind: rabbitmq}",
        "images: {registry: ghcr.io/acme}",
        "environments:",
        "  staging:",
        "    domain: staging.example.com",
        "    replicas: {" + ", ".join(f"svc{i}: 2" for i in range(0, services, 2)) + "}",
        "    resources: {" + ", ".join(f"svc{i}: {{cpu: 250m, memory: 256Mi}}" for i in range(0, services, 3)) + "}",
        "    dependencies: {queue: external}",
    ]
    (root / "devenv.yaml").write_text("\n".join(lines) + "\n")
    return root


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def measure(services: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-k8s-") as tmp:
        root = make_spec(Path(tmp) / "project", services)
        phases: dict[str, list[float]] = {"load": [], "render": [], "write": [], "total": [], "total_cpu": []}
        files_count = objects = 0
        for run in range(RUNS + 1):  # the first run warms imports and caches; not counted
            cpu = time.process_time()
            start = time.perf_counter()
            project = load_project(root, environ={})
            loaded = time.perf_counter()
            files, rendered = build_files(project, "staging", "0123456789ab")
            built = time.perf_counter()
            write_tree(Path(tmp) / f"out{run}", files)
            written = time.perf_counter()
            if run:
                phases["load"].append(loaded - start)
                phases["render"].append(built - loaded)
                phases["write"].append(written - built)
                phases["total"].append(written - start)
                phases["total_cpu"].append(time.process_time() - cpu)
            files_count, objects = len(files), len(rendered.manifests)
    out = {f"{phase}_median_s": round(median(values), 4) for phase, values in phases.items()}
    out["total_min_s"] = round(min(phases["total"]), 4)
    out["files"] = files_count
    out["objects_in_environment"] = objects
    out["total_ms_per_service"] = round(1000 * out["total_median_s"] / services, 3)
    return out


def main() -> int:
    results = {str(n): measure(n) for n in SIZES}
    slopes = {}
    for small, large in itertools.pairwise(SIZES):
        a, b = results[str(small)]["total_median_s"], results[str(large)]["total_median_s"]
        slopes[f"{small}->{large}"] = round(math.log(b / a) / math.log(large / small), 3)
    goal = results.get(str(GOAL_SERVICES), {}).get("total_median_s")
    data = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_1m_after": round(os.getloadavg()[0], 2),  # other work on the machine skews the numbers
        },
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "runs_per_size": RUNS,
        "what": "load devenv.yaml + render kustomize base and staging overlay + write files, in process",
        "sizes": results,
        "log_log_slope": slopes,
        "goal": f"{GOAL_SERVICES} services <= {GOAL_SECONDS} s",
        "goal_met": goal is not None and goal <= GOAL_SECONDS,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "k8s_export.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    for n, r in results.items():
        print(
            f"{n:>5} services: {r['total_median_s'] * 1000:8.1f} ms total "
            f"(load {r['load_median_s'] * 1000:.1f}, render {r['render_median_s'] * 1000:.1f}, "
            f"write {r['write_median_s'] * 1000:.1f}; CPU {r['total_cpu_median_s'] * 1000:.1f}) "
            f"= {r['total_ms_per_service']:.2f} ms/service"
        )
    print(f"log-log slope (1.0 = linear): {slopes}; goal {data['goal']}: {'met' if data['goal_met'] else 'MISSED'}")
    print(f"wrote {path}")
    return 0 if data["goal_met"] or goal is None else 1


if __name__ == "__main__":
    sys.exit(main())
