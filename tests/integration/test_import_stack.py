"""A project written as a plain compose file, brought in with `devenv import`, run with `devenv up`.

tests/integration/import_stack/ is the project as a team has it: MySQL seeded by an init
script (/docker-entrypoint-initdb.d), Redis, and a Python service built from ./web that reads
the MYSQL_* variables and REDIS_HOST. After `devenv import` (and the stand-ins' mirror, as a
user with a private mirror would add it), `devenv up` brings it up healthy and seeded, the
service answers over HTTP using both, and what it wrote survives `devenv down` + `devenv up`.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.integration.conftest import HOST_CA, MIRROR_PREFIX, _load_standins, free_port, remove_project, wait_http

pytestmark = pytest.mark.docker

HERE = Path(__file__).parent


def _request(method: str, url: str) -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def imported(tmp_path, engine):
    _load_standins().ensure_images(["mariadb", "redis", "python"], prefix=MIRROR_PREFIX)
    name = f"t-{uuid.uuid4().hex[:10]}"
    root = tmp_path / name
    shutil.copytree(HERE / "import_stack", root)
    shutil.copy(HERE / "kind_client.py", root / "web" / "kind_client.py")
    port = free_port()
    (root / ".env").write_text(f"WEB_PORT={port}\n")
    try:
        yield root, name, port
    finally:
        remove_project(name)


def test_imported_compose_project_comes_up_seeded_answers_and_keeps_its_data(imported, cli):
    root, _, port = imported
    code, report, err = cli("-C", root, "--output", "plain", "import")
    assert code == 0, report + err
    assert "db: dependency (mysql 8)" in report and "cache: dependency (redis 7)" in report
    assert "web: service built from ./web" in report
    assert "read the same" in report.splitlines()[-1]
    spec = (root / "devenv.yaml").read_text()
    assert "health_command:" in spec  # the web service's command health check, natively
    extra = f"images:\n  mirror: {{docker.io: {MIRROR_PREFIX}}}\n"
    if HOST_CA.is_file():
        (root / "certs").mkdir()
        shutil.copy(HOST_CA, root / "certs" / "ca.pem")
        extra += "ca_certificates: certs/ca.pem\n"
    (root / "devenv.yaml").write_text(spec + extra)

    code, out, err = cli("-C", root, "--output", "plain", "up", "--timeout", "300")
    assert code == 0, out + err
    assert "db: running (healthy)" in out and "web: running (healthy)" in out and "cache: running" in out
    base = f"http://127.0.0.1:{port}"
    assert _request("GET", f"{base}/products") == {"products": ["MUG-1", "TEE-1"]}  # seeded by the init script
    assert _request("POST", f"{base}/orders/MUG-1")["counted"] == 1
    assert _request("POST", f"{base}/orders/TEE-1")["counted"] == 2
    assert _request("GET", f"{base}/orders") == {"stored": 2, "counted": 2}

    code, out, err = cli("-C", root, "down")
    assert code == 0, out + err
    code, out, err = cli("-C", root, "--output", "plain", "up", "--timeout", "300")
    assert code == 0, out + err
    wait_http(f"{base}/healthz")
    assert _request("GET", f"{base}/orders")["stored"] == 2  # MySQL's data volume kept it
    assert _request("GET", f"{base}/products") == {"products": ["MUG-1", "TEE-1"]}  # seeded once, not twice
