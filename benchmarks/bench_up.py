"""`devenv up` against plain `docker compose up -d --wait`, on the same generated file, same run.

Two scenarios on the bundled example (FastAPI + PostgreSQL + Redis), images already built:
- cold: containers removed (`down`, volumes kept), then up until every service is healthy;
- warm: everything already running (a no-op up).
Runs alternate between the two tools to spread drift; medians and their ratio go to
benchmarks/results/up.json. Goal: ratio <= 1.10.
"""

from __future__ import annotations

import os
import sys

from common import DEVENV, example_copy, example_env, remove_project, standins, summary, timed, write

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def main() -> int:
    standins(["postgres", "redis", "python"])
    root, name, _ = example_copy()
    env = example_env()
    compose = ["docker", "compose", "-f", str(root / "docker-compose.yml")]
    devenv_up = [DEVENV, "-C", str(root), "--output", "plain", "up", "--timeout", "300"]
    try:
        timed(devenv_up, env=env)  # build images, first start (not measured)
        results: dict[str, dict[str, list[float]]] = {
            "cold": {"devenv": [], "compose": []},
            "warm": {"devenv": [], "compose": []},
        }
        for _ in range(ROUNDS):
            for tool in ("compose", "devenv"):
                timed([*compose, "down", "--timeout", "5"], env=env)
                argv = devenv_up if tool == "devenv" else [*compose, "up", "-d", "--wait", "--wait-timeout", "300"]
                results["cold"][tool].append(timed(argv, env=env))
                results["warm"][tool].append(timed(argv, env=env))
        out = {"rounds": ROUNDS, "project": "examples/shop (api + postgres + redis), images built"}
        for scenario, tools in results.items():
            devenv_s, compose_s = summary(tools["devenv"]), summary(tools["compose"])
            out[scenario] = {
                "devenv_up": devenv_s,
                "compose_up_wait": compose_s,
                "ratio_median": round(devenv_s["median_s"] / compose_s["median_s"], 3),
            }
        path = write("up.json", out)
        for scenario in results:
            r = out[scenario]
            print(
                f"{scenario}: devenv up {r['devenv_up']['median_s']:.2f}s, "
                f"docker compose up -d --wait {r['compose_up_wait']['median_s']:.2f}s, ratio {r['ratio_median']:.2f}"
            )
        print(f"wrote {path}")
    finally:
        remove_project(name, images=[f"{name}-api:dev"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
