"""Prometheus metrics, served over HTTP by `--metrics-listen HOST:PORT` (off by default).

Two thin wrappers feed them; the engine itself knows nothing of metrics:
- `MeteredEngine` wraps the Engine inside the single writer's lock, so it sees
  exactly the inputs newly applied (not duplicates, dry runs or rejected ones);
- `RpcMetricsInterceptor` wraps every RiskEngineService handler: calls by
  method and status code, and ApplyMark's server-side latency.

Persistence gauges are set by the store through `set_persistence_lag` and
`set_journal_size`; they read 0 until it does. `markcap_data_dir_free_bytes` reads
the free-space probe given to `watch_free_space` at each scrape (NaN without one).
"""
from __future__ import annotations

import argparse
import time
from typing import Callable

import grpc
from prometheus_client import (CollectorRegistry, Counter, Gauge, Histogram,
                               PlatformCollector, ProcessCollector, start_http_server)

from markcap.engine import (CurrencyOutcome, DeltasOutcome, FundView, InstrumentOutcome,
                            MarkOutcome)

from . import mark_log
from .interceptors import SERVICE_PREFIX, behavior_of, is_markcap_call, rewrap
from .listen import UNIX_PREFIX, listen_address
from .security import TlsFiles, host_of

APPLY_MARK = SERVICE_PREFIX + "ApplyMark"
# ApplyMark latency buckets, in seconds: 50 us to 5 s.
LATENCY_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                   0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _PersistenceReadings:
    """Last values the store reported; read at scrape time."""

    lag_inputs = 0
    journal_bytes = 0
    free_bytes: Callable[[], int] | None = None


_PERSISTENCE = _PersistenceReadings()


def set_persistence_lag(inputs: int) -> None:
    """Inputs applied but not yet durable (applied seq - last durable seq)."""
    _PERSISTENCE.lag_inputs = inputs


def set_journal_size(size_bytes: int) -> None:
    """Bytes the journal's segment files take on disk (preallocated space included)."""
    _PERSISTENCE.journal_bytes = size_bytes


def watch_free_space(free_bytes: Callable[[], int] | None) -> None:
    """The probe of the data dir's free bytes, read at each scrape (None: no data dir)."""
    _PERSISTENCE.free_bytes = free_bytes


def _free_bytes() -> float:
    probe = _PERSISTENCE.free_bytes
    try:
        return float("nan") if probe is None else probe()
    except OSError:  # the data dir is gone (e.g. a test's): no reading
        return float("nan")


class Metrics:
    """Every markcap metric, in a registry of its own (so servers in one process do not clash)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)   # process_resident_memory_bytes, cpu, fds
        PlatformCollector(registry=self.registry)  # python_info
        self._define_rpc_metrics()
        self._define_input_metrics()
        self._define_state_gauges()

    def _define_rpc_metrics(self) -> None:
        registry = self.registry
        self.apply_mark_seconds = Histogram(
            "markcap_apply_mark_duration_seconds",
            "ApplyMark time in the server, from request parsed to response built "
            "(includes waiting for the single writer), seconds", ["dry_run"],
            buckets=LATENCY_BUCKETS, registry=registry)
        self.rpcs = Counter("markcap_rpcs", "RiskEngineService calls finished, by method and "
                            "status code", ["method", "code"], registry=registry)

    def _define_input_metrics(self) -> None:
        registry = self.registry
        self.inputs = Counter("markcap_inputs_applied", "Sequenced inputs applied (not "
                              "duplicates or dry runs), by kind", ["kind"], registry=registry)
        self.fills = Counter("markcap_fills_applied", "Fills applied from StreamDeltas batches",
                             registry=registry)
        self.transfers = Counter("markcap_transfers_applied",
                                 "Transfers applied from StreamDeltas batches", registry=registry)
        self.caps = Counter("markcap_marks_capped", "Applied marks stopped at the first "
                            "bankruptcy price, by instrument", ["instrument_id"],
                            registry=registry)
        self.liquidations = Counter("markcap_liquidations", "Accounts taken over by the "
                                    "insurance fund, by instrument and reason",
                                    ["instrument_id", "reason"], registry=registry)
        self.adl_fills = Counter("markcap_adl_fills", "Auto-deleveraging fills, by instrument",
                                 ["instrument_id"], registry=registry)
        self.adl_contracts = Counter("markcap_adl_contracts", "Contracts auto-deleveraged "
                                     "(sum of |qty| of ADL fills), by instrument",
                                     ["instrument_id"], registry=registry)

    def _define_state_gauges(self) -> None:
        registry = self.registry
        self.applied_seq = Gauge("markcap_applied_seq", "Last applied seq", registry=registry)
        self.fund_equity = Gauge("markcap_insurance_fund_equity", "Insurance fund equity, "
                                 "valuation currency", registry=registry)
        self.fund_deficit = Gauge("markcap_insurance_fund_deficit", "max(0, floor - fund "
                                  "equity), valuation currency", registry=registry)
        Gauge("markcap_persistence_lag_inputs", "Inputs applied but not yet durable",
              registry=registry).set_function(lambda: _PERSISTENCE.lag_inputs)
        Gauge("markcap_journal_size_bytes", "Bytes the journal's segment files take on disk, "
              "preallocated space included", registry=registry).set_function(
            lambda: _PERSISTENCE.journal_bytes)
        Gauge("markcap_data_dir_free_bytes", "Free bytes on the data dir's file system (inputs "
              "are refused below --min-free-mib)", registry=registry).set_function(_free_bytes)

    def watch_streams(self, delta_streams_open: Callable[[], int],
                      watch_streams_open: Callable[[], int]) -> None:
        """Open StreamDeltas and WatchEvents calls, each against its own limit, at each scrape."""
        Gauge("markcap_delta_streams_open", "StreamDeltas calls open (limit: "
              "--max-delta-streams)", registry=self.registry).set_function(delta_streams_open)
        Gauge("markcap_watch_streams_open", "WatchEvents calls open (limit: "
              "--max-watch-streams)", registry=self.registry).set_function(watch_streams_open)

    def watch_fund(self, read_fund: Callable[[], FundView]) -> None:
        """Reads the fund at each scrape, e.g. through the single writer (one account: cheap)."""
        self.fund_equity.set_function(lambda: read_fund().account.equity)
        self.fund_deficit.set_function(lambda: read_fund().deficit)

    # ---- what MeteredEngine reports -------------------------------------------

    def record_deltas(self, outcome: DeltasOutcome) -> None:
        self.inputs.labels("deltas").inc()
        self.fills.inc(outcome.fill_count)
        self.transfers.inc(outcome.transfer_count)

    def record_mark(self, outcome: MarkOutcome) -> None:
        self.inputs.labels("mark").inc()
        instrument = str(outcome.instrument_id)
        if outcome.capped:
            self.caps.labels(instrument).inc()
        for liquidation in outcome.liquidations:
            self.liquidations.labels(instrument, liquidation.reason.name.lower()).inc()
        if outcome.adl_fills:
            self.adl_fills.labels(instrument).inc(len(outcome.adl_fills))
            self.adl_contracts.labels(instrument).inc(sum(abs(f.qty) for f in outcome.adl_fills))


class MeteredEngine:
    """An Engine that reports each newly applied input to Metrics and the mark log.

    It sits inside SerializedEngine (under its lock), so "newly applied" is exact:
    the applied seq moved. Every other attribute is the engine's own.
    """

    def __init__(self, engine, metrics: Metrics):
        self._engine = engine
        self._metrics = metrics
        metrics.applied_seq.set(engine.applied_seq)  # e.g. restored from the data dir

    def __getattr__(self, name: str):
        return getattr(self._engine, name)

    def _applied(self, apply: Callable[[], object], record: Callable[[object], None]):
        before = self._engine.applied_seq
        outcome = apply()
        if self._engine.applied_seq != before:
            record(outcome)
            self._metrics.applied_seq.set(self._engine.applied_seq)
        return outcome

    def apply_deltas(self, seq, fills, transfers) -> DeltasOutcome:
        return self._applied(lambda: self._engine.apply_deltas(seq, fills, transfers),
                             self._metrics.record_deltas)

    def apply_mark(self, seq, instrument_id, price, cap_policy=None,
                   dry_run=False, sweep=False, max_steps=0) -> MarkOutcome:
        return self._applied(
            lambda: self._engine.apply_mark(seq, instrument_id, price, cap_policy, dry_run, sweep,
                                            max_steps),
            self._record_mark)

    def apply_marks(self, seq, requests, dry_run=False):
        def record(outcome):
            for each in outcome.outcomes:
                self._record_mark(each)
        return self._applied(lambda: self._engine.apply_marks(seq, requests, dry_run), record)

    def upsert_currency(self, seq, update) -> CurrencyOutcome:
        return self._applied(lambda: self._engine.upsert_currency(seq, update),
                             lambda outcome: self._metrics.inputs.labels("currency").inc())

    def upsert_instrument(self, seq, update) -> InstrumentOutcome:
        return self._applied(lambda: self._engine.upsert_instrument(seq, update),
                             lambda outcome: self._metrics.inputs.labels("instrument").inc())

    def _record_mark(self, outcome: MarkOutcome) -> None:
        self._metrics.record_mark(outcome)
        mark_log.log_if_eventful(outcome)


def _status_name(context: grpc.ServicerContext) -> str:
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return code.name
    return "OK" if code is None else str(code)


class RpcMetricsInterceptor(grpc.ServerInterceptor):
    """Counts RiskEngineService calls by status code and times ApplyMark."""

    def __init__(self, metrics: Metrics):
        self._metrics = metrics

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if not is_markcap_call(handler, handler_call_details):
            return handler
        method = handler_call_details.method
        name = method.removeprefix(SERVICE_PREFIX)
        if handler.response_streaming:
            return rewrap(handler, self._counted_stream(name, behavior_of(handler)))
        return rewrap(handler, self._counted_unary(name, behavior_of(handler),
                                                   timed=method == APPLY_MARK))

    def _counted_unary(self, name: str, behavior, timed: bool):
        def counted(request, context):
            start = time.perf_counter()
            try:
                return behavior(request, context)
            finally:
                if timed:
                    dry_run = "true" if getattr(request, "dry_run", False) else "false"
                    self._metrics.apply_mark_seconds.labels(dry_run).observe(
                        time.perf_counter() - start)
                self._metrics.rpcs.labels(name, _status_name(context)).inc()
        return counted

    def _counted_stream(self, name: str, behavior):
        def counted(request_or_iterator, context):
            try:
                yield from behavior(request_or_iterator, context)
            finally:
                self._metrics.rpcs.labels(name, _status_name(context)).inc()
        return counted


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
