"""devenv's own health probe (pure, with a recording stand-in for the engine facade)."""

from __future__ import annotations

from dataclasses import dataclass, field

from devenv.runtime.engine import ContainerState
from devenv.runtime.probe import MIN_GAP, Prober, check_argv


@dataclass
class Recorder:
    """The two facade calls the prober makes, answered from a script of exit codes."""

    codes: list[int]
    test: list[str] | None = field(default_factory=lambda: ["CMD", "pg_isready", "-h", "127.0.0.1"])
    calls: list[tuple[str, list[str]]] = field(default_factory=list)
    inspected: int = 0

    def health_test(self, container_id: str) -> list[str] | None:
        self.inspected += 1
        return self.test

    def exec(self, container_id: str, argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
        self.calls.append((container_id, argv))
        return self.codes.pop(0), ""


def box(health: str | None, state: str = "running") -> ContainerState:
    return ContainerState("db", "p-db-1", "c1", state, health, None, {})


def test_test_argv_reads_both_engine_forms():
    assert check_argv(["CMD", "pg_isready", "-q"]) == ["pg_isready", "-q"]
    assert check_argv(["CMD-SHELL", "curl -f localhost"]) == ["/bin/sh", "-c", "curl -f localhost"]
    assert check_argv(["NONE"]) is None and check_argv(None) is None and check_argv(["CMD"]) is None


def test_a_starting_container_whose_check_passes_counts_as_healthy():
    now = [0.0]
    engine = Recorder(codes=[1, 0])
    prober = Prober(engine, clock=lambda: now[0])
    assert prober.settle([box("starting")])[0].health == "starting"  # first probe fails
    assert prober.settle([box("starting")])[0].health == "starting" and len(engine.calls) == 1  # too soon again
    now[0] += MIN_GAP
    assert prober.settle([box("starting")])[0].health == "healthy"
    assert engine.calls[-1] == ("c1", ["pg_isready", "-h", "127.0.0.1"]) and engine.inspected == 1
    now[0] += MIN_GAP
    assert prober.settle([box("starting")])[0].health == "healthy" and len(engine.calls) == 2  # passed: no more execs


def test_the_engines_own_verdict_is_left_alone():
    engine = Recorder(codes=[])
    prober = Prober(engine)
    states = [box("healthy"), box("unhealthy"), box(None), box("starting", state="exited")]
    assert prober.settle(states) == states and engine.calls == []


def test_no_health_check_means_no_probe():
    engine = Recorder(codes=[], test=None)
    assert Prober(engine).settle([box("starting")])[0].health == "starting" and engine.calls == []
