"""Accounts and their balances, stored densely by slot.

Invariants: `slot_of.get(ids[s]) == s` for every s < count (an IdMap); slots are handed out in
order of first reference and never reused; `balances` has one column per
currency (the column order is `CurrencyTable.columns`).
"""
from __future__ import annotations

import numpy as np

from .idmap import IdMap
from .undo import UndoLog


class AccountTable:
    def __init__(self, undo: UndoLog, currency_columns: int, capacity: int = 1024):
        self._undo = undo
        self.slot_of = IdMap(capacity)  # account id -> slot, numpy-backed (no per-account objects)
        self.ids = np.zeros(capacity, dtype=np.uint64)
        self.balances = np.zeros((capacity, currency_columns), dtype=np.float64)
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
        self.balances[slot] = 0.0
        self.count -= 1

    def _grow(self) -> None:
        capacity = 2 * len(self.ids)
        self.ids = np.resize(self.ids, capacity)
        grown = np.zeros((capacity, self.balances.shape[1]), dtype=np.float64)
        grown[: self.count] = self.balances[: self.count]
        self.balances = grown

    def add_currency_column(self) -> None:
        self.balances = np.hstack([self.balances, np.zeros((len(self.balances), 1))])

    def balance(self, slot: int, column: int) -> float:
        return float(self.balances[slot, column])

    def set_balance(self, slot: int, column: int, amount: float) -> None:
        old = float(self.balances[slot, column])
        self.balances[slot, column] = amount
        self._undo.record(lambda: self.balances.__setitem__((slot, column), old))

    def add_to_balance(self, slot: int, column: int, amount: float) -> None:
        self.set_balance(slot, column, float(self.balances[slot, column]) + amount)
