"""Helpers shared by the benchmarks: a throw-away copy of the example, timing, results."""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
VENV_BIN = Path(sys.executable).parent
DEVENV = os.environ.get("BENCH_DEVENV") or str(VENV_BIN / "devenv")  # BENCH_DEVENV: measure another devenv
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")


def log(msg: str) -> None:
    """A progress line with the time of day."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def load_module(name: str, path: Path):
    """Import a helper of the test suite by file (tests/ is not a package the benchmarks install)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def cdp():
    """tests/integration/cdp.py: headless Chromium over the DevTools protocol."""
    return load_module("devenv_cdp", ROOT / "tests" / "integration" / "cdp.py")


def standins(names: list[str]) -> list[str]:
    module = load_module("standins_build", ROOT / "tests" / "standins" / "build.py")
    return module.ensure_images(names, prefix="devenv-local")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def example_env() -> dict[str, str]:
    """Environment that points devenv at the stand-ins and the host CA (machine-level settings)."""
    env = {**os.environ, "COMPOSE_BAKE": "false", "DEVENV_IMAGES_MIRROR": "docker.io=devenv-local"}
    env.setdefault("DEVENV_ROUTER", "0")  # measured on its own (bench_router.py); the others stay comparable
    if HOST_CA.is_file():
        env["DEVENV_CA_CERTIFICATES"] = str(HOST_CA)
    return env


def example_copy() -> tuple[Path, str, int]:
    """A copy of examples/shop with a unique name and a free port (use with example_env())."""
    name = f"bench-{uuid.uuid4().hex[:8]}"
    root = Path(tempfile.mkdtemp(prefix=f"{name}-")) / name
    shutil.copytree(ROOT / "examples" / "shop", root, ignore=shutil.ignore_patterns("docker-compose.yml"))
    port = free_port()
    spec = (root / "devenv.yaml").read_text().replace("name: shop", f"name: {name}", 1)
    spec = spec.replace("    public: true\n", f"    public: true\n    host_port: {port}\n", 1)
    (root / "devenv.yaml").write_text(spec)
    return root, name, port


def run(
    argv: list[str], cwd: Path | None = None, env: dict | None = None, stdin: str | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing its output; raise with that output when it fails (unless ``check`` is off)."""
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env, input=stdin)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def timed(argv: list[str], cwd: Path | None = None, env: dict | None = None, stdin: str | None = None) -> float:
    """Seconds a command took (it must succeed)."""
    start = time.perf_counter()
    run(argv, cwd=cwd, env=env, stdin=stdin)
    return time.perf_counter() - start


def postgres_project(prefix: str, schema: str, spec: str) -> tuple[str, Path, Path, Path]:
    """A throw-away project with one PostgreSQL fixtures directory: (name, base dir, project root, fixtures dir).

    ``spec`` is devenv.yaml with ``{name}`` for the project name; the host's CA bundle goes
    to certs/ca.pem when there is one (builds trust it).
    """
    name = f"{prefix}-{uuid.uuid4().hex[:6]}"
    base = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    root = base / name
    fixtures = root / "fixtures" / "db"
    fixtures.mkdir(parents=True)
    (fixtures / "001_schema.sql").write_text(schema)
    if HOST_CA.is_file():
        (root / "certs").mkdir()
        shutil.copy(HOST_CA, root / "certs" / "ca.pem")
    (root / "devenv.yaml").write_text(spec.format(name=name))
    return name, base, root, fixtures


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "n": len(samples),
        "median_s": round(statistics.median(ordered), 4),
        "min_s": round(ordered[0], 4),
        "max_s": round(ordered[-1], 4),
        "mean_s": round(statistics.fmean(ordered), 4),
    }


def machine() -> dict:
    docker = subprocess.run(["docker", "version", "-f", "{{.Server.Version}}"], capture_output=True, text=True)
    compose = subprocess.run(["docker", "compose", "version", "--short"], capture_output=True, text=True)
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "docker_engine": docker.stdout.strip(),
        "compose": compose.stdout.strip(),
    }


def write(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    data = {"machine": machine(), "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **data}
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def remove_project(name: str, images: list[str] | None = None, directory: Path | None = None) -> None:
    """Take a benchmark's project away: containers and volumes, the images it built, its directory."""
    subprocess.run(["docker", "compose", "-p", name, "down", "--volumes", "--timeout", "2"], capture_output=True)
    if images:
        subprocess.run(["docker", "rmi", "-f", *images], capture_output=True)
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
