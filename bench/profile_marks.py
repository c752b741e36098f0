"""Where engine-only ApplyMark spends its time: cProfile over one mark phase.

    .venv/bin/python -m bench.profile_marks [--size 1M] [--phase random|popular|dry-jump|jump]
        [--samples 300] [--top 25] [--no-profile] [--evict-mib 64] [--candidates]

--evict-mib N reads N MiB between calls (as a gRPC call in between would, it
leaves the caches cold); --candidates reports how many book rows each search
examined and how many tier resets (re-keys of a tier at the current marks) ran.

Loads exchange-N into an in-process Engine (batches of 4096), then profiles the
phase's ApplyMark calls (the same seeded requests as `make bench`) and prints the
slowest calls' durations and the functions with the most cumulative time.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

import numpy as np

from .local import LocalExchange
from .marks import MarkPlan
from .workload import BATCH_SIZE, config_toml, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1M")
    parser.add_argument("--phase", choices=("random", "popular", "dry-jump", "jump"), default="random")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--no-profile", action="store_true", help="time the calls only (no cProfile overhead)")
    parser.add_argument("--evict-mib", type=int, default=0, help="MiB read between calls (cold caches)")
    parser.add_argument("--candidates", action="store_true", help="count candidate rows and tier resets")
    args = parser.parse_args()
    workload = generate(args.size, seed=1)
    config = Path(tempfile.mkdtemp()) / "exchange.toml"
    config.write_text(config_toml(workload.instruments))
    exchange = LocalExchange(config)
    exchange.ingest(workload, BATCH_SIZE)
    plan = MarkPlan(workload, seed=1)
    next_request = {"random": plan.normal_random, "popular": plan.normal_popular,
                    "dry-jump": plan.dry_run_jump, "jump": plan.jump}[args.phase]
    index = exchange.engine.risk.index
    searched, resets = _count_searches(index) if args.candidates else ([], [])
    junk = np.ones(args.evict_mib * 1024 * 1024 // 8)
    profile = cProfile.Profile()
    durations = []
    for _ in range(args.samples):
        request = next_request()
        junk.sum()  # nothing when --evict-mib is 0
        start = time.perf_counter()
        if not args.no_profile:
            profile.enable()
        _, outcome = exchange.apply_mark(request.instrument_id, request.price, request.dry_run)
        if not args.no_profile:
            profile.disable()
        durations.append((time.perf_counter() - start, request.instrument_id))
        if not request.dry_run:
            plan.observe(request.instrument_id, outcome.applied_price)
    seconds = np.array([d for d, _ in durations])
    under = "" if args.no_profile else " under cProfile"
    print(f"{args.phase}: {len(seconds)} calls{under}, p50 {np.median(seconds) * 1e3:.2f} ms, "
          f"p99 {np.quantile(seconds, 0.99) * 1e3:.2f} ms")
    print("slowest:", ", ".join(f"{d * 1e3:.1f} ms (instrument {i})" for d, i in sorted(durations)[-8:]))
    if args.candidates:
        counts = np.array(searched)
        print(f"candidate rows per search: median {np.median(counts):.0f}, p99 {np.quantile(counts, 0.99):.0f}, "
              f"max {counts.max()} ({len(counts)} searches); tier resets: {len(resets)}")
    if not args.no_profile:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


def _count_searches(index) -> tuple[list[int], list[tuple[int, int]]]:
    """Wraps the index so each search records its candidate count and each reset its (book, tier)."""
    searched, resets = [], []
    candidates, reset_tier = index.candidates, index.reset_tier

    def counted_candidates(*args, **kwargs):
        rows = candidates(*args, **kwargs)
        searched.append(len(rows))
        return rows

    def counted_reset(instrument_id, tier):
        resets.append((instrument_id, tier))
        reset_tier(instrument_id, tier)

    index.candidates, index.reset_tier = counted_candidates, counted_reset
    return searched, resets


if __name__ == "__main__":
    main()
