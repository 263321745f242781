"""Headless Chromium driven over the DevTools protocol, standard library only.

Used by the hot-reload tests and benchmarks/hot_reload.py to watch a page served by
Vite pick up a changed component through HMR: the page itself records (with
``Date.now()``, the host's clock) when a marker text appears, and whether it ever
fully reloaded (a full reload clears ``window.__devenvPage``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-extensions",
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--no-first-run",
    "--mute-audio",
]

# Records every change of the marker (text matching /hot-(\d+)/ in the page) with the time
# it showed up, through a MutationObserver installed in each document.
OBSERVER = r"""
(() => {
  if (window.__devenvPage) return;
  window.__devenvPage = Math.random().toString(36).slice(2);
  window.__hot = [];
  const seen = () => {
    const m = (document.body ? document.body.innerText : '').match(/hot-(\d+)/);
    const last = window.__hot.length ? window.__hot[window.__hot.length - 1][0] : null;
    if (m && m[1] !== last) {
      window.__hot.push([m[1], Date.now()]);
      if (window.devenvHot) window.devenvHot(JSON.stringify([m[1], Date.now(), window.__devenvPage]));
    }
  };
  const start = () => {
    new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, characterData: true});
    seen();
  };
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""


class WebSocket:
    """A minimal RFC 6455 client: text frames, masking, ping/pong, fragments."""

    def __init__(self, url: str, timeout: float = 30):
        parts = urllib.parse.urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("websocket handshake: connection closed")
            head += chunk
        head, self.buffer = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(f"websocket handshake failed: {head[:200]!r}")
        # The timeout is for connecting and the handshake only: a page can stay silent for minutes
        # (a dev server's first load), and a recv timing out would end the reader thread for good.
        self.sock.settimeout(None)
        self.lock = threading.Lock()

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(max(65536, n - len(self.buffer)))
            if not chunk:
                raise ConnectionError("websocket closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        with self.lock:
            self.sock.sendall(header + mask + masked)

    def send(self, text: str) -> None:
        self._send_frame(0x1, text.encode())

    def recv(self) -> str:
        message = b""
        while True:
            first, second = self._read(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read(8))[0]
            mask = self._read(4) if second & 0x80 else None
            payload = self._read(length)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x9:  # ping
                self._send_frame(0xA, payload)
                continue
            if opcode == 0x8:
                raise ConnectionError("websocket closed by the browser")
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if first & 0x80:
                    return message.decode()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class Page:
    """One Chromium tab, driven over CDP; events are collected by a reader thread."""

    def __init__(self, ws_url: str):
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.replies: dict[int, dict] = {}
        self.events: queue.Queue[dict] = queue.Queue()
        self.cond = threading.Condition()
        self.closed = False
        # Chromium aborts the requests in flight with ERR_NETWORK_CHANGED when an interface comes
        # or goes (the engine adds a veth for every container it starts): counted here (from the
        # Log domain) so a load it broke can be told from one that failed.
        self.network_changes = 0
        threading.Thread(target=self._reader, daemon=True).start()
        self.call("Log.enable")

    def _reader(self) -> None:
        try:
            while True:
                message = json.loads(self.ws.recv())
                if "id" in message:
                    with self.cond:
                        self.replies[message["id"]] = message
                        self.cond.notify_all()
                else:
                    if "ERR_NETWORK_CHANGED" in json.dumps(message.get("params", {}).get("entry", {})):
                        self.network_changes += 1
                    self.events.put(message)
        except (OSError, ValueError, ConnectionError):
            with self.cond:
                self.closed = True
                self.cond.notify_all()

    def call(self, method: str, params: dict | None = None, timeout: float = 30) -> dict:
        with self.cond:
            self.next_id += 1
            ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        with self.cond:
            while ident not in self.replies:
                remaining = deadline - time.monotonic()
                if self.closed:
                    raise ConnectionError(f"CDP {method}: the browser closed the connection")
                if remaining <= 0:
                    raise TimeoutError(f"CDP {method}: no answer in {timeout:.0f} s")
                self.cond.wait(remaining)
            reply = self.replies.pop(ident)
        if "error" in reply:
            raise RuntimeError(f"CDP {method}: {reply['error']}")
        return reply.get("result", {})

    def load_until(self, url: str, ready: str, timeout: float):
        """Open ``url`` and wait until the expression ``ready`` is truthy; its value.

        A load Chromium broke off with ERR_NETWORK_CHANGED is loaded again (as a user would press
        reload); any other failure simply times out (TimeoutError, with the page's text).
        """
        self.call("Page.navigate", {"url": url})
        deadline = time.monotonic() + timeout
        changes = self.network_changes
        while True:
            value = self.evaluate(ready)
            if value:
                return value
            if time.monotonic() > deadline:
                text = self.evaluate("document.body ? document.body.innerText : ''") or ""
                raise TimeoutError(f"{url}: {ready} not true within {timeout:.0f} s; the page says {text[:300]!r}")
            if self.network_changes != changes:
                changes = self.network_changes
                self.call("Page.reload", {"ignoreCache": True})
            time.sleep(0.5)

    def evaluate(self, expression: str, timeout: float = 30):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, timeout)
        return result.get("result", {}).get("value")


class Browser:
    """Headless Chromium with remote debugging on a free port; ``with Browser() as b: b.open(url)``."""

    def __init__(self, args: list[str] | None = None, env: dict[str, str] | None = None):
        """``args``: further Chromium flags; ``env``: its environment (HOME holds the NSS database it trusts)."""
        if CHROMIUM is None:
            raise RuntimeError("headless Chromium is needed: apt-get install -y chromium")
        self.profile = tempfile.mkdtemp(prefix="devenv-chromium-")
        # Chromium's stderr goes to a file, not to a pipe nobody drains (once a pipe's 64 KiB
        # buffer is full, Chromium would block writing to it); failure messages quote its tail.
        self.log_path = os.path.join(self.profile, "chromium.log")
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_ARGS, *(args or []), f"--user-data-dir={self.profile}", "--remote-debugging-port=0",
             "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            env=env,
        )  # fmt: skip
        self.port = self._debug_port()

    def _debug_port(self) -> int:
        deadline = time.monotonic() + 60
        path = os.path.join(self.profile, "DevToolsActivePort")
        while time.monotonic() < deadline:
            if os.path.exists(path):
                with open(path) as file:
                    lines = file.read().split()
                if lines:
                    return int(lines[0])
            if self.proc.poll() is not None:
                raise RuntimeError(f"chromium exited: {self.log_tail()}")
            time.sleep(0.1)
        raise RuntimeError("chromium did not open its debugging port")

    def log_tail(self, size: int = 2000) -> str:
        """The last ``size`` characters Chromium wrote to stderr (for failure messages)."""
        self.log.flush()
        with open(self.log_path, errors="replace") as file:
            return file.read()[-size:]

    def page(self) -> Page:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=10) as response:
            targets = json.loads(response.read())
        target = next(t for t in targets if t.get("type") == "page")
        return Page(target["webSocketDebuggerUrl"])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class HmrWatch:
    """A page open on a dev server, reporting when the marker ``hot-N`` appears in it."""

    def __init__(self, browser: Browser, url: str):
        self.browser = browser
        self.page = browser.page()
        self.page.call("Runtime.enable")
        self.page.call("Page.enable")
        self.page.call("Runtime.addBinding", {"name": "devenvHot"})
        self.page.call("Page.addScriptToEvaluateOnNewDocument", {"source": OBSERVER})
        self.seen: queue.Queue[tuple[str, float, str]] = queue.Queue()
        self.loads = 0
        self.reloads = 0  # after ERR_NETWORK_CHANGED, see wait_marker
        self.markers: list[str] = []
        self.errors: list[str] = []
        threading.Thread(target=self._events, daemon=True).start()
        self.page.call("Page.navigate", {"url": url})
        self.page_id: str | None = None

    def _events(self) -> None:
        while not self.page.closed:
            try:
                event = self.page.events.get(timeout=0.5)
            except queue.Empty:
                continue
            method = event.get("method")
            params = event.get("params", {})
            if method == "Runtime.bindingCalled" and params.get("name") == "devenvHot":
                marker, at, page_id = json.loads(params["payload"])
                self.seen.put((marker, at / 1000, page_id))
            elif method == "Page.loadEventFired":
                self.loads += 1
            elif method == "Runtime.exceptionThrown":
                self.errors.append(json.dumps(params.get("exceptionDetails", {}))[:500])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                self.errors.append(f"{entry.get('text', '')} {entry.get('url', '')}"[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning"):
                args = params.get("args", [])
                self.errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in args)[:500])

    def wait_marker(self, marker: str, timeout: float) -> tuple[float, str] | None:
        """(time it appeared in the page, page id) once the page shows ``hot-<marker>``; None on timeout.

        Before any marker has shown, a load that Chromium broke off with ERR_NETWORK_CHANGED is
        loaded again (as a user would press reload); once one has, the page is never reloaded.
        """
        deadline = time.monotonic() + timeout
        changes = self.page.network_changes
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                seen, at, page_id = self.seen.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                if self.page.network_changes != changes and not self.markers:
                    changes = self.page.network_changes
                    self.reloads += 1
                    self.page.call("Page.reload", {"ignoreCache": True})
                continue
            self.markers.append(seen)
            if seen == marker:
                return at, page_id

    def describe(self) -> str:
        """What the page went through and what it holds now, and Chromium's last words: for failure messages."""
        try:
            state = self.page.evaluate(
                "JSON.stringify([location.href, document.readyState, document.body.innerHTML.slice(0, 800)])",
                timeout=20,
            )
        except (TimeoutError, ConnectionError) as error:
            state = str(error)
        return (
            f"loads {self.loads}, reloads {self.reloads}, markers {self.markers}, errors {self.errors[:5]}; "
            f"page {state}; chromium: {self.browser.log_tail(800)}"
        )

    def settled_page(self, page: str, hold: float = 3.0, timeout: float = 30) -> str:
        """The page id once it has held for ``hold`` s, starting from ``page`` (the first marker's).

        Vite may reload the page once more for a dependency it discovered late: a full reload
        then is part of the first load, not a failed hot update.
        """
        held_since, deadline = time.monotonic(), time.monotonic() + timeout
        while time.monotonic() - held_since < hold:
            if time.monotonic() > deadline:
                raise AssertionError(f"the page kept reloading for {timeout}s: {self.describe()}")
            now = self.page.evaluate("window.__devenvPage")
            if now and now != page:
                page, held_since = now, time.monotonic()
            time.sleep(0.25)
        return page

    def text(self) -> str:
        return self.page.evaluate("document.body ? document.body.innerText : ''") or ""
