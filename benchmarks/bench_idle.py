"""Idle CPU of the three-template stack: devenv's compose file against the same containers
with health checks off, same run.

One project scaffolded from the three templates (backend `api`, `worker` on Redis,
frontend `web`, PostgreSQL, Redis), brought up, left alone for a settle time (start-up
work over), then measured over a window (default 60 s). Two configurations, alternating
(A, B, A, B, ...), each started from `docker compose down` (volumes kept):

* devenv           - `devenv up` (waits until healthy), the generated file as it is;
* healthchecks_off - plain `docker compose -f docker-compose.yml -f OVERRIDE up -d`, the
                     override setting `healthcheck: {disable: true}` on every service (and
                     `service_healthy` dependencies to `service_started`, which would
                     otherwise never be met); then wait until every container runs.

CPU, as percent of one core (cpu seconds / window seconds * 100):

* containers - the sum over the project's containers of their cgroup CPU usage (Docker
  SDK stats, `cpu_stats.cpu_usage.total_usage`), which includes the processes that
  health checks exec into the container (they run in its cgroup);
* engine     - CPU time of dockerd, containerd, docker-proxy, runc and the
  containerd-shim of each of the project's containers, from /proc/<pid>/stat
  (utime+stime, plus cutime+cstime: the short-lived `runc exec` of each health check
  is counted through its parent shim). A shim also reaps the processes exec'd into its
  container, which the containers figure has already; that part (the container's cgroup
  time not used by its long-lived processes) is taken off, so nothing is counted twice.
  dockerd and containerd are shared: other containers on the same engine add to them
  (`other_running_containers` says how many there were);
* total      - containers + engine; the goal is on this (devenv, median): <= 5 %;
* machine    - the whole machine's busy time from /proc/stat, for context only: it
  includes every other load on the machine.

Results: benchmarks/results/idle.json.

    .venv/bin/python benchmarks/bench_idle.py [--seconds 60] [--settle 20] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from common import DEVENV, example_env, free_port, log, standins, write
from idle_cpu import (
    HZ,
    SHIM,
    ProcStat,
    cgroup_seconds,
    combine,
    engine_group,
    engine_window,
    healthcheck_off_override,
    healthcheck_summary,
    in_containers,
    medians,
    parse_cpu_line,
    parse_proc_stat,
    shim_container_id,
    window_ticks,
)

GOAL_TOTAL_PERCENT = 5.0
CONFIGS = ("devenv", "healthchecks_off")
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
ONEOFF_LABEL = "com.docker.compose.oneoff"
PROC = Path("/proc")


# --------------------------------------------------------------------------- reading the machine


@dataclass
class ProcSnapshot:
    """Engine processes and the processes inside the given containers, at one moment."""

    engine: dict[tuple[int, int], ProcStat] = field(default_factory=dict)
    containers: dict[tuple[int, int], ProcStat] = field(default_factory=dict)
    other_shims: int = 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text(errors="replace")
    except OSError:  # the process ended meanwhile
        return None


def snapshot_processes(container_ids: list[str], proc: Path = PROC) -> ProcSnapshot:
    snap = ProcSnapshot()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        text = _read(entry / "stat")
        if text is None:
            continue
        stat = parse_proc_stat(text)
        group = engine_group(stat.comm)
        if group == SHIM:
            served = shim_container_id(_read(entry / "cmdline") or "")
            if served is not None and served not in container_ids:
                snap.other_shims += 1  # another container's shim: not this stack's
                continue
            snap.engine[stat.key] = stat
        elif group:
            snap.engine[stat.key] = stat
        elif container_ids and in_containers(_read(entry / "cgroup") or "", container_ids):
            snap.containers[stat.key] = stat
    return snap


def machine_ticks(proc: Path = PROC) -> int:
    with (proc / "stat").open() as handle:
        return parse_cpu_line(handle.readline())[0]


def _usage(client, cid: str) -> int | None:
    from docker.errors import InvalidVersion, NotFound

    try:
        try:
            stats = client.api.stats(cid, stream=False, one_shot=True)  # no wait for a second sample
        except InvalidVersion:
            stats = client.api.stats(cid, stream=False)
    except NotFound:
        return None
    try:
        return int(stats["cpu_stats"]["cpu_usage"]["total_usage"])
    except (KeyError, TypeError):
        return None


def cgroup_usage(client, ids: list[str]) -> tuple[dict[str, int | None], float]:
    """total_usage (ns) per container, and the moment of reading (the middle of the calls)."""
    start = time.monotonic()
    usage = {cid: _usage(client, cid) for cid in ids}
    return usage, (start + time.monotonic()) / 2


def running_containers(client, project: str) -> list:
    found = client.containers.list(filters={"label": f"{PROJECT_LABEL}={project}"})
    return [c for c in found if c.labels.get(ONEOFF_LABEL, "False") != "True"]


def measure(client, project: str, seconds: float) -> dict:
    """One window: container cgroups, engine processes and machine busy time, start and end.

    Order: cgroups, processes, machine | sleep | machine, processes, cgroups, so the
    engine's work for the stats calls falls outside the engine's window.
    """
    containers = running_containers(client, project)
    ids = [c.id for c in containers]
    services = {c.id: c.labels.get(SERVICE_LABEL, c.name) for c in containers}
    others = len(client.containers.list()) - len(containers)
    c0, tc0 = cgroup_usage(client, ids)
    te0, p0 = time.monotonic(), snapshot_processes(ids)
    tm0, m0 = time.monotonic(), machine_ticks()
    time.sleep(seconds)
    m1, tm1 = machine_ticks(), time.monotonic()
    p1, te1 = snapshot_processes(ids), time.monotonic()
    c1, tc1 = cgroup_usage(client, ids)
    cgroups, problems = cgroup_seconds(c0, c1)
    engine = engine_window(p0.engine, p1.engine) if p0.engine and p1.engine else None
    if engine is not None and "dockerd" not in engine:
        engine = None  # the engine runs out of this machine's sight (a VM, another PID namespace)
    procs_s = None
    if p0.containers or p1.containers:
        own, children = window_ticks(p0.containers, p1.containers)
        procs_s = (own + children) / HZ
    window = {"containers": tc1 - tc0, "engine": te1 - te0, "machine": tm1 - tm0}
    out = combine(window, cgroups, services, procs_s, engine, (m1 - m0) / HZ)
    states = running_containers(client, project)
    out.update(
        {
            "window_s": {k: round(v, 3) for k, v in window.items()},
            "containers": len(ids),
            "left_out": [services.get(cid, cid[:12]) for cid in problems],
            "running_at_end": sorted(c.labels.get(SERVICE_LABEL, c.name) for c in states),
            "health_at_end": {
                c.labels.get(SERVICE_LABEL, c.name): (c.attrs.get("State", {}).get("Health") or {}).get("Status")
                for c in states
            },
            "other_running_containers": others,
            "other_shims": p0.other_shims,
        }
    )
    return out


# --------------------------------------------------------------------------- the stack


def run(argv: list[str], cwd: Path | None = None, env: dict | None = None, check: bool = True) -> str:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


class Stack:
    """The three-template project, as hot_reload.py scaffolds it (stand-ins through the mirror)."""

    def __init__(self):
        self.name = f"bench-idle-{uuid.uuid4().hex[:6]}"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        self.root = self.tmp / self.name
        self.override = self.tmp / "healthchecks-off.yml"
        self.env = example_env()
        self.compose_env = {**self.env, "DEVENV_UID": str(os.getuid()), "DEVENV_GID": str(os.getgid())}

    def devenv(self, *args) -> str:
        return run([DEVENV, "-C", str(self.root), "--output", "plain", *map(str, args)], env=self.env)

    def compose(self, *args: str, files: list[Path] | None = None, check: bool = True) -> str:
        argv = ["docker", "compose", "--project-directory", str(self.root), "-p", self.name]
        for file in files or [self.root / "docker-compose.yml"]:
            argv += ["-f", str(file)]
        return run([*argv, *args], env=self.compose_env, check=check)

    def create(self) -> None:
        run([DEVENV, "init", str(self.root), "--name", self.name], env=self.env)
        self.devenv("add", "dependency", "postgres", "--version", "15")
        self.devenv("add", "dependency", "redis", "--version", "7")
        self.devenv("add", "service", "api", "--template", "backend", "--host-port", free_port())
        self.devenv("add", "service", "worker", "--template", "worker", "--queue", "redis")
        self.devenv("add", "service", "web", "--template", "frontend", "--host-port", free_port())

    def data(self) -> dict:
        return yaml.safe_load((self.root / "docker-compose.yml").read_text())

    def down(self) -> None:
        run(["docker", "compose", "-p", self.name, "down", "--timeout", "5"], env=self.compose_env)

    def up(self, config: str, client) -> None:
        if config == "devenv":
            self.devenv("up", "--timeout", "600")
            return
        self.override.write_text(yaml.safe_dump(healthcheck_off_override(self.data()), sort_keys=False))
        self.compose("up", "-d", files=[self.root / "docker-compose.yml", self.override])
        wait_running(client, self.name, list(self.data()["services"]))

    def remove(self) -> None:
        down = ["docker", "compose", "-p", self.name, "down", "--volumes", "--remove-orphans", "--timeout", "3"]
        subprocess.run(down, capture_output=True)
        images = run(["docker", "images", "-q", "--filter", f"reference={self.name}-*"], check=False).split()
        if images:
            subprocess.run(["docker", "rmi", "-f", *sorted(set(images))], capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


def wait_running(client, project: str, services: list[str], timeout: float = 300) -> None:
    """Until every service has a running container (one that exited 0, a job, is fine too)."""
    deadline = time.monotonic() + timeout
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        found = client.containers.list(all=True, filters={"label": f"{PROJECT_LABEL}={project}"})
        states = {}
        for c in found:
            state = c.attrs.get("State", {})
            done = state.get("Status") == "exited" and state.get("ExitCode") == 0
            states[c.labels.get(SERVICE_LABEL, c.name)] = "running" if done else state.get("Status", c.status)
        if all(states.get(s) == "running" for s in services):
            return
        failed = [s for s in services if states.get(s) in ("exited", "dead")]
        if failed:
            raise RuntimeError(f"without health checks, {', '.join(failed)} stopped: {states}")
        time.sleep(1.0)
    raise RuntimeError(f"not all running within {timeout}s: {states}")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def print_table(rounds: list[dict], median: dict) -> None:
    def cell(value: float | None) -> str:
        return f"{value:9.2f}" if value is not None else f"{'n/a':>9}"

    print(f"{'round':>5} {'config':17} {'contain %':>9} {'engine %':>9} {'total %':>9} {'machine %':>9}")
    rows = [(str(r["round"]), r) for r in rounds] + [("med", {"config": c, **m}) for c, m in median.items()]
    for label, r in rows:
        print(
            f"{label:>5} {r['config']:17} {cell(r['containers_percent'])} {cell(r['engine_percent'])} "
            f"{cell(r['total_percent'])} {cell(r['machine_percent'])}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measured window per round (default 60)")
    parser.add_argument("--settle", type=float, default=20.0, help="wait after start before measuring (default 20)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of (devenv, healthchecks_off) (default 2)")
    parser.add_argument(
        "--out", default="idle.json", help="results file in benchmarks/results/ (default idle.json); with "
        "BENCH_DEVENV=<another devenv> this measures another version, e.g. the tree before a change"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _interrupt)

    import docker

    client = docker.from_env(version="auto", timeout=120)
    log("stand-in images")
    standins(["postgres", "redis", "python", "node"])
    stack = Stack()
    rounds: list[dict] = []
    interrupted = False
    try:
        log(f"scaffolding {stack.root}")
        stack.create()
        log("devenv up (builds the images; not measured)")
        stack.devenv("up", "--timeout", "900")
        checks = healthcheck_summary(stack.data())
        for number in range(1, args.rounds + 1):
            for config in CONFIGS:
                log(f"round {number}, {config}: down, up")
                stack.down()
                stack.up(config, client)
                log(f"  settling {args.settle:g}s, then measuring {args.seconds:g}s")
                time.sleep(args.settle)
                result = measure(client, stack.name, args.seconds)
                rounds.append({"round": number, "config": config, **result})
                log(
                    f"  containers {result['containers_percent']}%, engine {result['engine_percent']}%, "
                    f"total {result['total_percent']}%, machine {result['machine_percent']}%"
                )
    except KeyboardInterrupt:
        log("interrupted")
        interrupted = True
    finally:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop the clean-up
        log("removing the project (containers, volumes, images)")
        stack.remove()
        signal.signal(signal.SIGINT, previous)
    if interrupted:
        return 130
    median = {config: medians(rounds, config) for config in CONFIGS}
    total = median["devenv"]["total_percent"]
    path = write(
        args.out,
        {
            "benchmark": "idle",
            "project": "three templates: api (backend), worker (redis), web (frontend), PostgreSQL 15, Redis 7",
            "window_seconds": args.seconds,
            "settle_seconds": args.settle,
            "healthchecks": checks,
            "rounds": rounds,
            "median": median,
            "goal_total_percent": GOAL_TOTAL_PERCENT,
            "met": None if total is None else total <= GOAL_TOTAL_PERCENT,
            "notes": [
                "percent of one core: cpu seconds / window seconds * 100",
                (
                    "engine: dockerd, containerd, docker-proxy, runc and this project's containerd shims, "
                    "own + waited-for children time, less the exec'd processes already in the containers' cgroups; "
                    "dockerd and containerd also serve other_running_containers"
                ),
                "machine_percent is the whole machine's busy time, other load included: context only",
            ],
        },
    )
    print_table(rounds, median)
    verdict = "n/a (engine not visible)" if total is None else ("met" if total <= GOAL_TOTAL_PERCENT else "NOT met")
    print(f"goal: devenv total <= {GOAL_TOTAL_PERCENT}% of one core, median {total}%: {verdict}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
