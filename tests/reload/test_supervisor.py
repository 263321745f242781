"""devenv/reload/supervisor.py end to end in `run` mode: the shipped reloader (conftest.shipped)
around a small script. `serve` mode needs uvicorn, which lives in the service images:
tests/integration/test_hot_reload.py covers it."""

from __future__ import annotations

import os
import py_compile
import sys
import time


def test_run_restarts_on_each_change(running, tmp_path):
    job = running()
    for version in range(2, 6):
        (tmp_path / "helper.py").write_text(f"VERSION = {version}\n")
        job.wait_for(str(version))
    assert job.seen() == ["1", "2", "3", "4", "5"]
    assert '"msg": "reloaded"' in job.output() and "helper.py" in job.output()


def test_no_edit_is_lost_in_a_burst(running, tmp_path):
    job = running()
    for version in range(10, 30):
        (tmp_path / "helper.py").write_text(f"VERSION = {version}\n")
        time.sleep(0.004)
    job.wait_for("29")
    time.sleep(1.5)  # and nothing after it
    assert job.seen()[-1] == "29"


def test_a_broken_edit_waits_for_the_fix(running, tmp_path, shipped):
    job = running()
    (tmp_path / "helper.py").write_text("VERSION = (\n")
    traceback = job.wait_output("SyntaxError").split("SyntaxError")[0].split("Traceback")[-1]
    assert "job.py" in traceback and str(shipped) not in traceback  # none of the reloader's frames
    (tmp_path / "helper.py").write_text("VERSION = 7\n")
    job.wait_for("7")


def test_a_stale_pycache_never_masks_an_edit(running, tmp_path):
    job = running()
    path = tmp_path / "helper.py"
    path.write_text("VERSION = 8\n")
    job.wait_for("8")
    stat = path.stat()
    py_compile.compile(str(path), cfile=str(tmp_path / "__pycache__" / f"helper.{sys.implementation.cache_tag}.pyc"))
    path.write_text("VERSION = 9\n")  # same size and (restored) mtime: the .pyc would be taken for valid
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    job.wait_for("9")


def test_polling_mode(running, tmp_path):
    job = running(env={"DEVENV_POLLING": "1", "DEVENV_RELOAD_POLL_MS": "100"})
    job.wait_output("polling every 100 ms")
    (tmp_path / "helper.py").write_text("VERSION = 3\n")
    job.wait_for("3")


def test_sigterm_stops_the_process_and_the_reloader(running):
    job = running()
    child_pids = [line for line in job.wait_output('"msg": "started"').splitlines() if '"msg": "started"' in line]
    assert child_pids
    assert job.stop() == 0
