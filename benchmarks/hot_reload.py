"""Hot reload: time from a file write on the host to the new behaviour, seen from outside.

One project scaffolded from the three templates (PostgreSQL, Redis, backend, worker on
Redis, frontend), brought up with `devenv up`. For each service a file is edited N times
(a version string changes); each sample is the time from the write to:

* backend  - an HTTP GET (a new connection every 5 ms) answering with the new version;
* worker   - a job (enqueued through the backend, result read back) run by the new code;
* frontend - the page open in headless Chromium showing the new text through Vite's
             HMR; the page records the moment itself (MutationObserver, Date.now(), the
             host clock), and a full reload (a new document) is counted.

The next edit follows 0 to 0.3 s after the previous one was seen, so some land while
the service is still settling. An edit not seen within the timeout is "lost". Baselines in the same run, on the same
services, as users run them without devenv (Compose files derived from the generated
one, run with plain `docker compose`):

* backend:  a plain bind mount with `uvicorn --reload` (the template image's own CMD);
            Compose's `develop.watch` with `sync+restart` (plain uvicorn);
            `docker compose up -d --build` after each edit (no mount);
* worker:   a plain bind mount with `watchfiles` restarting `python -m worker`;
* frontend: Compose's `develop.watch` with `sync` into the container (Vite HMR there).

Goals (issue 7): backend p50 <= 0.3 s and p95 <= 0.6 s, frontend p50 <= 0.3 s, worker
p50 <= 0.5 s, no edit lost in 100. Results: benchmarks/results/hot_reload.json.

    .venv/bin/python benchmarks/hot_reload.py [--edits 100] [--baseline-edits 100] [--slow-edits 20]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import yaml
from common import DEVENV, example_env, free_port, log, standins, write
from common import cdp as load_cdp

GOALS = {"backend": {"p50_s": 0.3, "p95_s": 0.6}, "frontend": {"p50_s": 0.3}, "worker": {"p50_s": 0.5}}
FAST_TIMEOUT_S = 10.0
SLOW_TIMEOUT_S = 90.0
UVICORN = ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--log-config", "logging.json",
           "--no-access-log"]  # fmt: skip


def run(argv: list[str], cwd: Path | None = None, env: dict | None = None, check: bool = True) -> str:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


def stats(samples: list[float], lost: int, extra: dict | None = None) -> dict:
    ordered = sorted(samples)

    def rank(q: float) -> float | None:
        return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)], 4) if ordered else None

    return {
        "edits": len(samples) + lost,
        "seen": len(samples),
        "lost": lost,
        "p50_s": round(statistics.median(ordered), 4) if ordered else None,
        "p95_s": rank(0.95),
        "min_s": round(ordered[0], 4) if ordered else None,
        "max_s": round(ordered[-1], 4) if ordered else None,
        **(extra or {}),
        "samples_s": [round(s, 4) for s in samples],
    }


def set_version(path: Path, version: str) -> float:
    """Rewrite ``VERSION = ...``; return the time just before the write."""
    text = re.sub(r'^VERSION = .*$', f'VERSION = "{version}"', path.read_text(), flags=re.MULTILINE)
    started = time.time()
    path.write_text(text)
    return started


def http_get(url: str, timeout: float = 5) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


class Project:
    def __init__(self):
        self.name = f"bench-hot-{uuid.uuid4().hex[:6]}"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        self.root = self.tmp / self.name
        self.env = example_env()
        self.api_port, self.web_port = free_port(), free_port()
        self.api = f"http://127.0.0.1:{self.api_port}"
        self.web = f"http://127.0.0.1:{self.web_port}"
        self.main = self.root / "services" / "api" / "app" / "main.py"
        self.tasks = self.root / "services" / "worker" / "worker" / "tasks.py"
        self.app = self.root / "services" / "web" / "src" / "App.tsx"

    def devenv(self, *args) -> str:
        return run([DEVENV, "-C", str(self.root), "--output", "plain", *map(str, args)], env=self.env)

    def compose(self, *args: str, file: Path | None = None, check: bool = True) -> str:
        argv = ["docker", "compose", "--project-directory", str(self.root), "-p", self.name,
                "-f", str(file or self.root / "docker-compose.yml"), *args]  # fmt: skip
        return run(argv, env={**self.env, "DEVENV_UID": str(os.getuid()), "DEVENV_GID": str(os.getgid())}, check=check)

    def create(self) -> None:
        run([DEVENV, "init", str(self.root), "--name", self.name], env=self.env)
        self.devenv("add", "dependency", "postgres", "--version", "15")
        self.devenv("add", "dependency", "redis", "--version", "7")
        self.devenv("add", "service", "api", "--template", "backend", "--host-port", self.api_port)
        self.devenv("add", "service", "worker", "--template", "worker", "--queue", "redis")
        self.devenv("add", "service", "web", "--template", "frontend", "--host-port", self.web_port)
        self.main.write_text(
            self.main.read_text().replace(
                'log = logging.getLogger("app")', 'log = logging.getLogger("app")\nVERSION = "0"'
            )
            + '\n\n@app.get("/api/hot")\ndef hot() -> dict:\n    return {"version": VERSION}\n'
        )
        self.tasks.write_text(
            self.tasks.read_text().replace("TASKS: dict[str, Task] = {}", 'TASKS: dict[str, Task] = {}\nVERSION = "0"')
            + '\n\n@task("hot")\ndef hot(payload: dict[str, Any]) -> dict[str, Any]:\n    return {"version": VERSION}\n'
        )
        self.app.write_text(self.app.read_text().replace("<h1>Items</h1>", "<h1>Items hot-0</h1>"))

    def variant(self, label: str, change) -> Path:
        """A Compose file derived from the generated one, for a baseline without devenv."""
        model = yaml.safe_load((self.root / "docker-compose.yml").read_text())
        change(model["services"])
        path = self.root / f"baseline-{label}.yml"
        path.write_text(yaml.safe_dump(model, sort_keys=False, width=4096))  # `$$` escapes stay as they are
        return path

    def remove(self) -> None:
        subprocess.run(
            ["docker", "compose", "-p", self.name, "down", "--volumes", "--remove-orphans", "--timeout", "3"],
            capture_output=True,
        )
        images = run(["docker", "images", "-q", "--filter", f"reference={self.name}-*"], check=False).split()
        if images:
            subprocess.run(["docker", "rmi", "-f", *sorted(set(images))], capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


def pause() -> None:
    """0 to 0.3 s between edits: some land right after the previous reload (quick saves)."""
    time.sleep(random.uniform(0.0, 0.3))


# --------------------------------------------------------------------------- probes


def measure_backend(project: Project, edits: int, label: str, timeout: float, after_write=None) -> dict:
    samples, lost = [], 0
    for i in range(1, edits + 1):
        version = f"{label[:1]}{uuid.uuid4().hex[:6]}"
        written = set_version(project.main, version)
        if after_write:
            after_write()
        expected = json.dumps({"version": version}, separators=(",", ":"))
        while True:
            try:
                status, body = http_get(f"{project.api}/api/hot", timeout=5)
            except OSError:
                status, body = 0, ""
            now = time.time()
            if status == 200 and body == expected:
                samples.append(now - written)
                break
            if now - written > timeout:
                lost += 1
                log(f"  {label}: edit {i} not served within {timeout}s (last: {status} {body[:80]})")
                break
            time.sleep(0.005)
        if i % 20 == 0:
            log(f"  {label}: {i}/{edits} (p50 so far {statistics.median(samples or [0]):.3f}s, lost {lost})")
        pause()
    return stats(samples, lost)


def run_job(project: Project, deadline: float) -> dict | None:
    request = urllib.request.Request(
        f"{project.api}/api/jobs",
        data=json.dumps({"task": "hot", "payload": {}}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            job_id = json.loads(response.read())["id"]
    except OSError:
        time.sleep(0.05)
        return None
    while time.time() < deadline:
        try:
            body = json.loads(http_get(f"{project.api}/api/jobs/{job_id}")[1] or "{}")
        except (OSError, ValueError):
            body = {}
        if body.get("status") in ("done", "failed"):
            return body
        time.sleep(0.005)
    return None


def measure_worker(project: Project, edits: int, label: str, timeout: float) -> dict:
    samples, lost = [], 0
    for i in range(1, edits + 1):
        version = f"{label[:1]}{uuid.uuid4().hex[:6]}"
        written = set_version(project.tasks, version)
        while True:
            body = run_job(project, written + timeout)
            now = time.time()
            if body and body.get("result") == {"version": version}:
                samples.append(now - written)
                break
            if now - written > timeout:
                lost += 1
                log(f"  {label}: edit {i} not run within {timeout}s (last: {body})")
                break
        if i % 20 == 0:
            log(f"  {label}: {i}/{edits} (p50 so far {statistics.median(samples or [0]):.3f}s, lost {lost})")
        pause()
    return stats(samples, lost)


def measure_frontend(project: Project, edits: int, label: str, timeout: float) -> dict:
    cdp = load_cdp()
    samples, lost, full_reloads = [], 0, 0
    with cdp.Browser() as browser:
        watch = cdp.HmrWatch(browser, f"{project.web}/")
        marker = re.search(r"hot-(\d+)", project.app.read_text()).group(1)
        first = watch.wait_marker(marker, 180)  # the first load makes Vite optimise dependencies
        if first is None:
            raise RuntimeError(f"the page never showed hot-{marker}: {watch.text()[:300]}")
        page = first[1]
        time.sleep(2.0)
        for i in range(1, edits + 1):
            number = str(random.randint(10**6, 10**7))
            text = re.sub(r"hot-\d+", f"hot-{number}", project.app.read_text())
            written = time.time()
            project.app.write_text(text)
            seen = watch.wait_marker(number, timeout)
            if seen is None:
                lost += 1
                log(f"  {label}: edit {i} not shown within {timeout}s")
            else:
                samples.append(seen[0] - written)
                if seen[1] != page:
                    full_reloads += 1
                    page = seen[1]
            if i % 20 == 0:
                log(f"  {label}: {i}/{edits} (p50 so far {statistics.median(samples or [0]):.3f}s, lost {lost})")
            pause()
    return stats(samples, lost, {"full_reloads": full_reloads})


# --------------------------------------------------------------------------- baselines


def _plain(entry: dict) -> None:
    """No devenv reloader: drop its command, config and label."""
    entry.pop("command", None)
    entry.pop("configs", None)
    entry.get("labels", {}).pop("dev.devenv.reloader", None)


def _no_mount(entry: dict) -> None:
    _plain(entry)
    entry.pop("volumes", None)
    entry.pop("user", None)
    entry.pop("develop", None)


def _synced(entry: dict, path: str, target: str, action: str) -> None:
    """Compose's watch copies changed files in. On Engine 20.10 that copy fails for a container
    with a non-root USER ("getent unable to find entry"), so these baselines run as root."""
    _no_mount(entry)
    entry["user"] = "root"
    entry["develop"] = {"watch": [{"action": action, "path": path, "target": target}]}


class Watching:
    """`docker compose watch --no-up SERVICE` in the background."""

    def __init__(self, project: Project, file: Path, service: str):
        argv = ["docker", "compose", "--project-directory", str(project.root), "-p", project.name, "-f", str(file),
                "watch", "--no-up", service]  # fmt: skip
        self.lines: list[str] = []
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env=project.env, start_new_session=True)  # fmt: skip
        threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True).start()
        time.sleep(3.0)  # its watchers start

    def stop(self) -> None:
        if any("Error" in line or "error" in line for line in self.lines):
            log("  compose watch said: " + " | ".join(line.strip() for line in self.lines[-5:]))
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def wait_healthy(project: Project, file: Path, service: str, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        ids = project.compose("ps", "-q", service, file=file, check=False).split()
        if ids:
            state = run(["docker", "inspect", "-f", "{{.State.Health.Status}}", ids[0]], check=False).strip()
            if state == "healthy":
                return
        time.sleep(0.5)
    raise RuntimeError(f"{service} did not become healthy")


def baseline_backend(project: Project, edits: int, slow_edits: int) -> dict:
    out = {}

    def uvicorn_reload(services):
        _plain(services["api"])
        services["api"]["command"] = [*UVICORN, "--reload", "--reload-dir", "/app"]

    file = project.variant("uvicorn-reload", uvicorn_reload)
    project.compose("up", "-d", "--wait", "api", file=file)
    log(f"backend: bind mount + uvicorn --reload, {edits} edits")
    out["bind mount + uvicorn --reload"] = measure_backend(project, edits, "uvicorn --reload", FAST_TIMEOUT_S)

    def sync_restart(services):
        _synced(services["api"], "./services/api/app", "/app/app", "sync+restart")
        services["api"]["command"] = UVICORN

    file = project.variant("sync-restart", sync_restart)
    project.compose("up", "-d", "--wait", "--build", "api", file=file)
    watching = Watching(project, file, "api")
    try:
        log(f"backend: compose watch sync+restart, {slow_edits} edits")
        out["compose watch sync+restart"] = measure_backend(project, slow_edits, "sync+restart", SLOW_TIMEOUT_S)
    finally:
        watching.stop()

    def rebuild(services):
        _no_mount(services["api"])
        services["api"]["command"] = UVICORN

    file = project.variant("rebuild", rebuild)
    project.compose("up", "-d", "--wait", "--build", "api", file=file)

    def up_build():
        project.compose("up", "-d", "--build", "api", file=file)

    log(f"backend: docker compose up -d --build, {slow_edits} edits")
    out["docker compose up -d --build"] = measure_backend(project, slow_edits, "rebuild", SLOW_TIMEOUT_S, up_build)
    project.compose("up", "-d", "--wait", "api")  # back to devenv's
    return out


def baseline_worker(project: Project, edits: int) -> dict:
    def watchfiles(services):
        _plain(services["worker"])  # the image's CMD: watchfiles ... "python -m worker" /app

    file = project.variant("watchfiles", watchfiles)
    project.compose("up", "-d", "--wait", "worker", file=file)
    log(f"worker: bind mount + watchfiles, {edits} edits")
    result = {"bind mount + watchfiles restart": measure_worker(project, edits, "watchfiles", FAST_TIMEOUT_S)}
    project.compose("up", "-d", "--wait", "worker")
    return result


def baseline_frontend(project: Project, edits: int) -> dict:
    def sync(services):
        _synced(services["web"], "./services/web/src", "/app/src", "sync")

    file = project.variant("sync", sync)
    project.compose("up", "-d", "--wait", "--build", "web", file=file)  # the image holds the code now
    watching = Watching(project, file, "web")
    try:
        log(f"frontend: compose watch sync + Vite HMR, {edits} edits")
        result = {"compose watch sync + Vite HMR": measure_frontend(project, edits, "sync", SLOW_TIMEOUT_S)}
    finally:
        watching.stop()
    project.compose("up", "-d", "--wait", "web")
    return result


def cold_import(project: Project, runs: int = 5) -> float:
    code = "import time; t = time.perf_counter(); import fastapi, uvicorn; print(time.perf_counter() - t)"
    samples = [float(project.compose("exec", "-T", "api", "python", "-c", code).strip()) for _ in range(runs)]
    return round(statistics.median(samples), 4)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=100, help="edits per service with devenv (default 100)")
    parser.add_argument("--baseline-edits", type=int, default=100, help="edits for bind-mount baselines (100)")
    parser.add_argument("--slow-edits", type=int, default=20, help="edits for rebuild and sync baselines (20)")
    parser.add_argument("--no-baselines", action="store_true")
    args = parser.parse_args()
    random.seed(7)
    log("stand-in images")
    standins(["postgres", "redis", "python", "node"])
    project = Project()
    results: dict = {"backend": {}, "worker": {}, "frontend": {}}
    try:
        log(f"scaffolding {project.root}")
        project.create()
        log("devenv up")
        started = time.time()
        project.devenv("up", "--timeout", "600")
        up_s = round(time.time() - started, 1)
        log(f"up in {up_s}s; devenv backend, {args.edits} edits")
        results["backend"]["devenv"] = measure_backend(project, args.edits, "devenv", FAST_TIMEOUT_S)
        log(f"devenv worker, {args.edits} edits")
        results["worker"]["devenv"] = measure_worker(project, args.edits, "devenv", FAST_TIMEOUT_S)
        log(f"devenv frontend, {args.edits} edits")
        results["frontend"]["devenv"] = measure_frontend(project, args.edits, "devenv", FAST_TIMEOUT_S)
        cold = cold_import(project)
        if not args.no_baselines:
            results["backend"].update(baseline_backend(project, args.baseline_edits, args.slow_edits))
            results["worker"].update(baseline_worker(project, max(1, args.baseline_edits // 2)))
            results["frontend"].update(baseline_frontend(project, args.slow_edits))
    finally:
        project.remove()
    goals = {}
    for service, goal in GOALS.items():
        got = results[service]["devenv"]
        checks = {key: got[key] is not None and got[key] <= limit for key, limit in goal.items()}
        checks["lost_is_zero"] = got["lost"] == 0
        goals[service] = {"goal": goal, "met": all(checks.values()), **checks}
    path = write(
        "hot_reload.json",
        {
            "setup": {
                "edits": args.edits,
                "baseline_edits": args.baseline_edits,
                "slow_edits": args.slow_edits,
                "timeouts_s": {"fast": FAST_TIMEOUT_S, "slow": SLOW_TIMEOUT_S},
                "devenv_up_s": up_s,
                "cold_import_fastapi_uvicorn_s": cold,
            },
            "goals": goals,
            "results": results,
        },
    )
    log(f"wrote {path}")
    print(f"{'service':9} {'path':34} {'p50 s':>7} {'p95 s':>7} {'lost':>5}")
    for service, paths in results.items():
        for label, got in paths.items():
            print(f"{service:9} {label:34} {got['p50_s'] or 0:7.3f} {got['p95_s'] or 0:7.3f} {got['lost']:>5}")
    for service, verdict in goals.items():
        print(f"goal {service}: {'met' if verdict['met'] else 'NOT met'} {verdict['goal']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
