"""The router on the real engine: two projects with the same service names and ports side by side.

The router is the test's own (tests/integration/routing.py); names are resolved to 127.0.0.1 by the test.
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import uuid

import pytest

from tests.integration.conftest import HOST_CA, TestProject, free_port
from tests.integration.routing import http_get, https_get, remove_routed, router_fixture  # noqa: F401 - a fixture

pytestmark = pytest.mark.docker

SPEC = """\
services:
  web:
    image: python:3.11-slim
    port: {port}
    public: true
    health: /who
    env: {{WHO: {who}}}
    command: ["sh", "-c", "mkdir -p /tmp/s; echo $WHO > /tmp/s/who && cd /tmp/s && exec python3 -m http.server {port}"]
"""


@pytest.fixture
def pair(tmp_path, router):
    """Two projects, identical but for their names and what they answer: web on the same port."""
    port = free_port()
    made = []
    for who in ("a", "b"):
        name = f"t-{uuid.uuid4().hex[:8]}-{who}"
        root = tmp_path / name
        root.mkdir()
        project = TestProject(root, name)
        project.write(SPEC.format(port=port, who=who))
        made.append(project)
    yield made[0], made[1], port
    for project in made:
        remove_routed(router, project.name)


def up(cli, project: TestProject) -> str:
    code, out, err = cli("-C", project.root, "--output", "plain", "up", "--timeout", "120")
    assert code == 0, out + err
    return out


def test_two_projects_with_the_same_names_and_ports_each_answer_at_their_own_name(pair, router, cli):
    a, b, port = pair
    host_a, host_b = f"web.{a.name}.localhost", f"web.{b.name}.localhost"
    out = up(cli, a)
    assert f"https://{host_a}:{router.https} http://localhost:{port}" in out
    out = up(cli, b)  # the same host port: b goes without it and is reachable by name
    assert f"https://{host_b}:{router.https} (localhost:{port} is in use by container {a.name}-web-1: not bound)" in out

    assert https_get(host_a, router.https, cafile=router.ca) == (200, "a")
    assert https_get(host_b, router.https, cafile=router.ca) == (200, "b")
    with pytest.raises(ssl.SSLCertVerificationError):  # the devenv CA vouches for it, nothing else does
        https_get(host_a, router.https, cafile=HOST_CA if HOST_CA.is_file() else None)
    redirect = http_get(host_a, router.http, "/who?x=1")
    assert redirect.status == 308
    assert redirect.getheader("Location") == f"https://{host_a}:{router.https}/who?x=1"

    code, out, _ = cli("-C", b.root, "status", "--json")
    web = json.loads(out)["services"][0]
    assert code == 0 and web["https_url"] == f"https://{host_b}:{router.https}"
    assert web["urls"] == [web["https_url"]] and "not bound" in web["note"]

    # inside the project, the same name and URL, trusted through the mounted CA
    fetch = f"import urllib.request; print(urllib.request.urlopen('https://{host_b}:{router.https}/who').read().decode())"
    inside = subprocess.run(
        ["docker", "exec", f"{b.name}-web-1", "python3", "-c", fetch], capture_output=True, text=True
    )
    assert inside.stdout.strip() == "b", inside.stderr

    code, out, err = cli("-C", a.root, "--output", "plain", "down")
    assert code == 0, out + err
    assert f"removed the routes of {a.name} (down)" in out
    assert https_get(host_b, router.https, cafile=router.ca) == (200, "b")  # b keeps answering
    with pytest.raises((ssl.SSLError, ConnectionError)):
        https_get(host_a, router.https, cafile=router.ca)
    networks = subprocess.run(["docker", "network", "ls", "--format", "{{.Name}}"], capture_output=True, text=True)
    assert f"{a.name}_default" not in networks.stdout.split()  # Compose could remove it: the router had left

    out = up(cli, b)  # a's port is free again: b gets it back
    assert f"https://{host_b}:{router.https} http://localhost:{port}" in out
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass


def test_a_router_removed_by_hand_a_renamed_project_and_a_taken_router_port(pair, router, cli, monkeypatch):
    a, _, _ = pair
    host = f"web.{a.name}.localhost"
    up(cli, a)
    subprocess.run(["docker", "rm", "-f", "-v", router.name], check=True, capture_output=True)
    out = up(cli, a)  # nothing changed in the project: `up` still brings the router back
    assert f"router: starting {router.name}" in out
    assert https_get(host, router.https, cafile=router.ca) == (200, "a")

    renamed = f"{a.name}-new"
    spec = (a.root / "devenv.yaml").read_text().replace(f"name: {a.name}\n", f"name: {renamed}\n")
    (a.root / "devenv.yaml").write_text(spec)
    try:
        out = up(cli, a)
        assert f"router: removed the routes of {a.name} (renamed)" in out
        assert https_get(f"web.{renamed}.localhost", router.https, cafile=router.ca) == (200, "a")
        with pytest.raises((ssl.SSLError, ConnectionError)):
            https_get(host, router.https, cafile=router.ca)
        assert not (router.home / "router" / router.name / "routes" / f"{a.name}.json").exists()

        subprocess.run(["docker", "rm", "-f", "-v", router.name], check=True, capture_output=True)
        cli("-C", a.root, "down")
        with socket.create_server(("127.0.0.1", 0)) as holder:  # another program on the router's port
            taken = holder.getsockname()[1]
            monkeypatch.setenv("DEVENV_ROUTER_HTTPS_PORT", str(taken))
            code, out, err = cli("-C", a.root, "--output", "plain", "up")
        assert code == 1
        assert f"the router cannot listen on port {taken}: it is in use by process" in err
        assert "set DEVENV_ROUTER_HTTPS_PORT to a free port" in err
        assert subprocess.run(  # refused before Compose created anything
            ["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={renamed}"],
            capture_output=True, text=True, check=True,
        ).stdout.strip() == ""
    finally:
        remove_routed(router, renamed)
