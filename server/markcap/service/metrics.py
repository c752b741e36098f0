"""Prometheus metrics: every markcap metric, defined in a registry of the server's own.

What feeds them, each in its own module; the engine itself knows nothing of metrics:
- `metered_engine.MeteredEngine` wraps the Engine inside the single writer's lock,
  so it sees exactly the inputs newly applied (not duplicates, dry runs or
  rejected ones), and reports them here;
- `rpc_metrics.RpcMetricsInterceptor` wraps every RiskEngineService handler:
  calls by method and status code, and ApplyMark's server-side latency;
- the persistence gauges read the server's `PersistenceReadings`
  (persistence_readings.py) at each scrape; the fund and the open streams are
  read through the functions `watch_fund` and `watch_streams` are given.

`metrics_endpoint.py` serves the registry over HTTP (`--metrics-listen`).
"""
from __future__ import annotations

from typing import Callable

from prometheus_client import (CollectorRegistry, Counter, Gauge, Histogram,
                               PlatformCollector, ProcessCollector)

from markcap.engine import DeltasOutcome, FundView, MarkOutcome

from .persistence_readings import PersistenceReadings

# ApplyMark latency buckets, in seconds: 50 us to 5 s.
LATENCY_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                   0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """Every markcap metric, in a registry of its own (so servers in one process do not clash)."""

    def __init__(self, persistence: PersistenceReadings | None = None) -> None:
        """`persistence`: what the persistence gauges read (None: readings nothing sets)."""
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)   # process_resident_memory_bytes, cpu, fds
        PlatformCollector(registry=self.registry)  # python_info
        self._define_rpc_metrics()
        self._define_input_metrics()
        self._define_state_gauges(persistence or PersistenceReadings())

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

    def _define_state_gauges(self, persistence: PersistenceReadings) -> None:
        registry = self.registry
        self.applied_seq = Gauge("markcap_applied_seq", "Last applied seq", registry=registry)
        self.fund_equity = Gauge("markcap_insurance_fund_equity", "Insurance fund equity, "
                                 "valuation currency", registry=registry)
        self.fund_deficit = Gauge("markcap_insurance_fund_deficit", "max(0, floor - fund "
                                  "equity), valuation currency", registry=registry)
        Gauge("markcap_persistence_lag_inputs", "Inputs applied but not yet durable",
              registry=registry).set_function(lambda: persistence.lag_inputs)
        Gauge("markcap_journal_size_bytes", "Bytes the journal's segment files take on disk, "
              "preallocated space included", registry=registry).set_function(
            lambda: persistence.journal_bytes)
        Gauge("markcap_data_dir_free_bytes", "Free bytes on the data dir's file system (inputs "
              "are refused below --min-free-mib)", registry=registry).set_function(
            persistence.free_bytes)

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

    def record_input(self, kind: str) -> None:
        """One input applied; `kind`: its input kind's metric label (input_kinds.py)."""
        self.inputs.labels(kind).inc()

    def record_deltas(self, outcome: DeltasOutcome) -> None:
        self.fills.inc(outcome.fill_count)
        self.transfers.inc(outcome.transfer_count)

    def record_mark(self, outcome: MarkOutcome) -> None:
        instrument = str(outcome.instrument_id)
        if outcome.capped:
            self.caps.labels(instrument).inc()
        for liquidation in outcome.liquidations:
            self.liquidations.labels(instrument, liquidation.reason.name.lower()).inc()
        if outcome.adl_fills:
            self.adl_fills.labels(instrument).inc(len(outcome.adl_fills))
            self.adl_contracts.labels(instrument).inc(sum(abs(f.qty) for f in outcome.adl_fills))
