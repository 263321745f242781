"""`devenv trust`, `--uninstall`, `--print-ca` and the doctor's checks, on a temp HOME and a temp system store.

The machine's own trust store (/usr/local/share/ca-certificates) is never touched:
DEVENV_TRUST_STORE moves the system part into a temp directory and DEVENV_TRUST_UPDATE=''
skips update-ca-certificates; the NSS databases follow HOME.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509

from devenv.router import trust
from tests.conftest import run_cli

CERTUTIL = shutil.which("certutil")
SYSTEM_STORE = Path(trust.DEFAULT_STORE)


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("DEVENV_HOME", raising=False)
    monkeypatch.delenv("DEVENV_ROUTER", raising=False)
    monkeypatch.setenv("DEVENV_TRUST_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("DEVENV_TRUST_UPDATE", "")
    (tmp_path / "store").mkdir()
    return home


def system_store() -> list[str]:
    return sorted(p.name for p in SYSTEM_STORE.glob("*")) if SYSTEM_STORE.is_dir() else []


def nss_names(db: Path) -> str:
    assert CERTUTIL is not None
    return subprocess.run([CERTUTIL, "-L", "-d", f"sql:{db}"], capture_output=True, text=True, check=True).stdout


def test_print_ca_writes_the_pem_and_makes_the_ca_once(home):
    code, out, _ = run_cli("trust", "--print-ca")
    assert code == 0
    cert = x509.load_pem_x509_certificate(out.encode())
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert (home / ".local" / "share" / "devenv" / "ca" / "ca-key.pem").stat().st_mode & 0o077 == 0
    assert run_cli("trust", "--print-ca")[1] == out


@pytest.mark.skipif(CERTUTIL is None, reason="needs certutil (apt-get install libnss3-tools)")
def test_trust_installs_into_the_store_and_nss_then_uninstall_removes_it(home, tmp_path):
    before = system_store()
    firefox = home / ".mozilla" / "firefox" / "abc.default-release"
    firefox.mkdir(parents=True)
    subprocess.run([CERTUTIL, "-N", "-d", f"sql:{firefox}", "--empty-password"], check=True)
    code, out, err = run_cli("--output", "plain", "trust")
    assert code == 0, out + err
    stored = tmp_path / "store" / f"{trust.nickname()}.crt"
    assert stored.read_text() == run_cli("trust", "--print-ca")[1]
    for db in (home / ".pki" / "nssdb", firefox):
        assert trust.nickname() in nss_names(db), db
        assert f"trusted in {db}" in out
    checks = {c.name: c for c in trust.checks()}
    assert checks["router CA (system)"].status == "ok"
    assert checks["router CA (browsers)"].status == "ok"
    assert "already in place" in run_cli("--output", "plain", "trust")[1]  # a second time changes nothing

    code, out, _ = run_cli("--output", "plain", "trust", "--uninstall")
    assert code == 0
    assert not stored.exists()
    for db in (home / ".pki" / "nssdb", firefox):
        assert trust.nickname() not in nss_names(db)
    checks = {c.name: c for c in trust.checks()}
    assert checks["router CA (system)"].status == "warn" and "devenv trust" in (checks["router CA (system)"].fix or "")
    assert system_store() == before


def test_doctor_says_how_to_make_localhost_names_resolve():
    check = trust.resolve_check("devenv-doctor.localhost")
    if check.status == "ok":
        assert "127.0.0.1" in check.detail or "::1" in check.detail
    else:
        assert "nss-myhostname" in (check.fix or "") and "/etc/nsswitch.conf" in (check.fix or "")
    assert trust.resolve_check("localhost").status == "ok"
