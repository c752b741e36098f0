"""markcap-server: wires config -> state (restored from the data dir: snapshot + journal)
-> single writer -> journaled inputs -> gRPC services, and serves.

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
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from markcap.engine import EngineError
from markcap.v1 import risk_engine_pb2 as pb, risk_engine_pb2_grpc as pb_grpc

from . import (json_logs, limits, malformed, metrics, metrics_endpoint, persistence, security,
               server_reflection)
from .config import ConfigError, load_config, load_default
from .event_feed import EventFeed
from .events import EventLog
from .inputs import DurableInputs
from .listen import ListenError, listen_address
from .metered_engine import MeteredEngine
from .rpc_metrics import RpcMetricsInterceptor
from .servicer import RiskEngineServicer
from .writer import SerializedEngine

LOG = logging.getLogger("markcap.service")
DEFAULT_LISTEN = "127.0.0.1:50051"
SERVICE_NAME = pb.DESCRIPTOR.services_by_name["RiskEngineService"].full_name
HEALTH_SERVICE_NAME = health_pb2.DESCRIPTOR.services_by_name["Health"].full_name
SHUTDOWN_GRACE_SECONDS = 5.0
# After the grace gRPC cancels every call that is still open; this is how much longer the
# stop waits for them to end before it goes on without them (the last snapshot, exit).
STOP_MARGIN_SECONDS = 0.5
# Worker threads and message sizes come from limits.Limits (--max-* flags).
SERVER_OPTIONS = (
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
    persistence.add_arguments(parser)
    security.add_arguments(parser)
    metrics_endpoint.add_arguments(parser)
    limits.add_arguments(parser)
    return parser.parse_args(argv)


def _version() -> str:
    try:
        return metadata.version("markcap")
    except metadata.PackageNotFoundError:
        return "unknown"


def _fail(message: str) -> int:
    print(f"markcap-server: {message}", file=sys.stderr, flush=True)
    return 2


def build_server(servicer: RiskEngineServicer, health_servicer: health.HealthServicer,
                 server_limits: limits.Limits = limits.Limits(), interceptors=()):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=server_limits.worker_threads()),
                         options=SERVER_OPTIONS + server_limits.grpc_options(),
                         interceptors=interceptors)
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


def serve(server: grpc.Server, health_servicer: health.HealthServicer, events: EventFeed,
          addresses: list[str], stop: threading.Event) -> None:
    """Serves until `stop` is set, then: health NOT_SERVING, end event streams, drain (at
    most the grace period and STOP_MARGIN_SECONDS)."""
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
    drained = server.stop(grace=SHUTDOWN_GRACE_SECONDS).wait(
        timeout=SHUTDOWN_GRACE_SECONDS + STOP_MARGIN_SECONDS)
    if not drained:
        LOG.warning("gRPC had not released every call %.1f s after the stop began (calls "
                    "still open were cancelled at %.1f s); stopping without them",
                    SHUTDOWN_GRACE_SECONDS + STOP_MARGIN_SECONDS, SHUTDOWN_GRACE_SECONDS)


def _checked_exposure(args: argparse.Namespace) -> security.Exposure:
    """TLS files and every address checked before anything is bound (ExposureError if not)."""
    exposure = security.from_args(args)
    for address in args.listen or [DEFAULT_LISTEN]:
        security.check_address(address, exposure)
    if args.metrics_listen:
        security.check_address(args.metrics_listen, exposure, what="metrics")
    return exposure


def _start_metrics(args: argparse.Namespace, registry, exposure: security.Exposure):
    """The metrics endpoint, or None without --metrics-listen (raises ListenError)."""
    if not args.metrics_listen:
        return None
    try:
        endpoint = metrics_endpoint.MetricsServer(registry, args.metrics_listen, exposure.tls)
    except OSError as error:
        raise ListenError(f"cannot serve metrics on {args.metrics_listen}: {error}") from None
    print(f"metrics on {endpoint.url}", flush=True)
    return endpoint


class StartError(Exception):
    """What stops a start before anything is served; main() prints it and exits 2."""


@dataclass
class Wired:
    """A server wired from its arguments, bound and with its persistence started; run()
    serves until `stop` is set, then stops as the process does."""

    server: grpc.Server
    health_servicer: health.HealthServicer
    events: EventFeed
    addresses: list[str]
    inputs: DurableInputs
    durable: persistence.Persistence
    metrics_server: metrics_endpoint.MetricsServer | None

    def run(self, stop: threading.Event) -> None:
        serve(self.server, self.health_servicer, self.events, self.addresses, stop)
        self.inputs.stop()  # a handler still running applies nothing more: the snapshot is the last state
        self.durable.close()  # the last snapshot
        if self.metrics_server is not None:
            self.metrics_server.stop()


def wire(args: argparse.Namespace) -> Wired:
    """Config, state, writer, services and listen addresses from parsed arguments
    (raises StartError)."""
    try:
        exposure = _checked_exposure(args)
    except security.ExposureError as error:
        raise StartError(str(error)) from None
    try:
        config = load_config(args.config) if args.config else load_default()
        durable = persistence.Persistence.open(args, config)
    except ConfigError as error:
        raise StartError(f"bad config {error}") from None
    except EngineError as error:
        raise StartError(f"bad config {args.config or '<embedded default>'}: {error}") from None
    except persistence.PersistenceError as error:
        raise StartError(str(error)) from None
    engine = durable.engine
    server_limits = limits.from_args(args)
    server_metrics = metrics.Metrics(durable.readings)
    event_log = EventLog(config.retained_outcomes, max_backlog=server_limits.max_watch_backlog,
                         complete_after_seq=engine.applied_seq)
    writer = SerializedEngine(MeteredEngine(engine, server_metrics))
    inputs, events = durable.connect(writer, event_log)
    server_metrics.watch_fund(lambda: writer.read(lambda engine: engine.insurance_fund()))
    engine.max_mark_items = server_limits.max_mark_items  # after the replay: it applies what was accepted
    servicer = RiskEngineServicer(writer, events, _version(), durable.describe, inputs,
                                  server_limits.max_sweep_steps)
    health_servicer = health.HealthServicer()
    limits_interceptor = limits.LimitsInterceptor(server_limits)
    server_metrics.watch_streams(lambda: limits_interceptor.delta_streams.open,
                                 lambda: limits_interceptor.watch_streams.open)
    server = build_server(servicer, health_servicer, server_limits,
                          (RpcMetricsInterceptor(server_metrics),
                           malformed.MalformedRequestsInterceptor(), limits_interceptor))
    try:
        addresses = [security.bind(server, address, exposure)
                     for address in args.listen or [DEFAULT_LISTEN]]
        metrics_server = _start_metrics(args, server_metrics.registry, exposure)
    except ListenError as error:
        durable.close(graceful=False)
        raise StartError(str(error)) from None
    durable.start()
    return Wired(server, health_servicer, events, addresses, inputs, durable, metrics_server)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    json_logs.configure()  # the mark log's records too (mark_log.py)
    stop = _stop_on_signals()
    try:
        wired = wire(args)
    except StartError as error:
        return _fail(str(error))
    wired.run(stop)
    LOG.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
