"""A growable float64 column whose rows belong to groups, with two levels of minima per
group, for "smallest values of group g" queries without a full scan.

Each row has a value and a group (-1: in no group, never returned). Rows are
grouped in blocks of 64 and blocks in superblocks of 64; for every group, each
block's and each superblock's minimum over its rows of that group is kept:
lowered at once when a value falls below it, and recomputed lazily, all groups
of a block at once, only where one may have risen (the row that was the
minimum went up or left the group). `minima` reads the superblock minima
(n/4096 values per group) and `rows_at_most(thresholds)` opens only the
superblocks, then blocks, where some group is at or under its threshold, so a
query touches a few kilobytes however large the book: O(groups * n/4096 +
blocks opened + rows returned). One value column serves every group, so a row
costs 9 bytes whatever the number of groups (plus 9*groups/64 for the minima).
Invariants: after `_clean()`, block_min[g, b] == min(values[r] for r in block b
with group[r] == g) (+inf if none) and super_min[g, s] == min(block_min[g, b]
for b in superblock s); sizes[g] == count of rows in group g.
"""
from __future__ import annotations

import numpy as np

BLOCK_BITS, SUPER_BITS = 6, 6     # shifts, not // : numpy divides int arrays ~10x slower
BLOCK = 1 << BLOCK_BITS            # rows per block
SUPER = 1 << SUPER_BITS            # blocks per superblock
SPAN = BLOCK * SUPER
NO_GROUP = -1


class GroupedBlockMin:
    def __init__(self, groups: int, capacity: int = SPAN):
        capacity = max(SPAN, -(-capacity // SPAN) * SPAN)
        self.groups = groups
        self.values = np.full(capacity, np.inf)
        self.group = np.full(capacity, NO_GROUP, dtype=np.int8)
        self.block_min = np.full((groups, capacity // BLOCK), np.inf)  # [group, block]: rows scan contiguously
        self.super_min = np.full((groups, capacity // SPAN), np.inf)   # [group, superblock]
        self._dirty = np.zeros(capacity // BLOCK, dtype=bool)           # some group's minimum may have risen
        self.sizes = np.zeros(groups, dtype=np.int64)
        self.count = 0

    @classmethod
    def loaded(cls, groups: int, values: np.ndarray, group: np.ndarray) -> "GroupedBlockMin":
        """Rows 0..n-1 with these values (float64 (n,)) and groups (int8 (n,), NO_GROUP or
        [0, groups)), every minimum computed at once (a snapshot's `values`, `group` [:count])."""
        if values.shape != group.shape or values.ndim != 1 or len(group) and not (
                NO_GROUP <= int(group.min()) and int(group.max()) < groups):
            raise ValueError(f"block-min rows of shapes {values.shape} and {group.shape}, "
                             f"groups outside [-1, {groups})")
        column = cls(groups, len(values))
        count = len(values)
        column.values[:count] = np.where(group >= 0, values, np.inf)
        column.group[:count] = group
        column.count = count
        column.sizes[:] = np.bincount(group.astype(np.int64) + 1, minlength=groups + 1)[1:]
        column._recompute_all()
        return column

    def _reserve(self, count: int) -> None:
        if count <= len(self.values):
            return
        capacity = -(-max(count, 2 * len(self.values)) // SPAN) * SPAN
        grown = np.full(capacity, np.inf)
        grown[: self.count] = self.values[: self.count]
        self.values = grown
        group = np.full(capacity, NO_GROUP, dtype=np.int8)
        group[: self.count] = self.group[: self.count]
        self.group = group
        extra = capacity // BLOCK - self.block_min.shape[1]
        self.block_min = np.hstack([self.block_min, np.full((self.groups, extra), np.inf)])
        self.super_min = np.hstack([self.super_min, np.full((self.groups, extra // SUPER), np.inf)])
        self._dirty = np.concatenate([self._dirty, np.zeros(extra, dtype=bool)])

    def resize(self, count: int) -> None:
        """Grows (new rows in no group) or shrinks (dropped rows leave their groups) to `count` rows."""
        self._reserve(count)
        if count < self.count:
            self.set(np.arange(count, self.count), np.inf, NO_GROUP)
        self.count = count

    def _lower_blocks(self, rows: np.ndarray, values: np.ndarray, groups: np.ndarray) -> None:
        """block_min := min(block_min, value) at each row's (block, group).

        Rows in NO_GROUP carry +inf, so the (negative, wrapped) index they make changes nothing.
        """
        # one flat index: a tuple index sends ufunc.at down a path ten times slower
        np.minimum.at(self.block_min.reshape(-1), groups * self.block_min.shape[1] + (rows >> BLOCK_BITS), values)

    def _lower(self, rows: np.ndarray, values: np.ndarray, groups: np.ndarray) -> None:
        """Both levels of minima := min(minimum, value) at each row's (block or superblock, group)."""
        self._lower_blocks(rows, values, groups)
        np.minimum.at(self.super_min.reshape(-1),
                      groups * self.super_min.shape[1] + (rows >> (BLOCK_BITS + SUPER_BITS)), values)

    def set(self, rows, values, groups) -> None:
        """Row r takes value values[r] in group groups[r] (NO_GROUP: the value is dropped). Rows distinct.

        Written for batches (a dozen numpy calls whatever their size).
        """
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        groups = np.asarray(groups, dtype=np.int64)
        if groups.shape != rows.shape:
            groups = np.broadcast_to(groups, rows.shape)
        values = np.where(groups >= 0, values, np.inf)
        blocks = rows >> BLOCK_BITS
        old_group, old = self.group[rows], self.values[rows]
        # a minimum may rise only where the row at it rises or leaves its group
        # (NO_GROUP, -1, reads the last group's row: at worst a needless dirty mark)
        self._dirty[blocks[(old <= self.block_min[old_group, blocks]) & ((values > old) | (groups != old_group))]] = True
        self.values[rows] = values
        self.group[rows] = groups
        self._lower(rows, values, groups)
        self.sizes += (np.bincount(groups + 1, minlength=self.groups + 1)
                       - np.bincount(old_group + 1, minlength=self.groups + 1))[1:]

    def move(self, from_row: int, to_row: int) -> None:
        """Copies a row's value and group (the book's swap-remove)."""
        self.set(to_row, self.values[from_row], self.group[from_row])

    def _clean(self) -> None:
        blocks = np.flatnonzero(self._dirty)
        if len(blocks) > len(self._dirty) // 4:  # e.g. the first query after a bulk load
            self._recompute_all()
        elif len(blocks):
            self.block_min[:, blocks] = np.inf
            rows = (blocks[:, None] * BLOCK + np.arange(BLOCK)).ravel()
            group = self.group[rows]
            mine = group >= 0
            self._lower_blocks(rows[mine], self.values[rows[mine]], group[mine].astype(np.int64))
            self._dirty[blocks] = False
            supers = np.unique(blocks >> SUPER_BITS)
            self.super_min[:, supers] = self.block_min.reshape(self.groups, -1, SUPER)[:, supers].min(axis=2)

    def _recompute_all(self) -> None:
        """Every minimum from the rows, without gathering them block by block."""
        self.block_min[:] = np.inf
        group = self.group[: self.count]
        mine = np.flatnonzero(group >= 0)
        self._lower_blocks(mine, self.values[mine], group[mine].astype(np.int64))
        self.super_min[:] = self.block_min.reshape(self.groups, -1, SUPER).min(axis=2)
        self._dirty[:] = False

    def minimum(self, group: int) -> float:
        self._clean()
        return float(self.super_min[group].min())

    def minima(self, groups: slice = slice(None)) -> np.ndarray:
        """The smallest value of each of `groups` (+inf for an empty one)."""
        self._clean()
        return self.super_min[groups].min(axis=1)

    def rows_at_most(self, thresholds: np.ndarray, groups: slice = slice(None)) -> np.ndarray:
        """Rows (int64, ascending) in one of `groups` whose value is <= that group's threshold
        (thresholds aligned with `groups`); +inf values are never returned."""
        self._clean()
        thresholds = np.asarray(thresholds, dtype=np.float64)
        supers = np.flatnonzero((self.super_min[groups] <= thresholds[:, None]).any(axis=0))
        if len(supers) == 0:
            return np.zeros(0, dtype=np.int64)
        blocks = (supers[:, None] * SUPER + np.arange(SUPER)).ravel()
        blocks = blocks[(self.block_min[groups][:, blocks] <= thresholds[:, None]).any(axis=0)]
        rows = (blocks[:, None] * BLOCK + np.arange(BLOCK)).ravel()
        group, values = self.group[rows], self.values[rows]
        by_group = np.full(self.groups + 1, -np.inf)  # the last entry: NO_GROUP (-1), never taken
        by_group[np.arange(self.groups)[groups]] = thresholds
        return rows[(values <= by_group[group]) & (values < np.inf)]

    def rows_in(self, groups) -> np.ndarray:
        """Rows (ascending) whose group is one of `groups`."""
        return np.flatnonzero(np.isin(self.group[: self.count], np.asarray(groups, dtype=np.int8)))
