"""Which books each account holds a position in, and at which row: account-major and vectorised.

It is the only map from (account, book) to a book row: gathering a set of
accounts' positions is pure numpy (no dictionary lookups, no per-position
Python objects): each account has WIDTH inline places (book bit, row); the
rare account with more positions keeps the rest in `overflow`.
Invariant: every open position (book bit b, row r, account slot s) appears
exactly once, as bit[s, k] == b and row[s, k] == r for some k, or as
overflow[s][b] == r; empty places have bit -1.
"""
from __future__ import annotations

import numpy as np

from .runs import occurrence, run_bounds

WIDTH = 4


class Holdings:
    def __init__(self, capacity: int):
        self.bit = np.full((capacity, WIDTH), -1, dtype=np.int16)
        self.row = np.zeros((capacity, WIDTH), dtype=np.int32)  # a book has < 2**31 rows
        self.overflow: dict[int, dict[int, int]] = {}
        self.overflowing = np.zeros(capacity, dtype=bool)  # slot has entries in `overflow`

    def export(self, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Copies of the places of slots [0, count) and the overflow as (slot, bit, row) rows in
        insertion order (int64 (k, 3)), for a snapshot; `loaded` gives back these holdings."""
        self.ensure(count)
        overflow = [(slot, bit, row) for slot, extra in self.overflow.items() for bit, row in extra.items()]
        return (self.bit[:count].copy(), self.row[:count].copy(),
                np.array(overflow, dtype=np.int64).reshape(-1, 3))

    @classmethod
    def loaded(cls, bit: np.ndarray, row: np.ndarray, overflow: np.ndarray) -> "Holdings":
        """Holdings with these places and overflow rows (from `export`)."""
        if bit.shape != row.shape or bit.ndim != 2 or bit.shape[1] != WIDTH or overflow.shape[1:] != (3,):
            raise ValueError(f"holdings of shapes {bit.shape}, {row.shape}, {overflow.shape}")
        holdings = cls(len(bit))
        holdings.bit[:] = bit
        holdings.row[:] = row
        for slot, book, place in overflow.tolist():
            holdings.overflow.setdefault(slot, {})[book] = place
            holdings.overflowing[slot] = True
        return holdings

    def _overflowing(self, slots: np.ndarray) -> np.ndarray:
        """Indices into `slots` of accounts with positions in `overflow`."""
        return np.flatnonzero(self.overflowing[slots])

    def ensure(self, capacity: int) -> None:
        if capacity > len(self.bit):
            capacity = max(capacity, 2 * len(self.bit))
            grown = np.full((capacity, WIDTH), -1, dtype=np.int16)
            grown[: len(self.bit)] = self.bit
            self.bit = grown
            self.row = np.resize(self.row, (capacity, WIDTH))
            self.overflowing = np.concatenate([self.overflowing,
                                               np.zeros(capacity - len(self.overflowing), dtype=bool)])

    def add(self, slots: np.ndarray, bit: int, rows: np.ndarray) -> None:
        """Records new positions in book `bit` (distinct slots, none holding `bit` yet)."""
        self.add_many(slots, np.full(len(slots), bit, dtype=np.int64), rows)

    def add_one(self, slot: int, bit: int, row: int) -> None:
        """`add` for one position (the takeover's and ADL's path), placed as `add_many` places it."""
        self.ensure(slot + 1)
        places = self.bit[slot].tolist()
        if -1 in places:
            place = places.index(-1)
            self.bit[slot, place], self.row[slot, place] = bit, row
        else:
            self.overflow.setdefault(slot, {})[bit] = row
            self.overflowing[slot] = True

    def add_many(self, slots: np.ndarray, bits: np.ndarray, rows: np.ndarray) -> None:
        """Records new positions (slots[i] in book bits[i] at rows[i]; no pair held yet, pairs distinct).

        An account may gain positions in several books at once: its k-th new
        position is placed in round k, after the places its earlier ones took.
        """
        if len(slots) == 0:
            return
        self.ensure(int(slots.max()) + 1)
        order = np.argsort(slots, kind="stable")
        rounds = occurrence(slots[order])
        for round_number in range(int(rounds.max()) + 1):
            mine = order[rounds == round_number]
            these, bit, row = slots[mine], bits[mine], rows[mine]
            free = self.bit[these] == -1
            place = free.argmax(axis=1)
            inline = free[np.arange(len(these)), place]
            self.bit[these[inline], place[inline]] = bit[inline]
            self.row[these[inline], place[inline]] = row[inline]
            for slot, b, r in zip(these[~inline].tolist(), bit[~inline].tolist(), row[~inline].tolist()):
                self.overflow.setdefault(slot, {})[b] = r
                self.overflowing[slot] = True

    def _place(self, slot: int, bit: int) -> int | None:
        places = self.bit[slot].tolist()  # WIDTH Python ints: cheaper than a numpy search
        return places.index(bit) if bit in places else None

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

    def row_of(self, slot: int, bit: int) -> int | None:
        """The row of the account's position in book `bit`, None when it holds none."""
        if slot >= len(self.bit):
            return None
        places = self.bit[slot].tolist()
        if bit in places:
            return int(self.row[slot, places.index(bit)])
        return self.overflow[slot].get(bit) if self.overflowing[slot] else None

    def rows_in(self, slots: np.ndarray, bit: int) -> np.ndarray:
        """Row of each account's position in book `bit`, -1 where it holds none; int64 (n,)."""
        return self.rows_in_books(slots, np.full(len(slots), bit, dtype=np.int64))

    def rows_in_books(self, slots: np.ndarray, bits: np.ndarray) -> np.ndarray:
        """Row of account slots[i]'s position in book bits[i], -1 where it holds none; int64 (n,)."""
        slots = np.asarray(slots, dtype=np.int64)
        rows = np.full(len(slots), -1, dtype=np.int64)
        known = np.flatnonzero(slots < len(self.bit))
        match = self.bit[slots[known]] == bits[known, None]
        found = match.any(axis=1)
        where = known[found]
        rows[where] = self.row[slots[where], match[found].argmax(axis=1)]
        for i in known[self.overflowing[slots[known]]].tolist():
            rows[i] = self.overflow[int(slots[i])].get(int(bits[i]), rows[i])
        return rows

    def books_of(self, slot: int) -> list[tuple[int, int]]:
        """(bit, row) of every position of one account."""
        if slot >= len(self.bit):
            return []
        held = [(bit, row) for bit, row in zip(self.bit[slot].tolist(), self.row[slot].tolist()) if bit >= 0]
        return held + list(self.overflow.get(slot, {}).items())

    def rows_of(self, slots: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """bit -> (indices into `slots`, rows in that book) for every position of these accounts."""
        if len(slots) and slots.max() >= len(self.bit):
            self.ensure(int(slots.max()) + 1)
        bits = self.bit[slots]
        which, place = np.nonzero(bits >= 0)
        held_bits = bits[which, place].astype(np.int64)
        rows = self.row[slots[which], place].astype(np.int64)
        if self.overflow:
            extra = [(i, bit, row) for i in self._overflowing(slots).tolist()
                     for bit, row in self.overflow[int(slots[i])].items()]
            if extra:
                which = np.concatenate([which, np.array([e[0] for e in extra], dtype=np.int64)])
                held_bits = np.concatenate([held_bits, np.array([e[1] for e in extra], dtype=np.int64)])
                rows = np.concatenate([rows, np.array([e[2] for e in extra], dtype=np.int64)])
        order = np.argsort(held_bits, kind="stable")
        held_bits, which, rows = held_bits[order], which[order], rows[order]
        starts, ends = run_bounds(held_bits)
        return {int(held_bits[a]): (which[a:b], rows[a:b]) for a, b in zip(starts.tolist(), ends.tolist())}
