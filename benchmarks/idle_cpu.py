"""The pure part of benchmarks/bench_idle.py: parsing /proc and Docker's figures, and turning
CPU ticks and seconds into the percentages the idle benchmarks report (bench_idle.py and
bench_observability.py's idle part). No I/O here: tests/benchmarks/test_bench_idle.py
feeds it text."""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ENGINE_COMMS = frozenset({"dockerd", "containerd", "docker-proxy", "runc"})
SHIM = "containerd-shim"  # comm is cut to 15 characters: containerd-shim-runc-v2 -> containerd-shim
HZ = os.sysconf("SC_CLK_TCK")  # the unit of /proc/<pid>/stat and /proc/stat times


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
