"""Channel credentials from PEM files: server verification, and a client
certificate for mutual TLS."""
from __future__ import annotations

from pathlib import Path

import grpc


def _read(path: str | Path | None, what: str) -> bytes | None:
    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ValueError(f"{what} {path}: {error.strerror}") from None


def channel_credentials(tls: bool = False, ca: str | Path | None = None,
                        cert: str | Path | None = None,
                        key: str | Path | None = None) -> grpc.ChannelCredentials | None:
    """TLS credentials when `tls` or any file is given, else None (plaintext).

    `ca`: PEM roots that must have signed the server's certificate (None: the
    system's roots). `cert` and `key`: this client's certificate, for mutual TLS.
    """
    if not tls and ca is None and cert is None and key is None:
        return None
    if (cert is None) != (key is None):
        raise ValueError("a client certificate needs both tls_cert and tls_key")
    return grpc.ssl_channel_credentials(root_certificates=_read(ca, "TLS CA"),
                                        private_key=_read(key, "TLS key"),
                                        certificate_chain=_read(cert, "TLS certificate"))
