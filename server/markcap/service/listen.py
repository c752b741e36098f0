"""Listen addresses: `HOST:PORT` (port 0 picks a free one, IPv6 as [::1]:PORT) or `unix:PATH`."""
from __future__ import annotations

import argparse

import grpc

UNIX_PREFIX = "unix:"


class ListenError(Exception):
    """An address could not be bound."""


def _split_host_port(address: str) -> tuple[str, int]:
    host, colon, port = address.rpartition(":")
    if not colon or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{address!r} is not HOST:PORT (port 0-65535) or unix:PATH")
    if ":" in host and not (host.startswith("[") and host.endswith("]")):
        raise ValueError(f"{address!r}: an IPv6 host needs brackets, e.g. [::1]:50051")
    return host, int(port)


def listen_address(text: str) -> str:
    """argparse type for --listen: checks the form, returns it unchanged."""
    try:
        if text.startswith(UNIX_PREFIX):
            if not text.removeprefix(UNIX_PREFIX):
                raise ValueError(f"{text!r}: unix: needs a socket path")
        else:
            _split_host_port(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def bind(server: grpc.Server, address: str) -> str:
    """Binds one address; returns it as clients should dial it (the chosen port filled in)."""
    try:
        port = server.add_insecure_port(address)
    except RuntimeError:
        raise ListenError(f"cannot listen on {address}: bind failed (address in use, not a "
                          "local address, or socket directory missing)") from None
    if address.startswith(UNIX_PREFIX):
        return address
    host, _ = _split_host_port(address)
    return f"{host}:{port}"
