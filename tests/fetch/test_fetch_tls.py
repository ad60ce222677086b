"""HTTPS through the pinned connection: the socket goes to the vetted IP, the certificate is checked
against the name in the URL (SNI and hostname verification are not fooled by the pinning)."""

from __future__ import annotations

import datetime
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pipeline.net.client import Fetcher
from pipeline.net.guard import AddressPolicy
from pipeline.settings import Settings

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402


def _certs(folder: Path, name: str) -> Path:
    """A throwaway CA and a server certificate for ``name``; returns the CA file."""
    now = datetime.datetime.now(datetime.UTC)
    valid = {"not_valid_before": now - datetime.timedelta(days=1), "not_valid_after": now + datetime.timedelta(days=1)}
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "factcheck test CA")])
    ca = (
        x509.CertificateBuilder(subject_name=ca_name, issuer_name=ca_name, public_key=ca_key.public_key(),
                                serial_number=1, **valid)  # fmt: skip
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )  # fmt: skip
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder(subject_name=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]),
                                issuer_name=ca_name, public_key=key.public_key(), serial_number=2, **valid)  # fmt: skip
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return folder / "ca.pem"


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        body = b"<html><body>over TLS</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    folder = tmp_path_factory.mktemp("tls")
    ca = _certs(folder, "news.test")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield int(httpd.server_address[1]), ca
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(("name", "ok"), [("news.test", True), ("other.test", False)])
def test_https_is_pinned_and_still_verifies_the_name(
    tls_server: tuple[int, Path], tmp_path: Path, name: str, ok: bool
) -> None:
    port, ca = tls_server
    policy = AddressPolicy(allow=frozenset({f"127.0.0.1:{port}"}), resolver=lambda host, p: ["127.0.0.1"])
    settings = Settings(data_dir=tmp_path, per_host_delay=0.0, max_retries=2, respect_robots=False)
    with Fetcher(settings, policy=policy, sleep=lambda _: None) as f:
        f.session.verify = str(ca)
        result, body = f.fetch(f"https://{name}:{port}/story", outlet="O", kind="article")
    assert result.ok is ok
    if ok:
        assert body == b"<html><body>over TLS</body></html>"
    else:
        assert "TLS error" in (result.reason or "") and "other.test" in (result.reason or "")
        assert result.attempts == 1, "a certificate failure is not retried"
