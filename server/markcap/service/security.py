"""Exposure: who can reach markcap, checked before anything is bound.

- TCP addresses are loopback by default. Plaintext on any other address is
  refused unless `--insecure`; with `--tls-cert`/`--tls-key` every TCP listener
  (gRPC and metrics) speaks TLS, and `--tls-client-ca` makes it mutual TLS.
- A unix socket is created with mode 0600: only the server's own user can
  connect. It is always plaintext; its file permissions are the access control.
"""
from __future__ import annotations

import contextlib
import ipaddress
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import grpc

from .listen import UNIX_PREFIX, ListenError

UNIX_SOCKET_MODE = 0o600


class ExposureError(Exception):
    """A listen address or TLS setting that would expose the server as not asked."""


@dataclass(frozen=True)
class TlsFiles:
    """PEM files: the server's certificate chain and key, and the CA that signs
    client certificates (None: clients are not asked for one)."""

    cert: Path
    key: Path
    client_ca: Path | None = None


@dataclass(frozen=True)
class Exposure:
    tls: TlsFiles | None = None
    insecure: bool = False


def tls_files(cert: Path | None, key: Path | None, client_ca: Path | None) -> TlsFiles | None:
    """The TLS settings from the three flags, or None for plaintext; checks they go together."""
    if cert is None and key is None:
        if client_ca is not None:
            raise ExposureError("--tls-client-ca needs --tls-cert and --tls-key")
        return None
    if cert is None or key is None:
        raise ExposureError("--tls-cert and --tls-key go together: give both")
    for flag, path in (("--tls-cert", cert), ("--tls-key", key), ("--tls-client-ca", client_ca)):
        if path is not None and not path.is_file():
            raise ExposureError(f"{flag} {path}: no such file")
    return TlsFiles(cert, key, client_ca)


def host_of(address: str) -> str:
    """"127.0.0.1" of "127.0.0.1:50051", "::1" of "[::1]:50051"."""
    host = address.rpartition(":")[0]
    return host[1:-1] if host.startswith("[") else host


def is_loopback_host(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and "localhost". Any other name counts as not
    loopback: what it resolves to is not ours to trust."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(address: str, exposure: Exposure, what: str = "gRPC") -> None:
    """Refuses plaintext TCP on a non-loopback address unless --insecure."""
    if address.startswith(UNIX_PREFIX) or exposure.tls is not None or exposure.insecure:
        return
    if not is_loopback_host(host_of(address)):
        raise ExposureError(
            f"refusing to serve {what} in plaintext on non-loopback address {address}: "
            "give --tls-cert and --tls-key (TLS), or --insecure to accept plaintext")


def _read(path: Path | None) -> bytes | None:
    return None if path is None else path.read_bytes()


def server_credentials(tls: TlsFiles) -> grpc.ServerCredentials:
    """TLS credentials; with a client CA, clients must present a certificate it signed."""
    return grpc.ssl_server_credentials(
        [(tls.key.read_bytes(), tls.cert.read_bytes())],
        root_certificates=_read(tls.client_ca),
        require_client_auth=tls.client_ca is not None)


@contextlib.contextmanager
def _umask(mask: int):
    """The process umask for the duration (the socket is created with it, so it is never
    reachable by others, not even between bind and a chmod)."""
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def _bind_unix(server: grpc.Server, address: str) -> None:
    path = Path(address.removeprefix(UNIX_PREFIX))
    with _umask(0o777 & ~UNIX_SOCKET_MODE):
        server.add_insecure_port(address)
    path.chmod(UNIX_SOCKET_MODE)  # in case the socket already existed
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode != UNIX_SOCKET_MODE:
        raise ListenError(f"unix socket {path} has mode {mode:o}, expected "
                          f"{UNIX_SOCKET_MODE:o}")


def bind(server: grpc.Server, address: str, exposure: Exposure) -> str:
    """Binds one checked address; returns it as clients should dial it (port filled in)."""
    check_address(address, exposure)
    try:
        if address.startswith(UNIX_PREFIX):
            _bind_unix(server, address)
            return address
        if exposure.tls is not None:
            port = server.add_secure_port(address, server_credentials(exposure.tls))
        else:
            port = server.add_insecure_port(address)
    except RuntimeError:
        raise ListenError(f"cannot listen on {address}: bind failed (address in use, not a "
                          "local address, or socket directory missing)") from None
    return f"{address.rpartition(':')[0]}:{port}"


def add_arguments(parser) -> None:
    group = parser.add_argument_group(
        "exposure (TCP is loopback-only unless TLS or --insecure; unix sockets are 0600)")
    group.add_argument("--tls-cert", type=Path, metavar="PEM",
                       help="server certificate chain: every TCP listener speaks TLS")
    group.add_argument("--tls-key", type=Path, metavar="PEM", help="the certificate's key")
    group.add_argument("--tls-client-ca", type=Path, metavar="PEM",
                       help="CA that signs client certificates: mutual TLS (clients must "
                            "present one)")
    group.add_argument("--insecure", action="store_true",
                       help="allow plaintext on non-loopback addresses (gRPC and metrics)")


def from_args(args) -> Exposure:
    return Exposure(tls_files(args.tls_cert, args.tls_key, args.tls_client_ca), args.insecure)
