"""The router's Caddyfile, rendered from the projects' routes (golden), and the route files."""

from __future__ import annotations

from pathlib import Path

from devenv.router import state
from devenv.router.caddyfile import render_caddyfile

HERE = Path(__file__).parent


def two_projects() -> list[state.ProjectRoutes]:
    return [
        state.ProjectRoutes(
            "shop-b", "/src/b", ["shop-b_default"], [state.Route("web", "web.shop-b.localhost", "shop-b-web-1:5173")]
        ),
        state.ProjectRoutes(
            "shop-a",
            "/src/a",
            ["shop-a_default"],
            [
                state.Route("web", "web.shop-a.localhost", "shop-a-web-1:5173"),
                state.Route("api", "api.shop-a.localhost", "shop-a-api-1:8000"),
            ],
        ),
    ]


def test_two_projects_with_the_same_service_names(golden):
    golden(HERE, "Caddyfile", render_caddyfile(two_projects(), 443, 80))


def test_a_fallback_port_is_in_the_sites_and_the_redirect(golden):
    text = render_caddyfile(two_projects()[:1], 8443, 8080)
    golden(HERE, "Caddyfile-8443", text)
    assert "redir https://{host}:8443{uri} 308" in text
    assert "https://web.shop-b.localhost:8443 {" in text


def test_no_project_leaves_only_the_redirect():
    text = render_caddyfile([], 443, 80)
    assert "reverse_proxy" not in text and "redir https://{host}{uri} 308" in text


def test_route_files_round_trip_and_are_forgotten(tmp_path):
    first, second = two_projects()
    state.save(tmp_path, first)
    state.save(tmp_path, second)
    assert state.load(tmp_path, "shop-b") == first
    assert [p.project for p in state.load_all(tmp_path)] == ["shop-a", "shop-b"]
    assert second.url("api") == "https://api.shop-a.localhost"
    assert state.forget(tmp_path, "shop-b") and not state.forget(tmp_path, "shop-b")
    assert [p.project for p in state.load_all(tmp_path)] == ["shop-a"]
    (tmp_path / "routes" / "broken.json").write_text("{not json")
    assert [p.project for p in state.load_all(tmp_path)] == ["shop-a"]
