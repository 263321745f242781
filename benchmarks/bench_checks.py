"""`devenv check` on the three templates, warm, against running the same tools by hand (goal: <= 1.2x).

Scaffolds the three-template project (api: backend, worker, web: frontend, PostgreSQL,
Redis; stand-ins through DEVENV_IMAGES_MIRROR), builds the dev images with one
`devenv check` (not timed), then alternates per round:

* ``devenv``: `devenv --output plain check --no-build` (every kind but integration, the
  services in parallel, as many at a time as the machine has CPUs);
* ``by_hand_parallel``: per service one ``docker run --rm`` of the same dev image with the
  code mounted, running the same commands (and probes) of ``checks.yml`` one after another
  in ``sh -c``, the three services started together - what a careful user scripts;
* ``by_hand_sequential``: the same, one service after the other.

Same images, same commands, same run. The goal is judged on the median ratio of
``devenv`` to ``by_hand_parallel``. Results: benchmarks/results/checks.json.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from common import DEVENV, HOST_CA, ROOT, remove_project, standins, summary, write

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
GOAL_RATIO = 1.2
SERVICES = {"api": "backend", "worker": "worker", "web": "frontend"}
KINDS = ("tests", "style", "types", "outdated", "vulnerabilities", "licences")


def env() -> dict[str, str]:
    return {
        **os.environ,
        "DEVENV_IMAGES_MIRROR": "docker.io=devenv-local",
        "DEVENV_ROUTER": "0",
        "COMPOSE_BAKE": "false",
        **({"DEVENV_CA_CERTIFICATES": str(HOST_CA)} if HOST_CA.is_file() else {}),
    }


def devenv(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([DEVENV, "-C", str(root), *args], capture_output=True, text=True, env=env())
    if check and proc.returncode not in (0, 1):
        raise SystemExit(f"devenv {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr}")
    return proc


def hand_script(template: str) -> str:
    """The template's check commands (and probes) as one shell script, run by hand."""
    declared = yaml.safe_load((ROOT / "service_templates" / template / "checks.yml").read_text())
    lines = []
    for kind in KINDS:
        check = declared[kind]
        command = shlex.join(check["command"]) + " >/dev/null 2>&1"
        if check.get("probe"):
            command = f"{shlex.join(check['probe'])} >/dev/null 2>&1 && {command}"
        lines.append(command)
    return "; ".join(lines) + "; true"


def hand_argv(root: Path, name: str, service: str) -> list[str]:
    return [
        "docker", "run", "--rm", "-u", f"{os.getuid()}:{os.getgid()}", "-e", "HOME=/tmp", "-e", "NO_COLOR=1",
        "-e", "CI=1", "-v", f"{root / 'services' / service}:/app", "-w", "/app", f"{name}-{service}:dev",
        "sh", "-c", hand_script(SERVICES[service]),
    ]


def by_hand(root: Path, name: str, parallel: bool) -> float:
    start = time.perf_counter()
    if parallel:
        procs = [subprocess.Popen(hand_argv(root, name, s), stdout=subprocess.DEVNULL) for s in SERVICES]
        codes = [p.wait() for p in procs]
    else:
        codes = [subprocess.run(hand_argv(root, name, s), stdout=subprocess.DEVNULL).returncode for s in SERVICES]
    elapsed = time.perf_counter() - start
    if any(codes):
        raise SystemExit(f"a by-hand run failed: {codes}")
    return elapsed


def main() -> int:
    standins(["postgres", "redis", "python", "node"])
    base = Path(tempfile.mkdtemp(prefix="bench-checks-"))
    name = f"bench-checks-{os.getpid()}"
    root = base / name
    try:
        subprocess.run([DEVENV, "init", str(root), "--name", name], check=True, capture_output=True, env=env())
        for args in (
            ["add", "dependency", "postgres", "--version", "15"],
            ["add", "dependency", "redis", "--version", "7"],
            ["add", "service", "api", "--template", "backend"],
            ["add", "service", "worker", "--template", "worker", "--queue", "redis"],
            ["add", "service", "web", "--template", "frontend"],
        ):
            devenv(root, *args)
        first = devenv(root, "--output", "plain", "check")  # builds the images; not timed
        samples: dict[str, list[float]] = {"devenv": [], "by_hand_parallel": [], "by_hand_sequential": []}
        for _ in range(RUNS):
            start = time.perf_counter()
            devenv(root, "--output", "plain", "check", "--no-build")
            samples["devenv"].append(time.perf_counter() - start)
            samples["by_hand_parallel"].append(by_hand(root, name, parallel=True))
            samples["by_hand_sequential"].append(by_hand(root, name, parallel=False))
        ratios = sorted(d / h for d, h in zip(samples["devenv"], samples["by_hand_parallel"], strict=True))
        out = {
            "goal_ratio": GOAL_RATIO,
            "runs": RUNS,
            "cpus": os.cpu_count(),
            "kinds": list(KINDS),
            "first_run_tail": first.stdout.splitlines()[-22:],
            **{key: summary(values) for key, values in samples.items()},
            "ratio_devenv_to_by_hand_parallel": {"median": round(ratios[len(ratios) // 2], 3), "all": ratios},
            "ratio_devenv_to_by_hand_sequential_median": round(
                summary(samples["devenv"])["median_s"] / summary(samples["by_hand_sequential"])["median_s"], 3
            ),
        }
        out["goal_met"] = out["ratio_devenv_to_by_hand_parallel"]["median"] <= GOAL_RATIO
        print(write("checks.json", out))
        return 0
    finally:
        subprocess.run(["docker", "compose", "-p", f"{name}-check", "down"], capture_output=True)
        remove_project(name, [f"{name}-{s}:dev" for s in SERVICES], base)


if __name__ == "__main__":
    sys.exit(main())
