"""Accounts and their balances, stored densely by slot.

Invariants: `slot_of[ids[s]] == s` for every s < count; slots are handed out in
order of first reference and never reused; `balances` has one column per
currency (the column order is `CurrencyTable.columns`).
"""
from __future__ import annotations

import numpy as np

from .undo import UndoLog


class AccountTable:
    def __init__(self, undo: UndoLog, currency_columns: int, capacity: int = 1024):
        self._undo = undo
        self.slot_of: dict[int, int] = {}
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
        self.slot_of[account_id] = slot
        self.count += 1
        self._undo.record(lambda: self._forget_last(account_id))
        return slot

    def create_many(self, account_ids: list[int]) -> None:
        """Creates new accounts (none may exist yet) in order; not undo-logged (staged commits)."""
        assert not self._undo.active, "create_many bypasses the undo log"
        start, end = self.count, self.count + len(account_ids)
        while end > len(self.ids):
            self._grow()
        self.ids[start:end] = account_ids
        self.slot_of.update(zip(account_ids, range(start, end)))
        self.count = end

    def _forget_last(self, account_id: int) -> None:
        slot = self.slot_of.pop(account_id)
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
