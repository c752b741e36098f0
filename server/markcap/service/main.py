"""markcap-server: wires config -> engine -> single writer -> gRPC services, and serves.

Exit codes: 0 after a graceful stop (SIGTERM/SIGINT), 2 for a bad command line,
config or listen address.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from concurrent import futures
from importlib import metadata
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from markcap.engine import Engine, EngineError
from markcap.v1 import risk_engine_pb2 as pb, risk_engine_pb2_grpc as pb_grpc

from . import server_reflection, to_proto
from .config import ConfigError, load_config, load_default
from .events import EventLog
from .listen import ListenError, bind, listen_address
from .servicer import RiskEngineServicer
from .writer import SerializedEngine

LOG = logging.getLogger("markcap.service")
DEFAULT_LISTEN = "127.0.0.1:50051"
SERVICE_NAME = pb.DESCRIPTOR.services_by_name["RiskEngineService"].full_name
HEALTH_SERVICE_NAME = health_pb2.DESCRIPTOR.services_by_name["Health"].full_name
SHUTDOWN_GRACE_SECONDS = 5.0
# Long-lived streams (StreamDeltas, WatchEvents) each hold a worker thread.
WORKER_THREADS = 64
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
SERVER_OPTIONS = (
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    # A second server on the same port would split traffic between two engines.
    ("grpc.so_reuseport", 0),
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="markcap-server",
        description="markcap risk-engine sidecar: serves markcap.v1.RiskEngineService over gRPC.")
    parser.add_argument("--config", type=Path,
                        help="exchange config (TOML); default: the embedded default exchange")
    parser.add_argument("--listen", action="append", type=listen_address, metavar="ADDR",
                        help=f"HOST:PORT or unix:PATH; repeatable; default {DEFAULT_LISTEN}")
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="persistence directory (accepted; persistence not implemented yet)")
    return parser.parse_args(argv)


def _version() -> str:
    try:
        return metadata.version("markcap")
    except metadata.PackageNotFoundError:
        return "unknown"


def _persistence(data_dir: Path | None) -> str:
    if data_dir is None:
        return "in-memory (no --data-dir)"
    LOG.warning("--data-dir %s accepted, but persistence is not implemented yet: "
                "state lives in memory only", data_dir)
    return f"in-memory (--data-dir {data_dir} given; persistence not implemented yet)"


def _fail(message: str) -> int:
    print(f"markcap-server: {message}", file=sys.stderr, flush=True)
    return 2


def build_server(servicer: RiskEngineServicer, health_servicer: health.HealthServicer):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=WORKER_THREADS),
                         options=SERVER_OPTIONS)
    pb_grpc.add_RiskEngineServiceServicer_to_server(servicer, server)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    server_reflection.enable(server, (SERVICE_NAME, HEALTH_SERVICE_NAME))
    return server


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def request_stop(signum, frame):
        LOG.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stop


def serve(server: grpc.Server, health_servicer: health.HealthServicer, events: EventLog,
          addresses: list[str], stop: threading.Event) -> None:
    """Serves until `stop` is set, then: health NOT_SERVING, end event streams, drain."""
    for service in ("", SERVICE_NAME):
        health_servicer.set(service, health_pb2.HealthCheckResponse.SERVING)
    server.start()
    for address in addresses:
        print(f"listening on {address}", flush=True)
    LOG.info("serving %s on %s", SERVICE_NAME, ", ".join(addresses))
    while not stop.wait(timeout=1.0):  # timed, so the signal handler always gets to run
        pass
    health_servicer.enter_graceful_shutdown()
    events.close()
    server.stop(grace=SHUTDOWN_GRACE_SECONDS).wait()
    LOG.info("stopped")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = _stop_on_signals()
    try:
        config = load_config(args.config) if args.config else load_default()
        engine = Engine(config)
    except ConfigError as error:
        return _fail(f"bad config {error}")
    except EngineError as error:
        return _fail(f"bad config {args.config or '<embedded default>'}: {error}")
    events = EventLog(config.retained_outcomes)
    writer = SerializedEngine(engine,
                              on_applied=lambda outcome: events.append(to_proto.event(outcome)))
    servicer = RiskEngineServicer(writer, events, _version(), _persistence(args.data_dir))
    health_servicer = health.HealthServicer()
    server = build_server(servicer, health_servicer)
    try:
        addresses = [bind(server, address) for address in args.listen or [DEFAULT_LISTEN]]
    except ListenError as error:
        return _fail(str(error))
    serve(server, health_servicer, events, addresses, stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
