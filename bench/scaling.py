"""Does an ApplyMark's cost grow with the exchange? The same dry-run normal
moves, engine-only and back to back, on exchange-N and on exchange-N/10 (same
seed, so the same instruments and marks), both freshly loaded.

Cost independent of N gives a growth of ~1x, O(log N) ~1.2x, O(sqrt N) ~3.2x,
O(N) ~10x. Dry runs leave both engines as loaded, so every sample sees the
same state.
"""
from __future__ import annotations

import time
from pathlib import Path

from .local import LocalExchange
from .marks import MarkPlan
from .phases import MIN_SAMPLES, WARMUP_SHARE
from .stats import Summary
from .workload import BATCH_SIZE, MIN_ACCOUNTS, Workload, generate


def dry_run_normal_moves(local: LocalExchange, workload: Workload, seed: int, samples: int,
                         warmup: int, budget_seconds: float) -> Summary:
    """Engine-only seconds of ±0.5% dry runs on the most popular instrument, back to
    back; warm-up and budget as in the mark phases."""
    plan = MarkPlan(workload, seed)
    start = time.monotonic()
    for _ in range(warmup):
        if time.monotonic() - start > WARMUP_SHARE * budget_seconds:
            break
        request = plan.normal_popular()
        local.apply_mark(request.instrument_id, request.price, dry_run=True)
    seconds: list[float] = []
    while len(seconds) < samples:
        request = plan.normal_popular()
        elapsed, _ = local.apply_mark(request.instrument_id, request.price, dry_run=True)
        seconds.append(elapsed)
        if len(seconds) >= MIN_SAMPLES and time.monotonic() - start > budget_seconds:
            break
    return Summary.of(seconds)


def probe(workload: Workload, local: LocalExchange, config_path: Path, samples: int,
          warmup: int, budget_seconds: float) -> dict:
    """p50 at N and at N/10 and their ratio ("growth"); `local` must hold `workload` as loaded."""
    small_workload = generate(str(max(MIN_ACCOUNTS, workload.account_count // 10)), workload.seed)
    if small_workload.config_toml != workload.config_toml:
        raise RuntimeError("exchange-N/10 does not have exchange-N's instruments")
    small_exchange = LocalExchange(config_path)
    small_exchange.ingest(small_workload, BATCH_SIZE)
    large = dry_run_normal_moves(local, workload, workload.seed, samples, warmup, budget_seconds)
    small = dry_run_normal_moves(small_exchange, small_workload, workload.seed, samples, warmup,
                                 budget_seconds)
    return {"accounts": workload.account_count, "small_accounts": small_workload.account_count,
            "p50_us": large.p50_us, "small_p50_us": small.p50_us, "samples": large.count,
            "small_samples": small.count, "growth": large.p50_us / small.p50_us}
