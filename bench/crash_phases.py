"""The crash phases of `make bench` (issue 11): a 20% move in one ApplyMark with sweep = true.

Four crashes: -20% and +20% on the most popular instrument and on one other instrument drawn
from the seed. Two kinds of figures:

- on a fresh exchange, engine only: for each crash a newly loaded in-process Engine runs the
  sweep as a dry run (the crash preview), then for real on the same state. Up to
  STEPS_BASELINE_ACCOUNTS accounts, the -20% popular crash is then redone on another fresh
  Engine by repeated single ApplyMark calls with the same price, as a client would without the
  sweep, and the two times are given as a ratio.
- end to end: the same four crashes as dry runs through the server, each beside the same dry
  run on the in-process engine in the same state (both as the normal-move phases left them),
  so what gRPC and the response add shows; server and engine must agree.

Times are wall seconds of the one call; "us per liquidation" divides by the liquidations.
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from markcap.v1 import risk_engine_pb2 as pb

from .local import LocalExchange
from .remote import CALL_SECONDS, RemoteExchange
from .workload import BATCH_SIZE, Workload, config_toml, on_decimal_grid

CRASH_MOVE = 0.2
STEPS_BASELINE_ACCOUNTS = 200_000  # beyond this the step-by-step baseline takes minutes


@dataclass(frozen=True)
class Crash:
    """A requested move of one instrument's mark, from wherever the mark is."""

    name: str           # e.g. "-20% popular"
    instrument_id: int
    move: float         # -0.2: a 20% fall


@dataclass(frozen=True)
class SweepFigures:
    steps: int
    liquidations: int
    adl_fills: int
    seconds: float
    stop_reason: str
    from_price: float
    to_price: float     # the mark after the sweep

    @property
    def us_per_liquidation(self) -> float | None:
        return self.seconds / self.liquidations * 1e6 if self.liquidations else None

    def as_json(self) -> dict:
        return {**asdict(self), "us_per_liquidation": self.us_per_liquidation}


def crashes(workload: Workload, seed: int) -> list[Crash]:
    """The four crashes: the most popular instrument and one other drawn from the seed."""
    popular = workload.most_popular_instrument_id
    others = [int(i) for i in workload.instruments.instrument_id.tolist() if int(i) != popular]
    other = int(np.random.default_rng([seed, 0x63726173]).choice(others))  # "cras"
    return [Crash(f"{sign}{CRASH_MOVE:.0%} {which}", instrument_id, direction * CRASH_MOVE)
            for which, instrument_id in (("popular", popular), ("random", other))
            for sign, direction in (("-", -1.0), ("+", 1.0))]


def requested_price(local: LocalExchange, workload: Workload, crash: Crash) -> float:
    """The mark moved by `crash.move` from the engine's current mark, on the instrument's grid."""
    k = crash.instrument_id - 1
    mark = local.engine.state.instruments.by_id[crash.instrument_id].mark_price
    return float(on_decimal_grid(mark * (1.0 + crash.move), int(workload.instruments.tick_exponent[k])))


def sweep_engine(local: LocalExchange, instrument_id: int, price: float, dry_run: bool) -> SweepFigures:
    engine = local.engine
    start = time.perf_counter()
    outcome = engine.apply_mark(0 if dry_run else engine.applied_seq + 1, instrument_id, price,
                                dry_run=dry_run, sweep=True)
    seconds = time.perf_counter() - start
    return SweepFigures(len(outcome.steps), len(outcome.liquidations), len(outcome.adl_fills), seconds,
                        outcome.sweep_stop_reason.name, outcome.previous_price, outcome.applied_price)


def sweep_remote(remote: RemoteExchange, instrument_id: int, price: float, dry_run: bool) -> SweepFigures:
    request = pb.ApplyMarkRequest(instrument_id=instrument_id, price=price, dry_run=dry_run, sweep=True)
    start = time.perf_counter()
    response = remote.stub.ApplyMark(request, timeout=CALL_SECONDS)
    seconds = time.perf_counter() - start
    return SweepFigures(len(response.steps), len(response.liquidations), len(response.adl_fills), seconds,
                        pb.SweepStopReason.Name(response.sweep_stop_reason).removeprefix("SWEEP_STOP_REASON_"),
                        response.previous_price, response.applied_price)


def single_steps(local: LocalExchange, instrument_id: int, price: float) -> dict:
    """The crash without the sweep: the same request repeated until the mark gets there or a
    step changes nothing."""
    engine, calls, liquidations, adl_fills = local.engine, 0, 0, 0
    start = time.perf_counter()
    while True:
        before = engine.state.instruments.by_id[instrument_id].mark_price
        outcome = engine.apply_mark(engine.applied_seq + 1, instrument_id, price)
        calls += 1
        liquidations += len(outcome.liquidations)
        adl_fills += len(outcome.adl_fills)
        if outcome.applied_price == price or (outcome.applied_price == before and not outcome.liquidations
                                              and not outcome.adl_fills):
            break
    return {"calls": calls, "liquidations": liquidations, "adl_fills": adl_fills,
            "seconds": time.perf_counter() - start}


def fresh_exchange(workload: Workload) -> LocalExchange:
    with tempfile.TemporaryDirectory(prefix="markcap-crash-") as workdir:
        config = Path(workdir) / "exchange.toml"
        config.write_text(config_toml(workload.instruments))
        exchange = LocalExchange(config)
    exchange.ingest(workload, BATCH_SIZE)
    return exchange


def fresh_crashes(workload: Workload, seed: int, progress: Callable[[str], None]) -> dict:
    """Each crash on a freshly loaded engine: the dry run, then the real sweep; and the
    step-by-step baseline of the first crash on small enough exchanges."""
    results = {}
    for crash in crashes(workload, seed):
        progress(f"crash {crash.name} (instrument {crash.instrument_id}) on a fresh exchange")
        local = fresh_exchange(workload)
        price = requested_price(local, workload, crash)
        dry = sweep_engine(local, crash.instrument_id, price, dry_run=True)
        real = sweep_engine(local, crash.instrument_id, price, dry_run=False)
        results[crash.name] = {"instrument_id": crash.instrument_id, "requested_price": price,
                               "dry_run": dry.as_json(), "real": real.as_json()}
        del local
    first = crashes(workload, seed)[0]
    if workload.account_count <= STEPS_BASELINE_ACCOUNTS:
        progress(f"crash {first.name} by repeated single steps on a fresh exchange")
        local = fresh_exchange(workload)
        baseline = single_steps(local, first.instrument_id, requested_price(local, workload, first))
        baseline["sweep_seconds"] = results[first.name]["real"]["seconds"]
        baseline["ratio"] = baseline["seconds"] / baseline["sweep_seconds"]
        results[first.name]["single_steps"] = baseline
    return results


def preview_crashes(workload: Workload, seed: int, remote: RemoteExchange, local: LocalExchange,
                    problems: list[str]) -> dict:
    """Each crash as a dry run through the server and on the engine in the same state."""
    results = {}
    for crash in crashes(workload, seed):
        price = requested_price(local, workload, crash)
        end_to_end = sweep_remote(remote, crash.instrument_id, price, dry_run=True)
        engine = sweep_engine(local, crash.instrument_id, price, dry_run=True)
        results[crash.name] = {"instrument_id": crash.instrument_id, "requested_price": price,
                               "end_to_end": end_to_end.as_json(), "engine": engine.as_json()}
        seen = [(f.steps, f.liquidations, f.adl_fills, f.to_price) for f in (end_to_end, engine)]
        if seen[0] != seen[1]:
            problems.append(f"crash preview {crash.name}: server (steps, liquidations, ADL fills, mark) "
                            f"{seen[0]}, engine {seen[1]}")
    return results
