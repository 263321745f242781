"""Headless Chromium opens the frontend template at its https name through the router, and sees HMR edits.

Chromium trusts the devenv CA the way a user's would after `devenv trust`: the CA in the NSS
database of its HOME (a temp one; the system store is a temp directory too). A second
Chromium, whose HOME has no CA, gets the certificate interstitial instead of the page.
``--host-resolver-rules`` maps the names to 127.0.0.1 (Chromium resolves *.localhost to
loopback by itself, possibly ::1 first; the router publishes on 127.0.0.1).
"""

from __future__ import annotations

import os
import re
import shutil
import time

import pytest

from tests.conftest import must
from tests.integration.cdp import CHROMIUM, Browser, HmrWatch
from tests.integration.conftest import free_port, init_project
from tests.integration.routing import remove_routed, router_fixture  # noqa: F401 - the fixture `router`

pytestmark = [
    pytest.mark.docker,
    pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium (apt-get install chromium)"),
    pytest.mark.skipif(shutil.which("certutil") is None, reason="needs certutil (apt-get install libnss3-tools)"),
]

# The names to the router; plain `localhost` to nowhere, so Vite's fallback (a WebSocket straight to
# localhost:<its container port>) cannot carry HMR: the updates can only come through the router.
RESOLVE = "--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP localhost ~NOTFOUND"


@pytest.fixture
def frontend(tmp_path, router):
    """`devenv init` and the frontend template alone, its page marked ``hot-0``; brought up through the router."""
    root, name = init_project(tmp_path, suffix=8)
    must("-C", root, "add", "service", "web", "--template", "frontend", "--host-port", free_port())
    app = root / "services" / "web" / "src" / "App.tsx"
    app.write_text(app.read_text().replace("<h1>Items</h1>", "<h1>Items hot-0</h1>"))
    try:
        out = must("-C", root, "--output", "plain", "up", "--timeout", "300")
        assert f"https://web.{name}.localhost:{router.https}" in out
        yield root, name
    finally:
        remove_routed(router, name)


def test_chromium_trusting_the_ca_opens_the_frontend_by_name_and_gets_hmr_through_the_router(
    frontend, router, tmp_path, monkeypatch
):
    root, name = frontend
    url = f"https://web.{name}.localhost:{router.https}/"
    trusted_home = tmp_path / "trusted-home"
    trusted_home.mkdir()
    (tmp_path / "store").mkdir()
    with monkeypatch.context() as scoped:  # HOME only for `devenv trust`: the docker CLI finds its plugins in HOME
        scoped.setenv("HOME", str(trusted_home))
        scoped.setenv("DEVENV_TRUST_STORE", str(tmp_path / "store"))
        scoped.setenv("DEVENV_TRUST_UPDATE", "")
        assert "browsers: trusted in" in must("--output", "plain", "trust")

    app = root / "services" / "web" / "src" / "App.tsx"
    with Browser(args=[RESOLVE], env={**os.environ, "HOME": str(trusted_home)}) as browser:
        watch = HmrWatch(browser, url)
        first = watch.wait_marker("0", 180)  # the first load makes Vite optimise dependencies
        if first is None:
            logs = must("-C", root, "--output", "plain", "logs", "web", "--tail", "40")
            pytest.fail(f"no hot-0 in 180 s: {watch.describe()}\nweb: {logs}")
        # a loaded machine can keep Chromium busy for a while after the first load (Vite's dependency pass)
        assert watch.page.evaluate("location.href", timeout=120) == url
        assert watch.page.evaluate("window.isSecureContext", timeout=120) is True
        page = watch.settled_page(first[1])
        for version in (1, 2):
            app.write_text(re.sub(r"hot-\d+", f"hot-{version}", app.read_text()))
            seen = watch.wait_marker(str(version), 30)
            assert seen is not None, f"hot-{version} never showed up: {watch.text()[:500]}"
            assert seen[1] == page, "the page was fully reloaded: HMR's WebSocket did not pass the router"
        assert watch.page.evaluate("window.__devenvPage") == page

    untrusted_home = tmp_path / "untrusted-home"
    untrusted_home.mkdir()
    with Browser(args=[RESOLVE], env={**os.environ, "HOME": str(untrusted_home)}) as browser:
        watch = HmrWatch(browser, url)
        assert watch.wait_marker("2", 10) is None  # without the CA: no page
        deadline, text = time.monotonic() + 30, ""
        while time.monotonic() < deadline and not ("not private" in text or "ERR_CERT" in text):
            text = watch.text()  # Chromium's certificate error page
            time.sleep(0.5)
        assert "Items" not in text and ("not private" in text or "ERR_CERT" in text), text[:500]
