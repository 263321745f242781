"""Start-up time of `devenv --help` (goal <= 0.3 s), against a bare interpreter start, same run."""

from __future__ import annotations

import os
import sys

from common import DEVENV, summary, timed, write

RUNS = int(os.environ.get("BENCH_RUNS", "20"))


def main() -> int:
    samples = {"devenv --help": [], "devenv --version": [], "python -c pass": [], "docker compose --help": []}
    argv = {
        "devenv --help": [DEVENV, "--help"],
        "devenv --version": [DEVENV, "--version"],
        "python -c pass": [sys.executable, "-c", "pass"],
        "docker compose --help": ["docker", "compose", "--help"],
    }
    for key in samples:
        timed(argv[key])  # warm the page cache
    for _ in range(RUNS):
        for key in samples:
            samples[key].append(timed(argv[key]))
    out = {key: summary(values) for key, values in samples.items()}
    base = out["python -c pass"]["median_s"]
    out["ratio_help_to_bare_python"] = round(out["devenv --help"]["median_s"] / base, 2)
    path = write("startup.json", out)
    for key in samples:
        print(f"{key}: median {out[key]['median_s'] * 1000:.0f} ms")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
