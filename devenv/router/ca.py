"""The user's local certificate authority and the router's certificates, made with ``cryptography``.

The CA is created once per user in ``<data home>/ca/`` (``ca.pem``, and ``ca-key.pem``
readable by the user only), never in a project. Its name constraints allow only
``localhost`` and names under it, so even a leaked key cannot vouch for a real site.
devenv issues the router's certificates itself (one per project, for
``*.<project>.localhost`` and each service's name): the CA key never leaves the
host user's file, and the router container gets only the project's leaf key.
"""

from __future__ import annotations

import datetime
import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from devenv.files import write_atomic

CA_DAYS = 3650
LEAF_DAYS = 397  # browsers' limit for public CAs; kept for ours too
RENEW_DAYS = 30
CA_CERT = "ca.pem"
CA_KEY = "ca-key.pem"


@dataclass(frozen=True)
class Authority:
    """The CA: its certificate and key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    cert_path: Path

    @property
    def pem(self) -> str:
        """The CA certificate as PEM text."""
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def common_name(self) -> str:
        """``devenv local CA (user@host)``."""
        return str(self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _write_private(path: Path, data: bytes) -> None:
    """Write a key readable by the user only (created 0600, never wider)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_or_create(ca_dir: Path) -> Authority:
    """The user's CA, created on first use (directory 0700, key 0600)."""
    cert_path, key_path = ca_dir / CA_CERT, ca_dir / CA_KEY
    if cert_path.is_file() and key_path.is_file():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey) and cert.not_valid_after_utc > _now():
            return Authority(cert, key, cert_path)
    ca_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(ca_dir, 0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    try:
        who = f"{getpass.getuser()}@{os.uname().nodename}"
    except (KeyError, OSError):
        who = os.uname().nodename
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "devenv"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"devenv local CA ({who})"),
        ]
    )
    now = _now()
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            _key_usage(authority=True),
            critical=True,
        )
        .add_extension(
            x509.NameConstraints(permitted_subtrees=[x509.DNSName("localhost")], excluded_subtrees=None), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(ca_dir / CA_KEY, _key_pem(key))
    write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM).decode())
    return Authority(cert, key, cert_path)


def _key_usage(authority: bool) -> x509.KeyUsage:
    """Signatures for every certificate; certificate and CRL signing for the authority alone."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=authority,
        crl_sign=authority,
        encipher_only=False,
        decipher_only=False,
    )


def leaf_names(project: str, services: list[str], domain: str = "localhost") -> list[str]:
    """The names one project's certificate covers: the wildcard and each service's name, sorted."""
    return sorted({f"*.{project}.{domain}", *(f"{s}.{project}.{domain}" for s in services)})


def leaf_is_current(cert_path: Path, ca: Authority, names: list[str]) -> bool:
    """The certificate at ``cert_path`` was issued by ``ca`` for exactly ``names`` and is not near its end."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    if cert.issuer != ca.cert.subject or sorted(sans.get_values_for_type(x509.DNSName)) != names:
        return False
    try:
        cert.verify_directly_issued_by(ca.cert)
    except (ValueError, TypeError, Exception):  # noqa: BLE001 - InvalidSignature and friends
        return False
    return cert.not_valid_after_utc - _now() > datetime.timedelta(days=RENEW_DAYS)


def issue_leaf(ca: Authority, names: list[str], cert_path: Path, key_path: Path) -> None:
    """Issue a server certificate for ``names`` (the first one is its subject), chain included."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=LEAF_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            _key_usage(authority=False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    _write_private(key_path, _key_pem(key))
    write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM).decode() + ca.pem)
