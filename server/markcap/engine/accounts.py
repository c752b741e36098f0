"""Accounts and their balances, stored densely by slot.

Invariants: `slot_of.get(ids[s]) == s` for every s < count (an IdMap); slots are handed out in
order of first reference and never reused; `units` holds each balance exactly, in whole
minor units of its currency (int64, one column per currency, in `CurrencyTable.column`
order); `balances` is its float64 mirror, units * 10^-decimals (the nearest double),
which valuation and the index read and nothing decides on.
"""
from __future__ import annotations

import numpy as np

from .idmap import IdMap
from .undo import UndoLog


class AccountTable:
    def __init__(self, undo: UndoLog, decimals: list[int], capacity: int = 1024):
        self._undo = undo
        self.slot_of = IdMap(capacity)  # account id -> slot, numpy-backed (no per-account objects)
        self.ids = np.zeros(capacity, dtype=np.uint64)
        self.units = np.zeros((capacity, len(decimals)), dtype=np.int64)
        self.balances = np.zeros((capacity, len(decimals)), dtype=np.float64)
        self.powers = np.array([10.0 ** d for d in decimals], dtype=np.float64)  # exact for d <= 22
        self.count = 0

    def slot(self, account_id: int) -> int | None:
        return self.slot_of.get(account_id)

    def ensure(self, account_id: int) -> int:
        """The account's slot, creating the account on first reference."""
        slot = self.slot_of.get(account_id)
        if slot is not None:
            return slot
        slot = self.count
        if slot == len(self.ids):
            self._grow()
        self.ids[slot] = account_id
        self.slot_of.insert(np.array([account_id], dtype=np.uint64), np.array([slot], dtype=np.int64))
        self.count += 1
        self._undo.record(lambda: self._forget_last(account_id))
        return slot

    def slots_of(self, account_ids: np.ndarray) -> np.ndarray:
        """Slot of each account id (uint64 (n,)), -1 where unknown."""
        return self.slot_of.lookup(account_ids)

    def create_many(self, account_ids: np.ndarray) -> None:
        """Creates new accounts (distinct uint64 ids, none existing yet) in order; not undo-logged
        (staged commits)."""
        assert not self._undo.active, "create_many bypasses the undo log"
        start, end = self.count, self.count + len(account_ids)
        while end > len(self.ids):
            self._grow()
        self.ids[start:end] = account_ids
        self.slot_of.insert(np.asarray(account_ids, dtype=np.uint64), np.arange(start, end, dtype=np.int64))
        self.count = end

    def _forget_last(self, account_id: int) -> None:
        slot = self.slot_of.get(account_id)
        self.slot_of.remove(account_id)
        self.units[slot] = 0
        self.balances[slot] = 0.0
        self.count -= 1

    def _grow(self) -> None:
        capacity = 2 * len(self.ids)
        self.ids = np.resize(self.ids, capacity)
        for name, dtype in (("units", np.int64), ("balances", np.float64)):
            old = getattr(self, name)
            grown = np.zeros((capacity, old.shape[1]), dtype=dtype)
            grown[: self.count] = old[: self.count]
            setattr(self, name, grown)

    def add_currency_column(self, decimals: int) -> None:
        self.units = np.hstack([self.units, np.zeros((len(self.units), 1), dtype=np.int64)])
        self.balances = np.hstack([self.balances, np.zeros((len(self.balances), 1))])
        self.powers = np.append(self.powers, 10.0 ** decimals)

    def balance_units(self, slot: int, column: int) -> int:
        return int(self.units[slot, column])

    def balance(self, slot: int, column: int) -> float:
        """The balance as the double nearest to its exact value."""
        return float(self.balances[slot, column])

    def set_units(self, slot: int, column: int, units: int) -> None:
        """Sets a balance, in minor units (the caller keeps it within int64)."""
        old = int(self.units[slot, column])
        self._write(slot, column, units)
        self._undo.record(lambda: self._write(slot, column, old))

    def _write(self, slot: int, column: int, units: int) -> None:
        self.units[slot, column] = units
        self.balances[slot, column] = units / self.powers[column]  # one correctly rounded division

    def clear_balances(self, slots: np.ndarray) -> None:
        """Sets every balance of these accounts (distinct slots) to zero, undo-logged as one change."""
        old = self.units[slots].copy()
        self.units[slots] = 0
        self.balances[slots] = 0.0

        def restore() -> None:
            self.units[slots] = old
            self.balances[slots] = old / self.powers
        self._undo.record(restore)

    def write_many(self, slots: np.ndarray, units: np.ndarray) -> None:
        """Sets every balance of these accounts (units: int64 (n, columns)); not undo-logged."""
        assert not self._undo.active, "write_many bypasses the undo log"
        self.units[slots] = units
        self.balances[slots] = units / self.powers
