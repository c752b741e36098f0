"""The /metrics endpoint: its option (`--metrics-listen HOST:PORT`, off by default) and the
HTTP(S) server that serves a Metrics registry (metrics.py) on a thread of its own."""
from __future__ import annotations

import argparse

from prometheus_client import CollectorRegistry, start_http_server

from .listen import UNIX_PREFIX, listen_address
from .security import TlsFiles, host_of


def metrics_address(text: str) -> str:
    """argparse type for --metrics-listen: HOST:PORT (port 0 picks a free one)."""
    if text.startswith(UNIX_PREFIX):
        raise argparse.ArgumentTypeError(f"{text!r}: metrics are served on HOST:PORT only")
    return listen_address(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--metrics-listen", type=metrics_address, metavar="HOST:PORT",
                        help="serve Prometheus metrics at http(s)://HOST:PORT/metrics "
                             "(default: off); same TLS and loopback rules as --listen")


class MetricsServer:
    """The /metrics HTTP(S) endpoint, on a thread of its own."""

    def __init__(self, registry: CollectorRegistry, address: str, tls: TlsFiles | None = None):
        host, port = host_of(address), int(address.rpartition(":")[2])
        tls_options = {}
        if tls is not None:
            tls_options = {"certfile": str(tls.cert), "keyfile": str(tls.key),
                           "client_cafile": str(tls.client_ca) if tls.client_ca else None,
                           "client_auth_required": tls.client_ca is not None}
        self._httpd, self._thread = start_http_server(port, host, registry, **tls_options)
        scheme = "https" if tls is not None else "http"
        shown_host = f"[{host}]" if ":" in host else host
        self.url = f"{scheme}://{shown_host}:{self._httpd.server_port}/metrics"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
