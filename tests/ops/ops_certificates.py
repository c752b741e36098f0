"""Self-signed certificates made in the test run (cryptography): a server CA and
the server's certificate for 127.0.0.1 and localhost; a client CA and a client
certificate it signs; and a second, untrusted CA with its own client and server
certificates."""
from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_FOR = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Pair:
    cert: Path
    key: Path


@dataclass(frozen=True)
class Certificates:
    server_ca: Path       # signs `server`
    server: Pair          # for 127.0.0.1 and localhost
    client_ca: Path       # signs `client`
    client: Pair
    rogue_ca: Path        # trusted by nobody; signs the two below
    rogue_client: Pair
    rogue_server: Pair


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: str, issuer: x509.Name, public_key) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + VALID_FOR))


def _write(directory: Path, stem: str, cert: x509.Certificate, key=None) -> Path:
    cert_path = directory / f"{stem}.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        (directory / f"{stem}.key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    return cert_path


def _ca(directory: Path, stem: str):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (_builder(stem, _name(stem), key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                         crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return _write(directory, stem, cert), cert, key


def _leaf(directory: Path, stem: str, ca_cert, ca_key, *, server: bool) -> Pair:
    key = ec.generate_private_key(ec.SECP256R1())
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (_builder(stem, ca_cert.subject, key.public_key())
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    return Pair(_write(directory, stem, cert, key), directory / f"{stem}.key")


def make_certificates(directory: Path) -> Certificates:
    server_ca, server_ca_cert, server_ca_key = _ca(directory, "server-ca")
    client_ca, client_ca_cert, client_ca_key = _ca(directory, "client-ca")
    rogue_ca, rogue_ca_cert, rogue_ca_key = _ca(directory, "rogue-ca")
    return Certificates(
        server_ca=server_ca,
        server=_leaf(directory, "server", server_ca_cert, server_ca_key, server=True),
        client_ca=client_ca,
        client=_leaf(directory, "client", client_ca_cert, client_ca_key, server=False),
        rogue_ca=rogue_ca,
        rogue_client=_leaf(directory, "rogue-client", rogue_ca_cert, rogue_ca_key, server=False),
        rogue_server=_leaf(directory, "rogue-server", rogue_ca_cert, rogue_ca_key, server=True))
