"""Time of `devenv add service NAME --template T` per template (goal <= 2 s each).

Each sample is the whole command as a user runs it (a new process: start-up, reading
and validating devenv.yaml, Copier rendering, the round-trip edit, validation, the
snapshot, the atomic write), in a fresh project made by `devenv init` (not timed).
Baseline in the same run: the bare `copier copy` of the same template, which is what
scaffolding costs without devenv (no spec edit, no validation). No engine needed.
The goal is judged on the median (samples on a shared machine have outliers); min,
max and mean are recorded too. Results: benchmarks/results/scaffold.json.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from common import DEVENV, ROOT, VENV_BIN, summary, timed, write

RUNS = int(os.environ.get("BENCH_RUNS", "10"))
GOAL_S = 2.0
CASES = {
    "backend": ["api", "--template", "backend"],
    "worker": ["worker", "--template", "worker", "--queue", "redis"],
    "frontend": ["web", "--template", "frontend"],
}
COPIER_DATA = {
    "backend": ["--data", "name=api"],
    "worker": ["--data", "name=worker", "--data", "queue=redis"],
    "frontend": ["--data", "name=web"],
}


def main() -> int:
    copier = str(VENV_BIN / "copier")
    samples: dict[str, list[float]] = {t: [] for t in CASES}
    baseline: dict[str, list[float]] = {t: [] for t in CASES}
    with tempfile.TemporaryDirectory(prefix="bench-scaffold-") as tmp:
        base = Path(tmp)
        for run in range(RUNS + 1):  # the first round warms caches and is not kept
            for template, args in CASES.items():
                project = base / f"{template}-{run}"
                timed([DEVENV, "init", str(project), "--name", "bench"])
                elapsed = timed([DEVENV, "-C", str(project), "add", "service", *args])
                target = base / f"copier-{template}-{run}"
                plain = timed(
                    [copier, "copy", "--quiet", "--defaults", *COPIER_DATA[template],
                     str(ROOT / "service_templates" / template), str(target)]
                )
                if run:
                    samples[template].append(elapsed)
                    baseline[template].append(plain)
                shutil.rmtree(project)
                shutil.rmtree(target)
    out: dict = {"goal_s": GOAL_S, "runs": RUNS}
    for template in CASES:
        mine, plain = summary(samples[template]), summary(baseline[template])
        out[f"devenv add service --template {template}"] = mine
        out[f"copier copy {template} (baseline)"] = plain
        out[f"{template}_overhead_over_copier_s"] = round(mine["median_s"] - plain["median_s"], 4)
        # judged on the median: the machine is shared, single slow samples are noise
        out[f"{template}_meets_goal"] = mine["median_s"] <= GOAL_S
    path = write("scaffold.json", out)
    for template in CASES:
        mine = out[f"devenv add service --template {template}"]
        plain = out[f"copier copy {template} (baseline)"]
        print(
            f"add service --template {template}: median {mine['median_s']:.2f} s, max {mine['max_s']:.2f} s "
            f"(bare copier copy: {plain['median_s']:.2f} s; goal <= {GOAL_S:.0f} s)"
        )
    print(f"wrote {path}")
    return 0 if all(out[f"{t}_meets_goal"] for t in CASES) else 1


if __name__ == "__main__":
    sys.exit(main())
