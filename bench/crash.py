"""A crash in one call: the sweep (SPEC 3 "Sweep") against the same crash done step by step.

    .venv/bin/python -m bench.crash [--size 100k] [--move -0.2] [--instrument popular|ID]
        [--steps-baseline]

Loads exchange-N into an in-process Engine (batches of 4096), then asks the most popular
instrument's mark (or the given one's) to move by `--move` (-0.2: a 20% fall) in one
ApplyMark with sweep = true: first as a dry run (the crash preview), then for real. It
prints steps, liquidations, ADL fills, seconds and microseconds per liquidation for each.
With --steps-baseline it then reloads the exchange and repeats single ApplyMark calls with
the same price until the mark gets there, as a client would without the sweep, and prints
the ratio (it can take minutes at 1M).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from .local import LocalExchange
from .workload import BATCH_SIZE, config_toml, generate, on_decimal_grid


def _load(workload) -> LocalExchange:
    config = Path(tempfile.mkdtemp()) / "exchange.toml"
    config.write_text(config_toml(workload.instruments))
    exchange = LocalExchange(config)
    exchange.ingest(workload, BATCH_SIZE)
    return exchange


def _report(label: str, seconds: float, outcome) -> None:
    liquidations, fills = len(outcome.liquidations), len(outcome.adl_fills)
    per = f"{seconds / liquidations * 1e6:,.0f} us per liquidation" if liquidations else "no liquidation"
    print(f"{label:<26} {len(outcome.steps):>7,} steps {liquidations:>7,} liquidations {fills:>7,} ADL fills "
          f"{seconds:>8.2f} s  {per}  stopped: {outcome.sweep_stop_reason.name}  "
          f"mark {outcome.previous_price!r} -> {outcome.applied_price!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--move", type=float, default=-0.2)
    parser.add_argument("--instrument", default="popular")
    parser.add_argument("--steps-baseline", action="store_true")
    args = parser.parse_args()
    workload = generate(args.size, seed=1)
    k = (workload.most_popular_instrument_id if args.instrument == "popular" else int(args.instrument)) - 1
    instrument_id = k + 1
    mark = float(workload.instruments.mark_price[k])
    price = float(on_decimal_grid(mark * (1 + args.move), int(workload.instruments.tick_exponent[k])))
    exchange = _load(workload)
    print(f"exchange-{args.size}, instrument {instrument_id}: {mark!r} -> {price!r}")
    engine = exchange.engine
    for label, dry_run in (("sweep, dry run (preview)", True), ("sweep, real", False)):
        start = time.perf_counter()
        outcome = engine.apply_mark(0 if dry_run else engine.applied_seq + 1, instrument_id, price,
                                    dry_run=dry_run, sweep=True)
        _report(label, time.perf_counter() - start, outcome)
        swept = time.perf_counter() - start
    if args.steps_baseline:
        exchange = _load(workload)
        engine, calls, liquidations = exchange.engine, 0, 0
        start = time.perf_counter()
        while True:
            before = engine.state.instruments.by_id[instrument_id].mark_price
            outcome = engine.apply_mark(engine.applied_seq + 1, instrument_id, price)
            calls += 1
            liquidations += len(outcome.liquidations)
            if outcome.applied_price == price or (outcome.applied_price == before and not outcome.liquidations
                                                  and not outcome.adl_fills):
                break
        seconds = time.perf_counter() - start
        print(f"{'single steps, real':<26} {calls:>7,} calls {liquidations:>7,} liquidations "
              f"{seconds:>8.2f} s  (sweep / single steps: {swept / seconds:.2f}x)")


if __name__ == "__main__":
    main()
