"""A crash in one call: the sweep (SPEC 3 "Sweep") against the same crash done step by step.

    .venv/bin/python -m bench.crash [--size 100k] [--move -0.2] [--instrument popular|ID]
        [--steps-baseline] [--digest] [--profile]

Loads exchange-N into an in-process Engine (batches of 4096), then asks the most popular
instrument's mark (or the given one's) to move by `--move` (-0.2: a 20% fall) in one
ApplyMark with sweep = true: first as a dry run (the crash preview), then for real. It
prints steps, liquidations, ADL fills, seconds and microseconds per liquidation for each.
With --steps-baseline it then reloads the exchange and repeats single ApplyMark calls with
the same price until the mark gets there, as a client would without the sweep, and prints
the ratio (it can take minutes at 1M). With --digest it prints a digest of each call's
outcome and of the state after the real sweep, to check that two commits decide the same
(the code under test comes from PYTHONPATH, so one script can time both). With --profile the
real sweep runs under cProfile and the functions with the most cumulative time are printed. `make bench` runs the same crashes among its phases
(bench/crash_phases.py).
"""
from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats

from markcap.engine.views import state_hash

from .crash_phases import Crash, SweepFigures, fresh_exchange, requested_price, single_steps, sweep_engine
from .workload import generate


def _report(label: str, figures: SweepFigures) -> None:
    per = figures.us_per_liquidation
    print(f"{label:<26} {figures.steps:>7,} steps {figures.liquidations:>7,} liquidations "
          f"{figures.adl_fills:>7,} ADL fills {figures.seconds:>8.2f} s  "
          f"{'no liquidation' if per is None else f'{per:,.0f} us per liquidation'}  "
          f"stopped: {figures.stop_reason}  mark {figures.from_price!r} -> {figures.to_price!r}")


def _digest(outcome) -> str:
    """Of everything the call decided: liquidations, ADL fills, steps, negative accounts, the fund."""
    decided = (outcome.liquidations, outcome.adl_fills, outcome.steps, outcome.negative_equity_accounts,
               outcome.insurance_fund_equity_after)
    return hashlib.blake2b(repr(decided).encode(), digest_size=8).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--move", type=float, default=-0.2)
    parser.add_argument("--instrument", default="popular")
    parser.add_argument("--steps-baseline", action="store_true")
    parser.add_argument("--digest", action="store_true")
    parser.add_argument("--profile", action="store_true", help="the real sweep under cProfile")
    args = parser.parse_args()
    workload = generate(args.size, seed=1)
    instrument_id = workload.most_popular_instrument_id if args.instrument == "popular" else int(args.instrument)
    crash = Crash(f"{args.move:+.0%}", instrument_id, args.move)
    exchange = fresh_exchange(workload)
    price = requested_price(exchange, workload, crash)
    print(f"exchange-{args.size}, instrument {instrument_id}: "
          f"{exchange.engine.state.instruments.by_id[instrument_id].mark_price!r} -> {price!r}")
    dry = sweep_engine(exchange, instrument_id, price, dry_run=True)
    _report("sweep, dry run (preview)", dry)
    profile = cProfile.Profile() if args.profile else None
    if profile is not None:
        profile.enable()
    real = sweep_engine(exchange, instrument_id, price, dry_run=False)
    if profile is not None:
        profile.disable()
    _report("sweep, real" + (" (under cProfile)" if profile is not None else ""), real)
    if args.digest:
        engine = exchange.engine
        print(f"digests: dry run {_digest(dry.outcome)}, real {_digest(real.outcome)}, "
              f"state after {state_hash(engine.state, engine.applied_seq)[:16]}")
    if profile is not None:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    if args.steps_baseline:
        steps = single_steps(fresh_exchange(workload), instrument_id, price)
        print(f"{'single steps, real':<26} {steps['calls']:>7,} calls {steps['liquidations']:>7,} liquidations "
              f"{steps['seconds']:>8.2f} s  (sweep / single steps: {real.seconds / steps['seconds']:.2f}x)")


if __name__ == "__main__":
    main()
