"""A throwaway loopback CA and server certificate: the PagerDuty client only speaks https.

They are made by a child Python (`write_material`): `cryptography` is 17 MB of a process
once imported, and the demo needs it for 10 ms at start.
"""

from __future__ import annotations

import atexit
import datetime as dt
import ipaddress
import shutil
import ssl
import subprocess
import sys
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
    """The process-wide loopback TLS material, made on first use (a child process, ~0.1 s)."""
    with _LOCK:
        if not _CACHE:
            _CACHE.append(_generate())
        return _CACHE[0]


def _generate() -> LoopbackTLS:
    folder = Path(tempfile.mkdtemp(prefix="cockpit-tls-"))  # 0700, ours only
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    root = str(Path(__file__).resolve().parents[2])  # where `cockpit` is imported from
    code = (
        "import sys, pathlib; sys.path.insert(0, sys.argv[1]); "
        "from cockpit.sim.pd_tls import write_material; write_material(pathlib.Path(sys.argv[2]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, root, str(folder)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(
            "could not make the loopback TLS certificate of the PagerDuty fake "
            f"({sys.executable} exited with {done.returncode}): {done.stderr.strip()[-400:]}"
        )
    ca_file = folder / "ca.pem"
    return LoopbackTLS(ca_file.read_text(), folder / "cert.pem", folder / "key.pem", ca_file)


def write_material(folder: Path) -> None:
    """Write ca.pem, cert.pem and key.pem (0600) for 127.0.0.1 and localhost into `folder`."""
    # Imported here: only this child process loads it.
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
    (folder / "ca.pem").write_bytes(ca_cert.public_bytes(pem))
    (folder / "cert.pem").write_bytes(cert.public_bytes(pem))
    key_bytes = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_file = folder / "key.pem"
    key_file.touch(mode=0o600)
    key_file.write_bytes(key_bytes)
