"""A growable float64 column with block minima, for "smallest values" queries without a full scan.

Rows are grouped in blocks of 64; each block's minimum is kept: lowered at
once when a value falls below it, and recomputed lazily only for blocks whose
minimum may have risen (a value that was the minimum went up), so a batch of
random updates dirties about one block in 64 of those it touches. `minimum()` scans the block minima (n/64
values) and `rows_at_most(t)` scans only the blocks whose minimum is <= t,
so both cost O(n/64 + rows returned) rather than O(n).
Invariant: after `_clean()`, block_min[b] == min(values[64b : 64b+64]) (+inf padding).
"""
from __future__ import annotations

import numpy as np

BLOCK = 64


class BlockMin:
    def __init__(self, capacity: int = BLOCK):
        capacity = max(BLOCK, -(-capacity // BLOCK) * BLOCK)
        self.values = np.full(capacity, np.inf)
        self.block_min = np.full(capacity // BLOCK, np.inf)
        self._dirty = np.zeros(capacity // BLOCK, dtype=bool)
        self.count = 0

    def _reserve(self, count: int) -> None:
        if count <= len(self.values):
            return
        capacity = max(count, 2 * len(self.values))
        capacity = -(-capacity // BLOCK) * BLOCK
        grown = np.full(capacity, np.inf)
        grown[: self.count] = self.values[: self.count]
        self.values = grown
        blocks = capacity // BLOCK
        self.block_min = np.concatenate([self.block_min, np.full(blocks - len(self.block_min), np.inf)])
        self._dirty = np.concatenate([self._dirty, np.zeros(blocks - len(self._dirty), dtype=bool)])

    def resize(self, count: int) -> None:
        """Grows (new rows +inf) or shrinks (dropped rows reset to +inf) to `count` rows."""
        self._reserve(count)
        if count < self.count:
            self.set(np.arange(count, self.count), np.inf)
        self.count = count

    def set(self, rows, values) -> None:
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        values = np.broadcast_to(np.asarray(values, dtype=np.float64), rows.shape)
        blocks = rows // BLOCK
        old = self.values[rows]
        raised = (old <= self.block_min[blocks]) & (values > old)  # the block's minimum may go up
        self.values[rows] = values
        np.minimum.at(self.block_min, blocks, values)
        self._dirty[blocks[raised]] = True

    def move(self, from_row: int, to_row: int) -> None:
        """Copies a row's value (the book's swap-remove)."""
        self.set(to_row, self.values[from_row])

    def _clean(self) -> None:
        dirty = np.flatnonzero(self._dirty)
        if len(dirty):
            blocks = self.values.reshape(-1, BLOCK)
            self.block_min[dirty] = blocks[dirty].min(axis=1)
            self._dirty[dirty] = False

    def minimum(self) -> float:
        self._clean()
        return float(self.block_min.min()) if len(self.block_min) else np.inf

    def rows_at_most(self, threshold: float) -> np.ndarray:
        """Rows (int64, ascending) whose value is <= threshold; +inf values are never returned."""
        self._clean()
        blocks = np.flatnonzero(self.block_min <= threshold)
        if len(blocks) == 0:
            return np.zeros(0, dtype=np.int64)
        rows = (blocks[:, None] * BLOCK + np.arange(BLOCK)).ravel()
        values = self.values[rows]
        return rows[(values <= threshold) & (values < np.inf) & (rows < self.count)]
