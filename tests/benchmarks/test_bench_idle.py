"""benchmarks/idle_cpu.py and the /proc reading of benchmarks/bench_idle.py (no engine, nothing started)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str):
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))  # the scripts import `common` from their folder
    return importlib.import_module(name)


bench = _load("bench_idle")
cpu = _load("idle_cpu")

# A real line (containerd-shim-runc-v2, cut to 15 characters by the kernel), fields 1-52.
SHIM_LINE = (
    "4242 (containerd-shim) S 1 4242 2768 0 -1 1077936384 3000 900 0 0 120 45 700 310 20 0 11 0 "
    "98765 741343232 3300 18446744073709551615 1 1 0 0 0 0 1006249984 0 2143420159 0 0 0 17 1 0 0 0 0 0"
)


def stat(pid: int, comm: str, own: tuple[int, int], children: tuple[int, int] = (0, 0), start: int = 1):
    return cpu.ProcStat(pid, comm, 1, own[0], own[1], children[0], children[1], start)


def test_parse_proc_stat_fields():
    got = cpu.parse_proc_stat(SHIM_LINE)
    assert got == cpu.ProcStat(4242, "containerd-shim", 1, 120, 45, 700, 310, 98765)
    assert (got.own, got.children, got.key) == (165, 1010, (4242, 98765))


def test_parse_proc_stat_comm_with_spaces_and_parentheses():
    line = "7 (a) b (c)) R 3 7 7 0 -1 0 0 0 0 0 5 6 7 8 20 0 1 0 99 0 0"
    assert cpu.parse_proc_stat(line) == cpu.ProcStat(7, "a) b (c)", 3, 5, 6, 7, 8, 99)


def test_parse_own_process_line():
    got = cpu.parse_proc_stat(Path("/proc/self/stat").read_text())
    assert got.comm and got.pid > 0 and got.starttime > 0


@pytest.mark.parametrize(
    ("comm", "group"),
    [
        ("dockerd", "dockerd"),
        ("containerd", "containerd"),
        ("containerd-shim", "containerd-shim"),
        ("containerd-shim-runc-v2", "containerd-shim"),
        ("runc", "runc"),
        ("docker-proxy", "docker-proxy"),
        ("runc:[2:INIT]", None),
        ("docker-init", None),
        ("python3", None),
    ],
)
def test_engine_group(comm, group):
    assert cpu.engine_group(comm) == group


def test_shim_container_id():
    cid = "ab" * 32
    cmdline = f"/usr/bin/containerd-shim-runc-v2\0-namespace\0moby\0-id\0{cid}\0-address\0/run/c.sock\0"
    assert cpu.shim_container_id(cmdline) == cid
    assert cpu.shim_container_id("/usr/bin/containerd-shim-runc-v2\0-namespace\0moby\0") is None
    assert cpu.shim_container_id("") is None


def test_in_containers_cgroup_v1_and_systemd_paths():
    a, b = "a" * 64, "b" * 64
    assert cpu.in_containers(f"12:cpu,cpuacct:/docker/{a}\n1:name=systemd:/docker/{a}\n", [b, a]) == a
    assert cpu.in_containers(f"0::/system.slice/docker-{b}.scope\n", [a, b]) == b
    assert cpu.in_containers("0::/user.slice/session-1.scope\n", [a, b]) is None


def test_window_ticks_counts_growth_and_new_processes():
    before = {(1, 1): stat(1, "dockerd", (100, 50), (10, 5))}
    after = {
        (1, 1): stat(1, "dockerd", (130, 60), (12, 8)),  # +40 own, +5 children
        (9, 500): stat(9, "runc", (3, 1), (2, 0), start=500),  # appeared in the window: all of it
    }
    assert cpu.window_ticks(before, after) == (44, 7)


def test_window_ticks_pid_reused_is_a_new_process():
    before = {(5, 10): stat(5, "runc", (50, 50), start=10)}
    after = {(5, 90): stat(5, "runc", (2, 1), start=90)}
    assert cpu.window_ticks(before, after) == (3, 0)


def test_engine_window_groups_all_shims_together():
    before = {
        (1, 1): stat(1, "dockerd", (100, 0)),
        (2, 2): stat(2, "containerd-shim", (10, 0), (100, 0), start=2),
        (3, 3): stat(3, "containerd-shim", (10, 0), (0, 0), start=3),
    }
    after = {
        (1, 1): stat(1, "dockerd", (150, 0)),
        (2, 2): stat(2, "containerd-shim", (20, 0), (300, 0), start=2),
        (3, 3): stat(3, "containerd-shim", (15, 0), (50, 0), start=3),
    }
    got = cpu.engine_window(before, after, hz=100)
    assert got == {
        "containerd-shim": {"processes": 2, "own_s": 0.15, "children_s": 2.5},
        "dockerd": {"processes": 1, "own_s": 0.5, "children_s": 0.0},
    }


def test_cgroup_seconds_leaves_out_missing_and_restarted():
    before = {"a": 1_000_000_000, "b": 5_000_000_000, "c": 7, "d": None}
    after = {"a": 1_500_000_000, "b": 1_000, "d": 3}
    seconds, problems = cpu.cgroup_seconds(before, after)
    assert seconds == {"a": 0.5}
    assert problems == ["b", "c", "d"]


def test_percent_of_core():
    assert cpu.percent_of_core(3.0, 60.0) == 5.0
    assert cpu.percent_of_core(0.0, 60.0) == 0.0
    assert cpu.percent_of_core(90.0, 60.0) == 150.0  # more than one core busy
    assert cpu.percent_of_core(None, 60.0) is None
    assert cpu.percent_of_core(1.0, 0.0) is None


def test_parse_cpu_line():
    # user nice system idle iowait irq softirq steal guest guest_nice
    busy, total = cpu.parse_cpu_line("cpu  100 5 50 1000 20 3 2 7 40 0")
    assert busy == 160  # guest is inside user already
    assert total == 160 + 1000 + 20 + 7
    assert cpu.parse_cpu_line("cpu 1 2 3 4") == (6, 10)  # old kernels: four fields


def test_engine_attribution_takes_exec_time_off_the_shims():
    engine = {
        "dockerd": {"own_s": 1.0, "children_s": 0.0},
        "containerd-shim": {"own_s": 0.2, "children_s": 5.0},  # runc 1.0 + exec'd health checks 4.0
    }
    # cgroups 6.0 s, of which the long-lived processes used 2.0: 4.0 s were exec'd processes
    got = cpu.engine_attribution(6.0, 2.0, engine)
    assert got == {"engine_raw_s": 6.2, "exec_reaped_by_shims_s": 4.0, "engine_s": 2.2}


def test_engine_attribution_bounds():
    engine = {"containerd-shim": {"own_s": 0.0, "children_s": 1.0}}
    assert cpu.engine_attribution(9.0, 1.0, engine)["exec_reaped_by_shims_s"] == 1.0  # at most the shims' children
    assert cpu.engine_attribution(1.0, 1.5, engine)["exec_reaped_by_shims_s"] == 0.0  # never negative
    assert cpu.engine_attribution(3.0, None, {"dockerd": {"own_s": 1.0, "children_s": 0.5}})["engine_s"] == 1.5


COMPOSE = {
    "name": "p",
    "services": {
        "postgres": {"image": "postgres:15", "healthcheck": {"test": ["CMD", "pg_isready"], "interval": "1s"}},
        "redis": {"image": "redis:7", "healthcheck": {"test": "redis-cli ping"}},
        "api": {
            "build": {"context": "services/api"},
            "depends_on": {
                "postgres": {"condition": "service_healthy", "required": True},
                "redis": {"condition": "service_started"},
            },
            "healthcheck": {"test": ["CMD", "python3", "/devenv/health/http_probe.py", "http://127.0.0.1:8000/"]},
        },
        "web": {"image": "web:dev", "depends_on": ["api"]},
        "job": {"image": "job", "depends_on": {"api": {"condition": "service_completed_successfully"}}},
    },
}


def test_healthcheck_off_override():
    assert cpu.healthcheck_off_override(COMPOSE) == {
        "services": {
            "postgres": {"healthcheck": {"disable": True}},
            "redis": {"healthcheck": {"disable": True}},
            "api": {
                "healthcheck": {"disable": True},
                "depends_on": {"postgres": {"condition": "service_started", "required": True}},
            },
            "web": {"healthcheck": {"disable": True}},
            "job": {"healthcheck": {"disable": True}},
        }
    }


def test_healthcheck_off_override_is_valid_yaml_for_compose():
    import yaml

    text = yaml.safe_dump(cpu.healthcheck_off_override(COMPOSE), sort_keys=False)
    assert yaml.safe_load(text)["services"]["api"]["healthcheck"] == {"disable": True}


def test_healthcheck_summary():
    assert cpu.healthcheck_summary(COMPOSE) == {
        "postgres": {"interval": "1s", "program": "pg_isready"},
        "redis": {"interval": "30s", "program": "redis-cli ping"},
        "api": {"interval": "30s", "program": "python3"},
        "web": {"interval": None, "program": None},
        "job": {"interval": None, "program": None},
    }


def test_combine_one_round():
    cid_api, cid_db = "a" * 64, "d" * 64
    got = cpu.combine(
        window_s={"containers": 60.0, "engine": 60.0, "machine": 60.0},
        cgroups={cid_api: 1.2, cid_db: 0.6},
        services={cid_api: "api", cid_db: "postgres"},
        container_processes_s=0.6,
        engine={"dockerd": {"own_s": 0.3, "children_s": 0.0}, "containerd-shim": {"own_s": 0.0, "children_s": 1.5}},
        machine_busy_s=30.0,
    )
    assert got["containers_percent"] == 3.0
    assert got["services_percent"] == {"api": 2.0, "postgres": 1.0}
    assert got["engine_cpu"]["exec_reaped_by_shims_s"] == 1.2
    assert got["engine_percent"] == 1.0  # 0.3 dockerd + 0.3 runc
    assert got["engine_raw_percent"] == 3.0
    assert got["total_percent"] == 4.0
    assert got["machine_percent"] == 50.0


def test_combine_without_engine_view():
    got = cpu.combine({"containers": 10.0, "engine": 10.0, "machine": 10.0}, {"x" * 64: 1.0}, {}, None, None, 2.0)
    assert got["containers_percent"] == 10.0
    assert got["engine_percent"] is None and got["total_percent"] is None
    assert got["services_percent"] == {"x" * 12: 10.0}


def test_medians_per_config():
    rounds = [
        {"config": "devenv", "containers_percent": 4.0, "engine_percent": 1.0, "total_percent": 5.0,
         "machine_percent": 20.0, "services_percent": {"api": 2.0}},
        {"config": "healthchecks_off", "containers_percent": 1.0, "engine_percent": 0.1, "total_percent": 1.1,
         "machine_percent": 15.0, "services_percent": {"api": 0.5}},
        {"config": "devenv", "containers_percent": 6.0, "engine_percent": None, "total_percent": None,
         "machine_percent": 30.0, "services_percent": {"api": 4.0, "web": 1.0}},
    ]  # fmt: skip
    got = cpu.medians(rounds, "devenv")
    assert got == {
        "n": 2,
        "containers_percent": 5.0,
        "engine_percent": 1.0,
        "total_percent": 5.0,
        "machine_percent": 25.0,
        "services_percent": {"api": 3.0, "web": 1.0},
    }
    assert cpu.medians([], "devenv")["total_percent"] is None


def test_snapshot_processes_from_a_fake_proc(tmp_path):
    cid, other = "c" * 64, "e" * 64

    def proc(pid: int, comm: str, cgroup: str = "0::/\n", cmdline: str = "", times: str = "1 2 3 4") -> None:
        folder = tmp_path / str(pid)
        folder.mkdir()
        fields = f"S 1 {pid} 0 0 -1 0 0 0 0 0 {times} 20 0 1 0 {pid * 10} 0 0"
        (folder / "stat").write_text(f"{pid} ({comm}) {fields}\n")
        (folder / "cgroup").write_text(cgroup)
        (folder / "cmdline").write_text(cmdline)

    proc(10, "dockerd")
    proc(11, "containerd")
    proc(12, "containerd-shim", cmdline=f"shim\0-id\0{cid}\0")
    proc(13, "containerd-shim", cmdline=f"shim\0-id\0{other}\0")
    proc(14, "postgres", cgroup=f"4:cpuacct:/docker/{cid}\n")
    proc(15, "postgres", cgroup=f"4:cpuacct:/docker/{other}\n")
    proc(16, "bash")
    (tmp_path / "self").mkdir()
    (tmp_path / "stat").write_text("cpu  10 0 5 100 0 0 0 0 0 0\n")
    snap = bench.snapshot_processes([cid], proc=tmp_path)
    assert sorted(p.comm for p in snap.engine.values()) == ["containerd", "containerd-shim", "dockerd"]
    assert [p.pid for p in snap.containers.values()] == [14]
    assert snap.other_shims == 1
    assert bench.machine_ticks(tmp_path) == 15


class _FakeContainer:
    def __init__(self, cid: str, service: str, project: str = "p"):
        self.id, self.name = cid, f"{project}-{service}-1"
        self.labels = {"com.docker.compose.project": project, "com.docker.compose.service": service}
        self.attrs = {"State": {"Status": "running", "Health": {"Status": "healthy"}}}


class _FakeClient:
    """containers.list and api.stats, as the Docker SDK answers them; cgroup usage grows per read."""

    def __init__(self, mine: list[_FakeContainer], others: int, growth_ns: dict[str, int]):
        self.mine, self.others, self.growth, self.reads = mine, others, growth_ns, {}
        self.containers = self
        self.api = self

    def list(self, filters=None, all=False):  # the SDK's signature
        if filters:
            return list(self.mine)
        return [*self.mine, *(_FakeContainer(f"o{i}", "x", "other") for i in range(self.others))]

    def stats(self, cid, stream=True, one_shot=None):
        assert stream is False and one_shot is True
        self.reads[cid] = self.reads.get(cid, 0) + 1
        return {"cpu_stats": {"cpu_usage": {"total_usage": self.growth[cid] * self.reads[cid]}}}


def test_measure_wires_the_readings_together(monkeypatch):
    api, db = "a" * 64, "d" * 64
    client = _FakeClient([_FakeContainer(api, "api"), _FakeContainer(db, "postgres")], 3,
                         {api: 1_200_000_000, db: 600_000_000})  # fmt: skip
    hz = cpu.HZ
    snapshots = iter(
        [
            bench.ProcSnapshot(
                engine={(1, 1): stat(1, "dockerd", (0, 0)), (2, 2): stat(2, "containerd-shim", (0, 0), start=2)},
                containers={(5, 5): stat(5, "uvicorn", (0, 0), start=5)},
                other_shims=4,
            ),
            bench.ProcSnapshot(
                engine={
                    (1, 1): stat(1, "dockerd", (int(0.3 * hz), 0)),
                    (2, 2): stat(2, "containerd-shim", (0, 0), (int(1.5 * hz), 0), start=2),
                },
                containers={(5, 5): stat(5, "uvicorn", (int(0.6 * hz), 0), start=5)},
            ),
        ]
    )
    monkeypatch.setattr(bench, "snapshot_processes", lambda ids: next(snapshots))
    ticks = iter([0, 30 * hz])
    monkeypatch.setattr(bench, "machine_ticks", lambda: next(ticks))
    clock = iter([0.0, 0.0, 0.0, 0.0, 60.0, 60.0, 60.0, 60.0])
    monkeypatch.setattr(bench.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(bench.time, "sleep", lambda s: None)
    got = bench.measure(client, "p", 60)
    assert got["containers_percent"] == 3.0
    assert got["services_percent"] == {"api": 2.0, "postgres": 1.0}
    assert got["engine_percent"] == 1.0
    assert got["total_percent"] == 4.0
    assert got["machine_percent"] == 50.0
    assert got["other_running_containers"] == 3
    assert got["other_shims"] == 4
    assert got["left_out"] == []
    assert got["health_at_end"] == {"api": "healthy", "postgres": "healthy"}
