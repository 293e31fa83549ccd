"""The share mode's HTTPS certificate: made once per review, kept under its capture folder.

``peer-review capture --host 0.0.0.0`` serves the app over HTTPS so that the token, the login
cookie and the findings do not travel in clear over the venue's Wi-Fi. Without an organisation's
own certificate (``--certfile/--keyfile``) the command makes a self-signed one with the
``cryptography`` package and keeps it in ``data/<review>/capture/.tls/`` (``key.pem`` readable by
its owner only, 0600), so a later run of the same review presents the same certificate and the
devices that accepted it once are not asked again.

The certificate names (subject alternative names) ``localhost``, the machine's host name and every
address the link can use; when the machine's addresses have changed since (another venue), a new
certificate is made with the same key. A browser warns about a self-signed certificate: the
command prints its SHA-256 fingerprint, which the team compares with the one the browser shows on
first use (docs/capture.md).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from toolkit.errors import ToolkitError

TLS_FOLDER = ".tls"
CERT_FILE = "cert.pem"
KEY_FILE = "key.pem"
VALID_DAYS = 825  # the longest validity browsers accept for a server certificate
RENEW_BEFORE_DAYS = 30


@dataclass(frozen=True)
class ServerCertificate:
    """A certificate and its key on disk, and the fingerprint a team checks on first use."""
    certfile: Path
    keyfile: Path
    fingerprint: str  # SHA-256 of the DER certificate, as browsers show it (AB:CD:...)
    made: bool = False  # made (or renewed) by this run


def fingerprint(cert: x509.Certificate) -> str:
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def read_certificate(certfile: Path, keyfile: Path) -> ServerCertificate:
    """An organisation's own certificate (``--certfile/--keyfile``), checked to be readable."""
    try:
        cert = x509.load_pem_x509_certificate(certfile.read_bytes())
        keyfile.read_bytes()
    except OSError as exc:
        raise ToolkitError(f"{exc.filename}: cannot read the certificate or its key ({exc.strerror})") from exc
    except ValueError as exc:
        raise ToolkitError(f"{certfile}: not a PEM certificate ({exc})") from exc
    return ServerCertificate(certfile, keyfile, fingerprint(cert))


def _wanted_names(hostnames: list[str], addresses: list[str]) -> tuple[set[str], set[str]]:
    names = {"localhost", *(h for h in hostnames if h)}
    ips = {"127.0.0.1", "::1", *addresses}
    return names, {str(ipaddress.ip_address(a)) for a in ips}


def _covers(cert: x509.Certificate, names: set[str], ips: set[str]) -> bool:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    have_names = set(san.get_values_for_type(x509.DNSName))
    have_ips = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    left = cert.not_valid_after_utc - dt.datetime.now(dt.UTC)
    return names <= have_names and ips <= have_ips and left > dt.timedelta(days=RENEW_BEFORE_DAYS)


def _load_or_make_key(keyfile: Path) -> ec.EllipticCurvePrivateKey:
    if keyfile.is_file():
        key = serialization.load_pem_private_key(keyfile.read_bytes(), password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            os.chmod(keyfile, 0o600)
            return key
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    tmp = keyfile.with_name(keyfile.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.replace(tmp, keyfile)
    return key


def review_certificate(capture_dir: Path, review_id: str, hostnames: list[str],
                       addresses: list[str]) -> ServerCertificate:
    """The review's self-signed certificate, made on first use and reused while it still names
    ``hostnames`` and ``addresses`` (and ``localhost``) and is valid for more than a month."""
    folder = capture_dir / TLS_FOLDER
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    certfile, keyfile = folder / CERT_FILE, folder / KEY_FILE
    names, ips = _wanted_names(hostnames, addresses)
    if certfile.is_file() and keyfile.is_file():
        try:
            cert = x509.load_pem_x509_certificate(certfile.read_bytes())
        except ValueError:
            cert = None
        if cert is not None and _covers(cert, names, ips):
            os.chmod(keyfile, 0o600)
            return ServerCertificate(certfile, keyfile, fingerprint(cert))
    key = _load_or_make_key(keyfile)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"peer-review capture {review_id}"[:64]),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SEND peer review team")])
    now = dt.datetime.now(dt.UTC)
    alt = [x509.DNSName(n) for n in sorted(names)] + [x509.IPAddress(ipaddress.ip_address(a)) for a in sorted(ips)]
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=VALID_DAYS))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(key, hashes.SHA256()))
    tmp = certfile.with_name(certfile.name + ".tmp")
    tmp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    os.replace(tmp, certfile)
    return ServerCertificate(certfile, keyfile, fingerprint(cert), made=True)
