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
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from common import DEVENV, example_env, free_port, standins, write

GOAL_TOTAL_PERCENT = 5.0
CONFIGS = ("devenv", "healthchecks_off")
ENGINE_COMMS = frozenset({"dockerd", "containerd", "docker-proxy", "runc"})
SHIM = "containerd-shim"  # comm is cut to 15 characters: containerd-shim-runc-v2 -> containerd-shim
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
ONEOFF_LABEL = "com.docker.compose.oneoff"
HZ = os.sysconf("SC_CLK_TCK")  # the unit of /proc/<pid>/stat and /proc/stat times
PROC = Path("/proc")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- pure helpers


@dataclass(frozen=True)
class ProcStat:
    """The fields of one /proc/<pid>/stat line that the benchmark uses (times in clock ticks)."""

    pid: int
    comm: str
    ppid: int
    utime: int
    stime: int
    cutime: int
    cstime: int
    starttime: int

    @property
    def key(self) -> tuple[int, int]:
        """A pid is reused; (pid, start time) is not."""
        return (self.pid, self.starttime)

    @property
    def own(self) -> int:
        return self.utime + self.stime

    @property
    def children(self) -> int:
        """Time of the children it has waited for (and, through them, of theirs)."""
        return self.cutime + self.cstime


def parse_proc_stat(line: str) -> ProcStat:
    """Parse a /proc/<pid>/stat line; comm may hold spaces and parentheses (it ends at the last ')')."""
    left, right = line.index("("), line.rindex(")")
    rest = line[right + 2 :].split()  # rest[0] is field 3 (state): field n is rest[n - 3]
    return ProcStat(
        pid=int(line[:left]),
        comm=line[left + 1 : right],
        ppid=int(rest[1]),
        utime=int(rest[11]),
        stime=int(rest[12]),
        cutime=int(rest[13]),
        cstime=int(rest[14]),
        starttime=int(rest[19]),
    )


def engine_group(comm: str) -> str | None:
    """The engine process group a comm belongs to (all shims are one group), or None."""
    if comm.startswith(SHIM):
        return SHIM
    return comm if comm in ENGINE_COMMS else None


def shim_container_id(cmdline: str) -> str | None:
    """The container id a containerd shim serves, from its NUL-separated command line (`-id ID`)."""
    args = [a for a in cmdline.split("\0") if a]
    for i, arg in enumerate(args[:-1]):
        if arg in ("-id", "--id"):
            return args[i + 1]
    return None


def in_containers(cgroup_text: str, container_ids: Iterable[str]) -> str | None:
    """Which of the containers a process is in, from its /proc/<pid>/cgroup (the id is in the path)."""
    for cid in container_ids:
        if cid in cgroup_text:
            return cid
    return None


def window_ticks(before: dict[Any, ProcStat], after: dict[Any, ProcStat]) -> tuple[int, int]:
    """(own, children) clock ticks used between two snapshots of a set of processes.

    A process in both counts its growth; one that appeared during the window counts all of
    its time (it all falls inside). One that ended is counted by its parent when waited for.
    """
    own = children = 0
    for key, now in after.items():
        then = before.get(key)
        own += now.own - (then.own if then else 0)
        children += now.children - (then.children if then else 0)
    return own, children


def engine_window(before: dict[Any, ProcStat], after: dict[Any, ProcStat], hz: int = HZ) -> dict[str, dict]:
    """Per engine group: own and children CPU seconds over the window."""
    groups = sorted({engine_group(p.comm) for p in [*before.values(), *after.values()]} - {None})
    out = {}
    for group in groups:
        pick = {k: p for k, p in after.items() if engine_group(p.comm) == group}
        then = {k: p for k, p in before.items() if engine_group(p.comm) == group}
        own, children = window_ticks(then, pick)
        out[group] = {"processes": len(pick), "own_s": own / hz, "children_s": children / hz}
    return out


def cgroup_seconds(before: dict[str, int | None], after: dict[str, int | None]) -> tuple[dict[str, float], list[str]]:
    """Per container, cgroup CPU seconds between two readings of total_usage (ns).

    Returns (seconds per id, ids left out): a container missing at either end, or whose
    counter went down (it restarted, so its cgroup is new), is left out and named.
    """
    seconds, problems = {}, []
    for cid in sorted(set(before) | set(after)):
        start, end = before.get(cid), after.get(cid)
        if start is None or end is None or end < start:
            problems.append(cid)
            continue
        seconds[cid] = (end - start) / 1e9
    return seconds, problems


def percent_of_core(cpu_seconds: float | None, window_seconds: float) -> float | None:
    """CPU seconds over a window as percent of one core (100 = one core fully busy)."""
    if cpu_seconds is None or window_seconds <= 0:
        return None
    return round(cpu_seconds / window_seconds * 100, 3)


def parse_cpu_line(line: str) -> tuple[int, int]:
    """(busy, total) clock ticks from the aggregate `cpu` line of /proc/stat.

    busy = user + nice + system + irq + softirq (guest time is inside user and nice already);
    total adds idle, iowait and steal.
    """
    fields = [int(x) for x in line.split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    busy = user + nice + system + irq + softirq
    return busy, busy + idle + iowait + steal


def engine_attribution(cgroup_s: float, container_processes_s: float | None, engine: dict[str, dict]) -> dict:
    """Engine CPU with the exec'd processes (already in the containers' cgroups) taken off.

    A shim waits for the processes exec'd into its container (health checks), so their time
    lands in its children time as well as in the container's cgroup. That part is estimated
    as the cgroup time not used by the container's own long-lived processes, bounded by the
    shims' children time; the rest of the shims' children time is runc.
    """
    raw = sum(g["own_s"] + g["children_s"] for g in engine.values())
    shim_children = engine.get(SHIM, {}).get("children_s", 0.0)
    exec_part = cgroup_s - (container_processes_s or 0.0)
    exec_reaped = min(max(exec_part, 0.0), shim_children)
    return {
        "engine_raw_s": round(raw, 4),
        "exec_reaped_by_shims_s": round(exec_reaped, 4),
        "engine_s": round(raw - exec_reaped, 4),
    }


def healthcheck_off_override(compose: dict) -> dict:
    """A Compose override: health checks disabled on every service.

    A `service_healthy` dependency would never be met without a health check, so it
    becomes `service_started` (the other keys of the dependency are kept).
    """
    services: dict[str, dict] = {}
    for name, entry in (compose.get("services") or {}).items():
        override: dict[str, Any] = {"healthcheck": {"disable": True}}
        depends = (entry or {}).get("depends_on")
        if isinstance(depends, dict):
            changed = {
                dep: {**(cond or {}), "condition": "service_started"}
                for dep, cond in depends.items()
                if (cond or {}).get("condition") == "service_healthy"
            }
            if changed:
                override["depends_on"] = changed
        services[name] = override
    return {"services": services}


def healthcheck_summary(compose: dict) -> dict[str, dict]:
    """Per service: the health check's interval and program (what runs every interval)."""
    out = {}
    for name, entry in (compose.get("services") or {}).items():
        check = (entry or {}).get("healthcheck") or {}
        test = check.get("test")
        if isinstance(test, list):
            program = test[1] if len(test) > 1 and test[0] in ("CMD", "CMD-SHELL") else test[0]
        else:
            program = test
        out[name] = {"interval": check.get("interval", "30s" if test else None), "program": program}
    return out


def _rounded(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 3) if known else None


def medians(rounds: list[dict], config: str) -> dict:
    """Median over the rounds of one configuration: the percents, and per service."""
    mine = [r for r in rounds if r["config"] == config]
    out: dict[str, Any] = {"n": len(mine)}
    for key in ("containers_percent", "engine_percent", "total_percent", "machine_percent"):
        out[key] = _median([r.get(key) for r in mine])
    services = sorted({s for r in mine for s in r.get("services_percent", {})})
    out["services_percent"] = {s: _median([r.get("services_percent", {}).get(s) for r in mine]) for s in services}
    return out


def combine(
    window_s: dict[str, float],
    cgroups: dict[str, float],
    services: dict[str, str],
    container_processes_s: float | None,
    engine: dict[str, dict] | None,
    machine_busy_s: float,
) -> dict:
    """One round's figures from the window's raw deltas (seconds)."""
    cgroup_s = sum(cgroups.values())
    per_service: dict[str, float] = {}
    for cid, seconds in cgroups.items():
        per_service[services.get(cid, cid[:12])] = per_service.get(services.get(cid, cid[:12]), 0.0) + seconds
    containers = percent_of_core(cgroup_s, window_s["containers"])
    out: dict[str, Any] = {
        "containers_percent": containers,
        "engine_percent": None,
        "total_percent": None,
        "machine_percent": percent_of_core(machine_busy_s, window_s["machine"]),
        "services_percent": {s: percent_of_core(v, window_s["containers"]) for s, v in sorted(per_service.items())},
        "containers_cpu_s": round(cgroup_s, 4),
        "container_processes_cpu_s": None if container_processes_s is None else round(container_processes_s, 4),
    }
    if engine:
        split = engine_attribution(cgroup_s, container_processes_s, engine)
        out["engine_percent"] = percent_of_core(split["engine_s"], window_s["engine"])
        out["engine_raw_percent"] = percent_of_core(split["engine_raw_s"], window_s["engine"])
        out["total_percent"] = round(containers + out["engine_percent"], 3)
        out["engine_cpu"] = {
            **split,
            "groups": {g: {k: _rounded(v) for k, v in d.items()} for g, d in engine.items()},
        }
    return out


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
