"""A throwaway loopback CA and server certificate: the PagerDuty client only speaks https."""

from __future__ import annotations

import atexit
import datetime as dt
import ipaddress
import shutil
import ssl
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

_LOCK = threading.Lock()
_CACHE: list[LoopbackTLS] = []


@dataclass(frozen=True, slots=True)
class LoopbackTLS:
    """PEM material for 127.0.0.1/localhost, signed by a CA made for this process only."""

    ca_pem: str
    cert_file: Path
    key_file: Path
    ca_file: Path

    def server_context(self) -> ssl.SSLContext:
        """TLS context for the fake's listening side."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        """Verifying client context that trusts only the loopback CA."""
        return ssl.create_default_context(cadata=self.ca_pem)


def loopback_tls() -> LoopbackTLS:
    """The process-wide loopback TLS material, generated on first use (~10 ms)."""
    with _LOCK:
        if not _CACHE:
            _CACHE.append(_generate())
        return _CACHE[0]


def _generate() -> LoopbackTLS:
    # Imported lazily: only the fakes need it, and it is a heavy import.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    valid_from, valid_to = now - dt.timedelta(hours=1), now + dt.timedelta(days=30)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cockpit loopback test CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    folder = Path(tempfile.mkdtemp(prefix="cockpit-tls-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    ca_pem = ca_cert.public_bytes(pem).decode()
    (folder / "ca.pem").write_text(ca_pem)
    (folder / "cert.pem").write_bytes(cert.public_bytes(pem))
    key_bytes = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_file = folder / "key.pem"
    key_file.touch(mode=0o600)
    key_file.write_bytes(key_bytes)
    return LoopbackTLS(ca_pem, folder / "cert.pem", key_file, folder / "ca.pem")
