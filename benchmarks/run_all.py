"""Run every benchmark in this folder (each writes benchmarks/results/<name>.json)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    failed = 0
    for script in sorted(p for p in [*HERE.glob("bench_*.py"), HERE / "hot_reload.py"] if p.exists()):
        print(f"==> {script.name}", flush=True)
        failed += subprocess.run([sys.executable, str(script)], cwd=HERE).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
