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

GROUPS = 2 * (len(TIER_LIMITS) + 1)  # the index's tiers x harmed sides
WINDOW = 0.5  # the query's window above the smallest key, in price units


def _median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def workload(rows: int, batch: int, repeat: int, seed: int = 7):
    """(initial keys float64 (rows,), group of each row int64 (rows,), `repeat` batches of
    (changed rows int64 (batch,), their new keys float64 (batch,))): one draw, fed to every
    structure alike, so all three hold the same keys after each batch."""
    rng = np.random.default_rng(seed)
    keys = rng.lognormal(mean=4.8, sigma=0.3, size=rows)  # bankruptcy prices around 120
    group_of = rng.integers(0, GROUPS, rows)
    batches = [(rng.choice(rows, batch, replace=False), rng.lognormal(4.8, 0.3, batch))
               for _ in range(repeat)]
    return keys, group_of, batches


class SortedListKeys:
    """(key, row) pairs in a sortedcontainers SortedList."""

    def __init__(self, keys: np.ndarray, group_of: np.ndarray):
        self.keys = keys.copy()
        self.pairs = SortedList(zip(keys.tolist(), range(len(keys))))

    def rekey(self, changed: np.ndarray, fresh: np.ndarray) -> None:
        for row, old, new in zip(changed.tolist(), self.keys[changed].tolist(), fresh.tolist()):
            self.pairs.remove((old, row))
            self.pairs.add((new, row))
        self.keys[changed] = fresh

    def smallest(self) -> float:
        return self.pairs[0][0]

    def rows_at_most(self, threshold: float) -> list[int]:
        """Rows with key <= threshold, in key order."""
        return [row for _, row in self.pairs.irange((-np.inf, -1), (threshold, len(self.keys)))]


class BlockMinKeys:
    """The engine's GroupedBlockMin, rows spread over the index's 2 x 9 groups, asked across all."""

    def __init__(self, keys: np.ndarray, group_of: np.ndarray):
        self.group_of = group_of
        self.block = GroupedBlockMin(GROUPS, len(keys))
        self.block.resize(len(keys))
        self.block.set(np.arange(len(keys)), keys, group_of)

    def rekey(self, changed: np.ndarray, fresh: np.ndarray) -> None:
        self.block.set(changed, fresh, self.group_of[changed])

    def smallest(self) -> float:
        return float(self.block.minima().min())

    def rows_at_most(self, threshold: float) -> np.ndarray:
        """Rows with key <= threshold, ascending (the first query after a batch also recomputes
        raised block minima)."""
        return self.block.rows_at_most(np.full(GROUPS, threshold))


class NumpyScanKeys:
    """One float64 column, scanned whole."""

    def __init__(self, keys: np.ndarray, group_of: np.ndarray):
        self.keys = keys.copy()

    def rekey(self, changed: np.ndarray, fresh: np.ndarray) -> None:
        self.keys[changed] = fresh

    def smallest(self) -> float:
        return float(self.keys.min())

    def rows_at_most(self, threshold: float) -> np.ndarray:
        return np.flatnonzero(self.keys <= threshold)


STRUCTURES = {"SortedList": SortedListKeys, "GroupedBlockMin": BlockMinKeys, "numpy scan": NumpyScanKeys}


def measure(rows: int, batch: int, repeat: int, seed: int = 7,
            window: float = WINDOW) -> dict[str, dict[str, object]]:
    """Per structure: medians of re-keying a batch, of "the smallest key and every row within
    `window` above it" right after, and of the same query again; `hits` and `rows` (ascending)
    of the last answer. Every structure gets the same keys and batches."""
    keys, group_of, batches = workload(rows, batch, repeat, seed)
    results: dict[str, dict[str, object]] = {}
    for name, make in STRUCTURES.items():
        structure = make(keys, group_of)
        rekey, query, again = [], [], []
        for changed, fresh in batches:
            start = time.perf_counter()
            structure.rekey(changed, fresh)
            rekey.append(time.perf_counter() - start)
            for times in (query, again):
                start = time.perf_counter()
                hits = structure.rows_at_most(structure.smallest() + window)
                times.append(time.perf_counter() - start)
        results[name] = {"rekey_batch_us": _median_us(rekey), "query_us": _median_us(query),
                         "query_again_us": _median_us(again), "hits": len(hits),
                         "rows": np.sort(np.asarray(hits, dtype=np.int64))}
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
