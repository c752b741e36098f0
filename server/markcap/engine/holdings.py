"""Which books each account holds a position in, and at which row: account-major and vectorised.

Gathering a set of accounts' positions is then pure numpy (no dictionary
lookups): each account has WIDTH inline places (book bit, row); the rare
account with more positions keeps the rest in `overflow`.
Invariant: every open position (book bit b, row r, account slot s) appears
exactly once, as bit[s, k] == b and row[s, k] == r for some k, or as
overflow[s][b] == r; empty places have bit -1.
"""
from __future__ import annotations

import numpy as np

WIDTH = 4


class Holdings:
    def __init__(self, capacity: int):
        self.bit = np.full((capacity, WIDTH), -1, dtype=np.int16)
        self.row = np.zeros((capacity, WIDTH), dtype=np.int64)
        self.overflow: dict[int, dict[int, int]] = {}
        self.overflowing = np.zeros(capacity, dtype=bool)  # slot has entries in `overflow`

    def _overflowing(self, slots: np.ndarray) -> np.ndarray:
        """Indices into `slots` of accounts with positions in `overflow`."""
        return np.flatnonzero(self.overflowing[slots])

    def ensure(self, capacity: int) -> None:
        if capacity > len(self.bit):
            grown = np.full((capacity, WIDTH), -1, dtype=np.int16)
            grown[: len(self.bit)] = self.bit
            self.bit = grown
            self.row = np.resize(self.row, (capacity, WIDTH))
            self.overflowing = np.concatenate([self.overflowing,
                                               np.zeros(capacity - len(self.overflowing), dtype=bool)])

    def add(self, slots: np.ndarray, bit: int, rows: np.ndarray) -> None:
        """Records new positions (distinct slots, none holding `bit` yet)."""
        free = self.bit[slots] == -1
        place = free.argmax(axis=1)
        inline = free[np.arange(len(slots)), place]
        self.bit[slots[inline], place[inline]] = bit
        self.row[slots[inline], place[inline]] = rows[inline]
        for slot, row in zip(slots[~inline].tolist(), rows[~inline].tolist()):
            self.overflow.setdefault(slot, {})[bit] = row
            self.overflowing[slot] = True

    def _place(self, slot: int, bit: int) -> int | None:
        found = np.flatnonzero(self.bit[slot] == bit)
        return int(found[0]) if len(found) else None

    def remove(self, slot: int, bit: int) -> None:
        place = self._place(slot, bit)
        if place is not None:
            self.bit[slot, place] = -1
            return
        extra = self.overflow[slot]
        del extra[bit]
        if not extra:
            del self.overflow[slot]
            self.overflowing[slot] = False

    def move(self, slot: int, bit: int, row: int) -> None:
        """The position of `slot` in book `bit` now lives at `row`."""
        place = self._place(slot, bit)
        if place is not None:
            self.row[slot, place] = row
        else:
            self.overflow[slot][bit] = row

    def holds(self, slots: np.ndarray, bit: int) -> np.ndarray:
        """Whether each account in `slots` has a position in book `bit`, bool (n,)."""
        held = (self.bit[slots] == bit).any(axis=1)
        for i in self._overflowing(slots).tolist():
            held[i] |= bit in self.overflow[int(slots[i])]
        return held

    def rows_of(self, slots: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """bit -> (indices into `slots`, rows in that book) for every position of these accounts."""
        bits = self.bit[slots]
        which, place = np.nonzero(bits >= 0)
        held_bits = bits[which, place].astype(np.int64)
        rows = self.row[slots[which], place]
        if self.overflow:
            extra = [(i, bit, row) for i in self._overflowing(slots).tolist()
                     for bit, row in self.overflow[int(slots[i])].items()]
            if extra:
                which = np.concatenate([which, np.array([e[0] for e in extra], dtype=np.int64)])
                held_bits = np.concatenate([held_bits, np.array([e[1] for e in extra], dtype=np.int64)])
                rows = np.concatenate([rows, np.array([e[2] for e in extra], dtype=np.int64)])
        order = np.argsort(held_bits, kind="stable")
        held_bits, which, rows = held_bits[order], which[order], rows[order]
        starts = np.flatnonzero(np.r_[True, held_bits[1:] != held_bits[:-1]]) if len(held_bits) else []
        ends = list(starts[1:]) + [len(held_bits)]
        return {int(held_bits[a]): (which[a:b], rows[a:b]) for a, b in zip(starts, ends)}
