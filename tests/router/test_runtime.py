"""The router's decisions that need no engine: which ports it listens on, which taken ports it routes around."""

from __future__ import annotations

import textwrap

import pytest

from devenv.events import ServiceStatus
from devenv.router import runtime, state
from devenv.router.settings import RouterSettings
from devenv.runtime.ports import Binding
from devenv.spec.loader import load_project

SPEC = """\
name: shop
services:
  web:
    image: python:3.11-slim
    port: 5173
    public: true
  api:
    image: python:3.11-slim
    port: 8000
    public: true
    host_port: 8000
  worker:
    image: python:3.11-slim
dependencies:
  db: {kind: postgres, version: "15"}
"""


def settings(**env: str) -> RouterSettings:
    return RouterSettings.from_environ({"HOME": "/home/u", **env})


@pytest.fixture
def project(tmp_path):
    (tmp_path / "devenv.yaml").write_text(textwrap.dedent(SPEC))
    return load_project(tmp_path, {})


def test_443_and_80_when_free_else_the_fallbacks_with_a_warning():
    assert runtime.choose_ports(settings(), None, lambda port: False) == ((443, 80), [])
    (ports, warnings) = runtime.choose_ports(settings(), None, lambda port: port in (443, 80))
    assert ports == (8443, 8080)
    assert "port 443 is in use" in warnings[0] and "listens on 8443 instead" in warnings[0]
    assert "DEVENV_ROUTER_HTTPS_PORT" in warnings[0]


def test_a_running_router_keeps_its_ports_and_explicit_ports_are_taken_as_they_are():
    assert runtime.choose_ports(settings(), (8443, 8080), lambda port: True) == ((8443, 8080), [])
    explicit = settings(DEVENV_ROUTER_HTTPS_PORT="9443", DEVENV_ROUTER_HTTP_PORT="9080")
    assert runtime.choose_ports(explicit, None, lambda port: False) == ((9443, 9080), [])
    with pytest.raises(runtime.RouterPortInUse) as caught:
        runtime.choose_ports(explicit, None, lambda port: port == 9443)
    assert "cannot listen on port 9443" in caught.value.message
    assert "DEVENV_ROUTER_HTTPS_PORT" in (caught.value.hint or "")
    with pytest.raises(runtime.RouterPortInUse) as caught:
        runtime.choose_ports(settings(), None, lambda port: True)
    assert "its fallback 8443 is too" in caught.value.message


def test_settings_from_the_environment(project):
    assert settings().state_dir.as_posix() == "/home/u/.local/share/devenv/router/devenv-router"
    assert settings(XDG_DATA_HOME="/x").ca_dir.as_posix() == "/x/devenv/ca"
    assert settings(DEVENV_HOME="/d", DEVENV_ROUTER_NAME="r2").state_dir.as_posix() == "/d/router/r2"
    assert not settings(DEVENV_ROUTER="0").enabled
    with pytest.raises(Exception, match="not a port number"):
        settings(DEVENV_ROUTER_HTTPS_PORT="https")
    assert runtime.settings_for(project, {"DEVENV_ROUTER": "off"}) is None
    assert runtime.settings_for(project, {"HOME": "/h"}) is not None
    assert runtime.routed_services(project) == ["web", "api"]


def test_a_taken_port_is_routed_around_unless_asked_for_explicitly(project):
    taken = [Binding("web", "127.0.0.1", 5173), Binding("api", "127.0.0.1", 8000), Binding("db", "0.0.0.0", 5432)]
    errors, notes = runtime.route_around(project, taken, {5173: "container other-web-1"})
    assert [b.service for b in errors] == ["api", "db"]  # host_port: 8000 asked for; a dependency has no name
    assert notes == {"web": "localhost:5173 is in use by container other-web-1: not bound"}


def test_status_rows_get_the_https_url_first_and_the_note(project, tmp_path, monkeypatch):
    monkeypatch.setenv("DEVENV_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DEVENV_ROUTER", raising=False)
    routes = [
        state.Route("web", "web.shop.localhost", "shop-web-1:5173"),
        state.Route("api", "api.shop.localhost", "shop-api-1:8000"),
    ]
    entry = state.ProjectRoutes("shop", "/p", ["shop_default"], routes, 8443, {"web": "localhost:5173 is in use"})
    state.save(RouterSettings.from_environ().state_dir, entry)
    rows = [
        ServiceStatus("web", "service", "running", None, ["http://localhost:5173"]),
        ServiceStatus("api", "service", "running", None, ["http://localhost:8000"]),
        ServiceStatus("db", "dependency", "running", "healthy", ["postgresql://..."]),
    ]
    web, api, db = runtime.with_urls(project, rows)
    assert (web.urls, web.https_url, web.note) == (
        ["https://web.shop.localhost:8443"],
        "https://web.shop.localhost:8443",
        "localhost:5173 is in use",
    )
    assert api.urls == ["https://api.shop.localhost:8443", "http://localhost:8000"] and api.note is None
    assert db == rows[2]
    monkeypatch.setenv("DEVENV_ROUTER", "0")
    assert runtime.with_urls(project, rows) == rows


def test_router_false_or_no_public_service_needs_no_router(tmp_path):
    (tmp_path / "off").mkdir()
    (tmp_path / "off" / "devenv.yaml").write_text(textwrap.dedent(SPEC) + "router: false\n")
    assert runtime.settings_for(load_project(tmp_path / "off", {}), {"HOME": "/h"}) is None
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "devenv.yaml").write_text("name: quiet\nservices:\n  worker: {image: 'python:3.11-slim'}\n")
    assert runtime.settings_for(load_project(tmp_path / "private", {}), {"HOME": "/h"}) is None
