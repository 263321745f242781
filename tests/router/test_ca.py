"""The local CA and the router's certificates: files, modes, and real TLS handshakes against them."""

from __future__ import annotations

import socket
import ssl
import stat
import threading

import pytest
from cryptography import x509

from devenv.router import ca


def handshake(cert: str, key: str, cafile: str | None, name: str) -> str:
    """Serve TLS with cert/key on loopback and connect as ``name`` trusting ``cafile`` only; the peer's CN."""
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        try:
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client_ctx = ssl.create_default_context(cafile=cafile) if cafile else ssl.create_default_context()
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
            client_ctx.wrap_socket(raw, server_hostname=name) as tls,
        ):
            subject = dict(item[0] for item in tls.getpeercert()["subject"])
            tls.send(b"x")
            return str(subject["commonName"])
    finally:
        thread.join(5)
        listener.close()


def test_the_ca_is_made_once_with_a_key_only_the_user_reads(tmp_path):
    first = ca.load_or_create(tmp_path / "ca")
    again = ca.load_or_create(tmp_path / "ca")
    assert first.cert == again.cert
    assert stat.S_IMODE((tmp_path / "ca" / "ca-key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "ca").stat().st_mode) == 0o700
    assert first.common_name.startswith("devenv local CA (")
    constraints = first.cert.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical and constraints.value.permitted_subtrees == [x509.DNSName("localhost")]


def test_a_project_certificate_verifies_against_the_ca_and_only_against_it(tmp_path):
    authority = ca.load_or_create(tmp_path / "ca")
    names = ca.leaf_names("shop", ["web", "api"])
    assert names == ["*.shop.localhost", "api.shop.localhost", "web.shop.localhost"]
    cert, key = tmp_path / "shop.pem", tmp_path / "shop-key.pem"
    ca.issue_leaf(authority, names, cert, key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    cafile = str(authority.cert_path)
    assert handshake(str(cert), str(key), cafile, "api.shop.localhost") == "*.shop.localhost"
    assert handshake(str(cert), str(key), cafile, "docs.shop.localhost") == "*.shop.localhost"  # the wildcard
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(str(cert), str(key), cafile, "api.other.localhost")  # another project's name
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(str(cert), str(key), None, "api.shop.localhost")  # the system's CAs do not vouch for it
    other = ca.load_or_create(tmp_path / "other-ca")
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(str(cert), str(key), str(other.cert_path), "api.shop.localhost")  # nor does another user's CA


def test_the_name_constraints_keep_the_ca_to_localhost(tmp_path):
    authority = ca.load_or_create(tmp_path / "ca")
    cert, key = tmp_path / "bank.pem", tmp_path / "bank-key.pem"
    ca.issue_leaf(authority, ["bank.example.com"], cert, key)
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(str(cert), str(key), str(authority.cert_path), "bank.example.com")


def test_a_certificate_is_reissued_when_its_names_or_its_ca_change(tmp_path):
    authority = ca.load_or_create(tmp_path / "ca")
    cert, key = tmp_path / "shop.pem", tmp_path / "shop-key.pem"
    names = ca.leaf_names("shop", ["web"])
    assert not ca.leaf_is_current(cert, authority, names)
    ca.issue_leaf(authority, names, cert, key)
    assert ca.leaf_is_current(cert, authority, names)
    assert not ca.leaf_is_current(cert, authority, ca.leaf_names("shop", ["web", "api"]))
    assert not ca.leaf_is_current(cert, ca.load_or_create(tmp_path / "new-ca"), names)
