"""Commands with nothing to do: `devenv up`, `devenv seed`, `devenv status` on an environment that is up.

The bundled example (FastAPI + PostgreSQL + Redis, fixtures seeded), images built, all
healthy and unchanged. Baselines in the same run: `docker compose up -d --wait` on the
same generated file (what `up` replaces), and `docker compose ps` (what a status costs
when it only lists). Each round runs the compose commands, then one devenv command not
measured (plain `docker compose up` re-runs the seed containers, so devenv asks the
dependencies once for their records; that first look is measured on its own as
"devenv status after compose up"), then the devenv commands. Medians go to
benchmarks/results/noop.json. Goals: each devenv command <= 0.3 s.
"""

from __future__ import annotations

import os
import sys
import time

from common import DEVENV, example_copy, example_env, remove_project, standins, summary, timed, write

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
GOAL_S = 0.3


def main() -> int:
    standins(["postgres", "redis", "python"])
    root, name, _ = example_copy()
    env = example_env()
    compose = ["docker", "compose", "-f", str(root / "docker-compose.yml")]
    devenv = [DEVENV, "-C", str(root), "--output", "plain"]
    commands = {
        "docker compose up -d --wait": [*compose, "up", "-d", "--wait", "--wait-timeout", "300"],
        "docker compose ps": [*compose, "ps"],
        "devenv status after compose up": [*devenv, "status"],
        "devenv up": [*devenv, "up"],
        "devenv seed": [*devenv, "seed"],
        "devenv status": [*devenv, "status"],
    }
    try:
        timed([*devenv, "up", "--timeout", "300"], env=env)  # build, start, seed (not measured)
        time.sleep(20)  # the engine's own health checks have run: compose --wait is not kept waiting
        samples: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(ROUNDS):
            for label, argv in commands.items():
                samples[label].append(timed(argv, env=env))
        out: dict[str, object] = {"rounds": ROUNDS, "project": "examples/shop, up, healthy, seeded, unchanged"}
        results = {label: summary(values) for label, values in samples.items()}
        out["commands"] = results
        out["goal_s"] = GOAL_S
        out["met"] = all(results[c]["median_s"] <= GOAL_S for c in ("devenv up", "devenv seed", "devenv status"))
        out["up_vs_compose_ratio"] = round(
            results["devenv up"]["median_s"] / results["docker compose up -d --wait"]["median_s"], 3
        )
        path = write("noop.json", out)
        for label, result in results.items():
            low, high = result["min_s"], result["max_s"]
            print(f"{label:30} median {result['median_s']:.3f}s  (min {low:.3f}s, max {high:.3f}s)")
        print(f"goal <= {GOAL_S}s for devenv up/seed/status: {'met' if out['met'] else 'NOT met'}; wrote {path}")
    finally:
        remove_project(name, images=[f"{name}-api:dev"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
