"""doctor's pure checks; the full run against the real engine is in tests/integration."""

from pathlib import Path

from devenv.doctor import ca_check, mirror_check


def test_ca_check(tmp_path: Path):
    assert ca_check(None, "x").status == "ok"
    good = tmp_path / "ca.pem"
    good.write_text("-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n" * 2)
    assert ca_check(str(good), "ca_certificates").detail.endswith("(2 certificates, from ca_certificates)")
    bad = tmp_path / "bad.pem"
    bad.write_text("hello")
    assert ca_check(str(bad), "ca_certificates").status == "fail"
    assert ca_check(str(tmp_path / "missing.pem"), "ca_certificates").status == "fail"


def test_mirror_check_resolves_hosts():
    def resolve(host, port):
        if host == "registry.corp.example":
            return [()]
        raise OSError("no")

    mirror = {"docker.io": "registry.corp.example/hub", "ghcr.io": "nope.example/x", "quay.io": "local"}
    checks = list(mirror_check(mirror, resolve))
    assert [(c.name, c.status) for c in checks] == [
        ("mirror docker.io", "ok"),
        ("mirror ghcr.io", "fail"),
        ("mirror quay.io", "ok"),
    ]
