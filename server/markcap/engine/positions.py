"""One instrument's open positions, as dense columns over holder rows.

Invariants: rows [0, count) are exactly the open positions (qty != 0); `cost_units`
holds each cost exactly in minor units of the settlement currency (int64) and `cost`
is its float64 mirror, cost_units / power (power = 10^decimals), which nothing decides on;
`holdings.row_of(slots[r], bit) == r` (the account-major holdings are the only
slot -> row map, shared by all books); a position that goes flat leaves the
book (the last row moves into its place), so scans over the book touch
holders only. `open_long` and `open_short` are the sums of the long quantities and of the
short ones' magnitudes (Python ints): a takeover can give the fund all of one side, so
both stay within int64 (the state refuses fills that would take them beyond).
"""
from __future__ import annotations

import numpy as np

from .changes import StateChanges
from .holdings import Holdings
from .undo import UndoLog


class PositionBook:
    def __init__(self, undo: UndoLog, holdings: Holdings, changes: StateChanges, bit: int,
                 capacity: int = 64):
        self._undo = undo
        self._changes = changes  # row appends and removals are logged for the derived structures
        self.holdings, self.bit = holdings, bit  # bit: the book's number in the holdings
        self.slots = np.zeros(capacity, dtype=np.int64)
        self.qty = np.zeros(capacity, dtype=np.int64)
        self.cost_units = np.zeros(capacity, dtype=np.int64)
        self.cost = np.zeros(capacity, dtype=np.float64)
        self.power = 1.0  # 10^decimals of the settlement currency (set by the state while empty)
        self.count = 0
        self.open_long = 0   # sum of the positive quantities
        self.open_short = 0  # sum of the negative quantities' magnitudes

    def __len__(self) -> int:
        return self.count

    def get(self, slot: int) -> tuple[int, int]:
        """(qty, cost in minor units) of the account in slot `slot`; (0, 0) when flat."""
        row = self.holdings.row_of(slot, self.bit)
        if row is None:
            return 0, 0
        return int(self.qty[row]), int(self.cost_units[row])

    def set(self, slot: int, qty: int, cost: int) -> None:
        """Sets a position (cost in minor units); qty 0 removes it (its cost is then 0)."""
        old_qty, old_cost = self.get(slot)
        self._write(slot, qty, cost)
        self._undo.record(lambda: self._write(slot, old_qty, old_cost))

    def remove_many(self, slots: list[int]) -> None:
        """`set(slot, 0, 0)` for each of these accounts (each holding a position here), in order,
        undo-logged as one change."""
        removed = []
        for slot in slots:
            row = self.holdings.row_of(slot, self.bit)
            qty = int(self.qty[row])
            removed.append((slot, qty, int(self.cost_units[row])))
            if qty > 0:
                self.open_long -= qty
            else:
                self.open_short += qty
            self._remove(slot, row)

        def restore() -> None:
            for slot, qty, cost in reversed(removed):
                self._write(slot, qty, cost)
        self._undo.record(restore)

    def row(self, slot: int) -> int | None:
        return self.holdings.row_of(slot, self.bit)

    def rows_in(self, slots: np.ndarray) -> np.ndarray:
        """Row of each account's position (-1: none), int64 (n,)."""
        return self.holdings.rows_in(slots, self.bit)

    def open_interest_after(self, rows: np.ndarray, qty: np.ndarray) -> tuple[int, int]:
        """(open_long, open_short) once the positions in `rows` (-1: none yet) hold `qty`, for
        distinct positions; nothing changes."""
        held = rows >= 0
        old = self.qty[rows[held]]
        return (self.open_long + _exact_sum(np.maximum(qty, 0)) - _exact_sum(np.maximum(old, 0)),
                self.open_short - _exact_sum(np.minimum(qty, 0)) + _exact_sum(np.minimum(old, 0)))

    def _write(self, slot: int, qty: int, cost: int) -> None:
        row = self.holdings.row_of(slot, self.bit)
        old = 0 if row is None else int(self.qty[row])
        self.open_long += max(qty, 0) - max(old, 0)
        self.open_short += max(-qty, 0) - max(-old, 0)
        if qty == 0:
            if row is not None:
                self._remove(slot, row)
            return
        if row is None:
            row = self._append(slot)
        self.qty[row] = qty
        self.cost_units[row] = cost
        self.cost[row] = cost / self.power

    def write_many(self, slots: np.ndarray, rows: np.ndarray, qty: np.ndarray, cost: np.ndarray,
                   record_holdings: bool = True,
                   open_interest: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Sets many positions at once (not undo-logged: for staged batch commits).

        `rows` are the slots' current rows (-1 for none), all arrays shape (n,) with
        distinct slots, cost int64 minor units; qty 0 removes a position. Returns the (slots, rows) appended;
        with record_holdings False the caller records them in the holdings (one call
        for many books) before anything reads them. `open_interest`: the totals after, when the
        caller has them (`open_interest_after` of the same rows and quantities).
        """
        assert not self._undo.active, "write_many bypasses the undo log"
        self.open_long, self.open_short = open_interest or self.open_interest_after(rows, qty)
        held, opens = rows >= 0, qty != 0
        update = held & opens
        self.qty[rows[update]] = qty[update]
        self.cost_units[rows[update]] = cost[update]
        self.cost[rows[update]] = cost[update] / self.power
        for slot in slots[held & ~opens].tolist():  # rows move as others leave: look each up
            self._remove(slot, self.holdings.row_of(slot, self.bit))
        appended = ~held & opens  # after the removals, so no row they move is unrecorded
        return self._append_many(slots[appended], qty[appended], cost[appended], record_holdings)

    def _reserve(self, count: int) -> None:
        if count > len(self.slots):
            capacity = max(count, 2 * len(self.slots))
            self.slots = np.resize(self.slots, capacity)
            self.qty = np.resize(self.qty, capacity)
            self.cost_units = np.resize(self.cost_units, capacity)
            self.cost = np.resize(self.cost, capacity)

    def _append_many(self, slots: np.ndarray, qty: np.ndarray, cost: np.ndarray,
                     record_holdings: bool = True) -> tuple[np.ndarray, np.ndarray]:
        start, end = self.count, self.count + len(slots)
        rows = np.arange(start, end)
        if len(slots) == 0:
            return slots, rows
        self._reserve(end)
        self.slots[start:end], self.qty[start:end] = slots, qty
        self.cost_units[start:end], self.cost[start:end] = cost, cost / self.power
        if record_holdings:
            self.holdings.add(slots, self.bit, rows)
        self.count = end
        self._changes.rows_appended(self.bit, start, len(slots))
        return slots, rows

    def _append(self, slot: int) -> int:
        row = self.count
        self._reserve(row + 1)
        self.slots[row] = slot
        self.holdings.add_one(slot, self.bit, row)
        self.count += 1
        self._changes.rows_appended(self.bit, row, 1)
        return row

    def _remove(self, slot: int, row: int) -> None:
        last = self.count - 1
        if row != last:
            moved_slot = int(self.slots[last])
            self.slots[row] = moved_slot
            self.qty[row] = self.qty[last]
            self.cost_units[row] = self.cost_units[last]
            self.cost[row] = self.cost[last]
            self.holdings.move(moved_slot, self.bit, row)
        self.holdings.remove(slot, self.bit)
        self.count = last
        self._changes.row_removed(self.bit, row, last if row != last else -1)

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Views (slots int64, qty int64, cost float64 mirror), each of shape (count,)."""
        n = self.count
        return self.slots[:n], self.qty[:n], self.cost[:n]


def _exact_sum(values: np.ndarray) -> int:
    """The sum of an int64 array as an exact Python integer."""
    if float(np.abs(values.astype(np.float64)).sum()) < 2.0**62:
        return int(values.sum())
    return sum(values.tolist())
