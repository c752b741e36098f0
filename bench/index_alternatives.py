"""Which structure should hold one instrument side's bankruptcy keys? Measured, not guessed.

The index must (1) re-key the entries a batch of fills touched, and (2) answer
"the smallest key and every entry within a window above it". Three candidates
over the same keys: a sortedcontainers SortedList of (key, row) pairs, the
engine's BlockMin (block minima over a numpy column), and a plain numpy scan.

    .venv/bin/python bench/index_alternatives.py [--rows 460000] [--batch 8192] [--repeat 30]

Prints medians in microseconds. 460k rows is the most popular instrument of
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

from markcap.engine.blockmin import BlockMin


def _median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def measure(rows: int, batch: int, repeat: int, seed: int = 7) -> dict[str, dict[str, float]]:
    rng = np.random.default_rng(seed)
    keys = rng.lognormal(mean=4.8, sigma=0.3, size=rows)  # bankruptcy prices around 120
    window = 0.5
    results: dict[str, dict[str, float]] = {}

    sorted_list = SortedList(zip(keys.tolist(), range(rows)))
    block = BlockMin(rows)
    block.resize(rows)
    block.set(np.arange(rows), keys)
    scan = keys.copy()

    rekey, query = [], []
    for _ in range(repeat):
        changed = rng.choice(rows, batch, replace=False)
        fresh = rng.lognormal(4.8, 0.3, batch)
        start = time.perf_counter()
        for row, old, new in zip(changed.tolist(), keys[changed].tolist(), fresh.tolist()):
            sorted_list.remove((old, row))
            sorted_list.add((new, row))
        rekey.append(time.perf_counter() - start)
        keys[changed] = fresh
        start = time.perf_counter()
        smallest = sorted_list[0][0]
        hits = list(sorted_list.irange((smallest, -1), (smallest + window, rows)))
        query.append(time.perf_counter() - start)
    results["SortedList"] = {"rekey_batch_us": _median_us(rekey), "query_us": _median_us(query),
                             "hits": len(hits)}

    rekey, query = [], []
    for _ in range(repeat):
        changed = rng.choice(rows, batch, replace=False)
        fresh = rng.lognormal(4.8, 0.3, batch)
        start = time.perf_counter()
        block.set(changed, fresh)
        rekey.append(time.perf_counter() - start)
        start = time.perf_counter()
        smallest = block.minimum()
        hits = block.rows_at_most(smallest + window)
        query.append(time.perf_counter() - start)
    results["BlockMin"] = {"rekey_batch_us": _median_us(rekey), "query_us": _median_us(query), "hits": len(hits)}

    rekey, query = [], []
    for _ in range(repeat):
        changed = rng.choice(rows, batch, replace=False)
        fresh = rng.lognormal(4.8, 0.3, batch)
        start = time.perf_counter()
        scan[changed] = fresh
        rekey.append(time.perf_counter() - start)
        start = time.perf_counter()
        smallest = scan.min()
        hits = np.flatnonzero(scan <= smallest + window)
        query.append(time.perf_counter() - start)
    results["numpy scan"] = {"rekey_batch_us": _median_us(rekey), "query_us": _median_us(query), "hits": len(hits)}
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
    print(f"{'structure':<12} {'re-key batch (us)':>18} {'nearest + window (us)':>22} {'hits':>6}")
    for name, row in results.items():
        print(f"{name:<12} {row['rekey_batch_us']:>18,.0f} {row['query_us']:>22,.1f} {row['hits']:>6}")


if __name__ == "__main__":
    main()
