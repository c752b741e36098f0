"""Which structure should hold one instrument side's bankruptcy keys? Measured, not guessed.

The index must (1) re-key the entries a batch of fills touched, and (2) answer
"the smallest key and every entry within a window above it". Three candidates
over the same keys: a sortedcontainers SortedList of (key, row) pairs, the
engine's GroupedBlockMin (two levels of block minima over one numpy column, rows
spread over the engine's 2 x 9 tier-and-side groups, queried across all of
them), and a plain numpy scan.

    .venv/bin/python bench/index_alternatives.py [--rows 460000] [--batch 8192] [--repeat 30]

Prints medians in microseconds: re-keying a batch, the first query after it, and
the same query again with nothing re-keyed in between (a mark with no fills since). 460k rows is the most popular instrument of
exchange-1M (Zipf(1.1) over 50 instruments, 1.8 positions per account);
8192 re-keyed entries is one 4096-fill batch (two sides per fill).
"""
from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np
from sortedcontainers import SortedList

from markcap.engine.bankruptcy_index import TIER_LIMITS
from markcap.engine.blockmin import GroupedBlockMin


def _median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def _row(rekey, query, again, hits) -> dict[str, float]:
    return {"rekey_batch_us": _median_us(rekey), "query_us": _median_us(query),
            "query_again_us": _median_us(again), "hits": len(hits)}


def measure(rows: int, batch: int, repeat: int, seed: int = 7) -> dict[str, dict[str, float]]:
    rng = np.random.default_rng(seed)
    keys = rng.lognormal(mean=4.8, sigma=0.3, size=rows)  # bankruptcy prices around 120
    window = 0.5
    results: dict[str, dict[str, float]] = {}

    sorted_list = SortedList(zip(keys.tolist(), range(rows)))
    groups = 2 * (len(TIER_LIMITS) + 1)
    block = GroupedBlockMin(groups, rows)
    block.resize(rows)
    group_of = rng.integers(0, groups, rows)
    block.set(np.arange(rows), keys, group_of)
    scan = keys.copy()

    rekey, query, again = [], [], []
    for _ in range(repeat):
        changed = rng.choice(rows, batch, replace=False)
        fresh = rng.lognormal(4.8, 0.3, batch)
        start = time.perf_counter()
        for row, old, new in zip(changed.tolist(), keys[changed].tolist(), fresh.tolist()):
            sorted_list.remove((old, row))
            sorted_list.add((new, row))
        rekey.append(time.perf_counter() - start)
        keys[changed] = fresh
        for times in (query, again):
            start = time.perf_counter()
            smallest = sorted_list[0][0]
            hits = list(sorted_list.irange((smallest, -1), (smallest + window, rows)))
            times.append(time.perf_counter() - start)
    results["SortedList"] = _row(rekey, query, again, hits)

    rekey, query, again = [], [], []
    for _ in range(repeat):
        changed = rng.choice(rows, batch, replace=False)
        fresh = rng.lognormal(4.8, 0.3, batch)
        start = time.perf_counter()
        block.set(changed, fresh, group_of[changed])
        rekey.append(time.perf_counter() - start)
        for times in (query, again):  # the first query after a batch also recomputes raised block minima
            start = time.perf_counter()
            smallest = block.minima().min()
            hits = block.rows_at_most(np.full(groups, smallest + window))
            times.append(time.perf_counter() - start)
    results["GroupedBlockMin"] = _row(rekey, query, again, hits)

    rekey, query, again = [], [], []
    for _ in range(repeat):
        changed = rng.choice(rows, batch, replace=False)
        fresh = rng.lognormal(4.8, 0.3, batch)
        start = time.perf_counter()
        scan[changed] = fresh
        rekey.append(time.perf_counter() - start)
        for times in (query, again):
            start = time.perf_counter()
            smallest = scan.min()
            hits = np.flatnonzero(scan <= smallest + window)
            times.append(time.perf_counter() - start)
    results["numpy scan"] = _row(rekey, query, again, hits)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=460_000)
    parser.add_argument("--batch", type=int, default=8192)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    results = measure(args.rows, args.batch, args.repeat)
    print(f"rows {args.rows:,}  re-keyed per batch {args.batch:,}  repeats {args.repeat}  "
          f"python {platform.python_version()}  numpy {np.__version__}")
    print(f"{'structure':<16} {'re-key batch (us)':>18} {'nearest + window (us)':>22} "
          f"{'same, again (us)':>17} {'hits':>6}")
    for name, row in results.items():
        print(f"{name:<16} {row['rekey_batch_us']:>18,.0f} {row['query_us']:>22,.1f} "
              f"{row['query_again_us']:>17,.1f} {row['hits']:>6}")


if __name__ == "__main__":
    main()
