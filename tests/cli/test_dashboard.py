"""`devenv dashboard`: the URL, a browser opened (or not), and a spec that turns it off."""

from __future__ import annotations

import webbrowser

SPEC = "name: shop\nservices:\n  api: {image: ghcr.io/acme/api:1, port: 8000}\n"


def test_prints_the_url_and_opens_it(cli, make_project, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", opened.append)
    root = make_project(SPEC + "observability: {port: 19000}\n")
    code, out, _ = cli("-C", root, "dashboard")
    assert (code, out.strip()) == (0, "http://localhost:19000/")
    assert opened == ["http://localhost:19000/"]
    opened.clear()
    code, out, _ = cli("-C", root, "dashboard", "--no-open")
    assert (code, out.strip(), opened) == (0, "http://localhost:19000/", [])


def test_switched_off_is_a_usage_error(cli, make_project) -> None:
    code, _, err = cli("-C", make_project(SPEC + "observability: false\n"), "dashboard", "--no-open")
    assert code == 2
    assert "the dashboard is off" in err
