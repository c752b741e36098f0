"""Mark phases: each sample is an ApplyMark over gRPC and a no-op RPC, in
alternating order, then the same ApplyMark on the in-process engine. Server and
engine so go through the same states, and the no-op is timed in the same
conditions as the ApplyMark: a call right after the engine's work is slower
(caches, wake-ups) than one in a tight loop, and each kind of call gets that
position half of the time."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from .local import LocalExchange
from .marks import MarkPlan, MarkRequest
from .remote import RemoteExchange

MIN_SAMPLES = 10     # a phase over its time budget still records this many
WARMUP_SHARE = 0.1   # warm-up ends early past this share of the budget (slow calls need none)


@dataclass
class PhaseResult:
    name: str
    warmup: int = 0                                        # requests applied before recording
    end_to_end: list[float] = field(default_factory=list)  # seconds per ApplyMark over gRPC
    engine: list[float] = field(default_factory=list)      # seconds per Engine.apply_mark
    noop: list[float] = field(default_factory=list)        # seconds per no-op RPC beside them
    capped: int = 0
    liquidations: int = 0
    adl_fills: int = 0
    mismatches: list[str] = field(default_factory=list)    # server and engine disagreed
    stopped_by_budget: bool = False


@dataclass(frozen=True)
class _Sample:
    noop_seconds: float
    remote_seconds: float
    local_seconds: float
    response: object


def run_phase(name: str, next_request: Callable[[], MarkRequest], plan: MarkPlan,
              remote: RemoteExchange, local: LocalExchange, samples: int, warmup: int,
              budget_seconds: float) -> PhaseResult:
    """Up to `warmup` requests applied but not recorded, then up to `samples` recorded
    ones; past `budget_seconds` the phase stops once it has MIN_SAMPLES."""
    result = PhaseResult(name)
    start = time.monotonic()
    while result.warmup < warmup and time.monotonic() - start < WARMUP_SHARE * budget_seconds:
        _sample(result, result.warmup, next_request(), plan, remote, local)
        result.warmup += 1
    while len(result.engine) < samples:
        sample = _sample(result, result.warmup + len(result.engine), next_request(), plan, remote, local)
        result.noop.append(sample.noop_seconds)
        result.end_to_end.append(sample.remote_seconds)
        result.engine.append(sample.local_seconds)
        result.capped += sample.response.capped
        result.liquidations += len(sample.response.liquidations)
        result.adl_fills += len(sample.response.adl_fills)
        if len(result.engine) >= MIN_SAMPLES and time.monotonic() - start > budget_seconds:
            result.stopped_by_budget = len(result.engine) < samples
            break
    return result


def _sample(result: PhaseResult, number: int, request: MarkRequest, plan: MarkPlan,
            remote: RemoteExchange, local: LocalExchange) -> _Sample:
    """The no-op before the ApplyMark on even numbers, after it on odd ones; then the engine."""
    if number % 2 == 0:
        noop_seconds, _ = remote.list_currencies()
    remote_seconds, response = remote.apply_mark(request.instrument_id, request.price, request.dry_run)
    if number % 2 == 1:
        noop_seconds, _ = remote.list_currencies()
    local_seconds, outcome = local.apply_mark(request.instrument_id, request.price, request.dry_run)
    _compare(result, request, response, outcome)
    if not request.dry_run:
        plan.observe(request.instrument_id, response.applied_price)
    return _Sample(noop_seconds, remote_seconds, local_seconds, response)


def _compare(result: PhaseResult, request: MarkRequest, response, outcome) -> None:
    """The server and the in-process engine saw the same inputs: their answers must agree."""
    remote = (response.applied_price, response.capped, len(response.liquidations), len(response.adl_fills))
    local = (outcome.applied_price, outcome.capped, len(outcome.liquidations), len(outcome.adl_fills))
    if remote != local:
        result.mismatches.append(f"{request}: server {remote}, engine {local}")
