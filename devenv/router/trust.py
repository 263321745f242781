"""`devenv trust`: the user's CA into (or out of) the system trust store and the browsers' NSS databases.

The system store is Debian's: the certificate goes to ``/usr/local/share/ca-certificates``
and ``update-ca-certificates`` rebuilds the bundle (through ``sudo`` when not root).
Chromium reads ``~/.pki/nssdb``, Firefox each profile's ``cert9.db``; ``certutil``
(Debian ``libnss3-tools``) adds the CA there. ``DEVENV_TRUST_STORE`` and
``DEVENV_TRUST_UPDATE`` (the command; empty for none) move the system part elsewhere,
which is how the tests leave the machine's store alone; the NSS part follows ``HOME``.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

from devenv.errors import DevenvError
from devenv.events import CACertificate, Check, Event, Step, Warning
from devenv.router import ca as ca_mod
from devenv.router.settings import RouterSettings

DEFAULT_STORE = "/usr/local/share/ca-certificates"
DEFAULT_UPDATE = "update-ca-certificates"
CERTUTIL_HINT = "install certutil (Debian/Ubuntu: `sudo apt-get install libnss3-tools`) and run `devenv trust` again"


class TrustError(DevenvError):
    """A trust store could not be changed."""


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def nickname() -> str:
    """The CA's name in NSS databases and its file name in the system store: ``devenv-<user>``."""
    return f"devenv-{_user()}"


def _store() -> Path:
    return Path(os.environ.get("DEVENV_TRUST_STORE", "").strip() or DEFAULT_STORE)


def _update_command() -> list[str]:
    raw = os.environ.get("DEVENV_TRUST_UPDATE")
    if raw is None:
        return [DEFAULT_UPDATE]
    return raw.split()


def _home() -> Path:
    return Path(os.environ.get("HOME") or Path.home())


def nss_databases(home: Path | None = None, create: bool = False) -> list[Path]:
    """Chromium's ``~/.pki/nssdb`` (made when ``create``) and every Firefox profile with a ``cert9.db``."""
    home = home or _home()
    out = []
    shared = home / ".pki" / "nssdb"
    if (shared / "cert9.db").is_file() or create:
        out.append(shared)
    for base in (home / ".mozilla" / "firefox", home / "snap" / "firefox" / "common" / ".mozilla" / "firefox"):
        out.extend(sorted(p.parent for p in base.glob("*/cert9.db")))
    return out


def _run(argv: list[str], sudo: bool = False) -> subprocess.CompletedProcess[str]:
    if sudo and os.geteuid() != 0 and shutil.which("sudo"):
        argv = ["sudo", *argv]
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TrustError(f"cannot run {argv[0]}: {exc}") from None


def _check(proc: subprocess.CompletedProcess[str], what: str) -> None:
    if proc.returncode != 0:
        last = (proc.stderr or proc.stdout).strip().splitlines()
        raise TrustError(f"{what} failed: {last[-1] if last else f'exit {proc.returncode}'}")


def print_ca(settings: RouterSettings | None = None) -> Iterator[Event]:
    """The CA certificate (created on first use), PEM."""
    settings = settings or RouterSettings.from_environ()
    yield CACertificate(text=ca_mod.load_or_create(settings.ca_dir).pem)


def install(settings: RouterSettings | None = None) -> Iterator[Event]:
    """Trust the CA system-wide and in every NSS database of the user."""
    settings = settings or RouterSettings.from_environ()
    authority = ca_mod.load_or_create(settings.ca_dir)
    target = _store() / f"{nickname()}.crt"
    if target.is_file() and target.read_text() == authority.pem:
        yield Step(f"system: {target} already in place")
    else:
        if os.access(target.parent, os.W_OK):
            target.write_text(authority.pem)
        else:
            _check(
                _run(["install", "-m", "0644", str(authority.cert_path), str(target)], sudo=True),
                f"copying to {target}",
            )
        yield Step(f"system: wrote {target}")
        yield from _update()
    yield from _nss(authority.cert_path, add=True)


def uninstall(settings: RouterSettings | None = None) -> Iterator[Event]:
    """Remove the CA from the system store and the NSS databases (the CA itself stays)."""
    del settings
    target = _store() / f"{nickname()}.crt"
    if target.exists():
        if os.access(target.parent, os.W_OK):
            target.unlink()
        else:
            _check(_run(["rm", "-f", str(target)], sudo=True), f"removing {target}")
        yield Step(f"system: removed {target}")
        yield from _update(fresh=True)
    else:
        yield Step(f"system: {target} was not there")
    yield from _nss(None, add=False)


def _update(fresh: bool = False) -> Iterator[Event]:
    command = _update_command()
    if not command:
        return
    if shutil.which(command[0]) is None:
        yield Warning(f"{command[0]} not found: rebuild your system's CA bundle yourself")
        return
    _check(_run([*command, *(["--fresh"] if fresh and command[0] == DEFAULT_UPDATE else [])], sudo=True), command[0])
    yield Step(f"system: ran {command[0]}")


def _nss(cert: Path | None, add: bool) -> Iterator[Event]:
    certutil = shutil.which("certutil")
    if certutil is None:
        yield Warning(f"certutil not found: browsers (Chromium, Firefox) are left as they are; {CERTUTIL_HINT}")
        return
    name = nickname()
    for db in nss_databases(create=add):
        where = f"sql:{db}"
        if add:
            if not (db / "cert9.db").is_file():
                db.mkdir(parents=True, exist_ok=True, mode=0o700)
                _check(_run([certutil, "-N", "-d", where, "--empty-password"]), f"creating {db}")
            _run([certutil, "-D", "-d", where, "-n", name])  # an older CA of the same name
            _check(_run([certutil, "-A", "-d", where, "-n", name, "-t", "C,,", "-i", str(cert)]), f"adding to {db}")
            yield Step(f"browsers: trusted in {db}")
        elif _run([certutil, "-L", "-d", where, "-n", name]).returncode == 0:
            _check(_run([certutil, "-D", "-d", where, "-n", name]), f"removing from {db}")
            yield Step(f"browsers: removed from {db}")


# --- doctor ---------------------------------------------------------------------------------------


def checks(settings: RouterSettings | None = None) -> Iterator[Check]:
    """Is the CA trusted (system, browsers), do ``*.localhost`` names resolve here?"""
    settings = settings or RouterSettings.from_environ()
    if not settings.enabled:
        yield Check("router", "skip", "turned off (DEVENV_ROUTER=0)")
        return
    cert = settings.ca_dir / ca_mod.CA_CERT
    if not cert.is_file():
        yield Check("router CA", "warn", "not created yet", "`devenv up` creates it; then run `devenv trust`")
    else:
        pem = cert.read_text()
        target = _store() / f"{nickname()}.crt"
        trusted = target.is_file() and target.read_text() == pem
        fix = "run `devenv trust` (it uses sudo for the system store)"
        yield Check(
            "router CA (system)",
            "ok" if trusted else "warn",
            str(target) if trusted else "not trusted",
            None if trusted else fix,
        )
        yield from _nss_check(fix)
    yield resolve_check()


def _nss_check(fix: str) -> Iterator[Check]:
    certutil = shutil.which("certutil")
    dbs = nss_databases()
    if certutil is None:
        yield Check("router CA (browsers)", "warn", "certutil not found", CERTUTIL_HINT)
        return
    if not dbs:
        yield Check("router CA (browsers)", "skip", "no NSS database (~/.pki/nssdb, Firefox profiles)", fix)
        return
    missing = [str(db) for db in dbs if _run([certutil, "-L", "-d", f"sql:{db}", "-n", nickname()]).returncode != 0]
    if missing:
        yield Check("router CA (browsers)", "warn", "not trusted in " + ", ".join(missing), fix)
    else:
        yield Check("router CA (browsers)", "ok", f"trusted in {len(dbs)} NSS database(s)")


def resolve_check(name: str = "devenv-doctor.localhost") -> Check:
    """``*.localhost`` resolves to loopback for programs using the C library (curl, Python, Node.js)."""
    try:
        found = {str(info[4][0]) for info in socket.getaddrinfo(name, 443, proto=socket.IPPROTO_TCP)}
    except OSError:
        found = set()
    if found and all(a.startswith("127.") or a == "::1" for a in found):
        return Check("*.localhost names", "ok", f"{name} resolves to {', '.join(sorted(found))}")
    return Check(
        "*.localhost names",
        "warn",
        f"{name} does not resolve to loopback here (browsers resolve *.localhost themselves)",
        "install nss-myhostname (Debian: `sudo apt-get install libnss-myhostname`) and put `myhostname` on the "
        "hosts: line of /etc/nsswitch.conf; or add names to /etc/hosts; curl: --resolve NAME:443:127.0.0.1",
    )
