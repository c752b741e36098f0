"""The structures derived from the exchange state, fed one way by its change log.

    ExchangeState --changes--> RiskView (bankruptcy index, negative-equity set) --> mark, ADL, views

The state logs what it changes (changes.py) and never calls in here. `catch_up`
drains the log: the index re-aligns its keys with the books' rows, re-keys the
changed accounts (or everyone, after a currency change) and the negative set
takes their equity from that same pass. Writers (the engine's inputs, the mark
path between its steps) catch up; queries only read, on a view that is caught up.

Invariants after `catch_up`: every open position has an index key computed from
the current state (at its tier's reference marks); `negative` holds every account
with exact equity < 0 at the current marks, and perhaps some just above 0 (floats
keep it, with a bound; the exact check is made where it is reported).
"""
from __future__ import annotations

from contextlib import contextmanager
from fractions import Fraction

import numpy as np

from .bankruptcy_index import BankruptcyIndex
from .state import ExchangeState
from .valuation import UpnlMemo, exact_equity_parts


class NegativeEquity:
    """Slots of the accounts that may have equity < 0 at the current marks (all that do)."""

    def __init__(self) -> None:
        self.slots: set[int] = set()

    def update(self, slots: np.ndarray, maybe_negative: np.ndarray) -> None:
        """Takes whether each of these accounts may be negative (aligned arrays) as current."""
        self.slots.difference_update(slots[~maybe_negative].tolist())
        self.slots.update(slots[maybe_negative].tolist())

    def sorted(self) -> np.ndarray:
        return np.array(sorted(self.slots), dtype=np.int64)


class RiskView:
    """The bankruptcy index and the negative-equity set of one ExchangeState."""

    def __init__(self, state: ExchangeState):
        self.state = state
        self.index = BankruptcyIndex(state)
        self.negative = NegativeEquity()
        self._caught_up_in_operation: list[np.ndarray] | None = None
        self._fund_equity: tuple | None = None
        self._fund_terms = UpnlMemo()
        self.catch_up()

    def fund_equity(self) -> Fraction:
        """The fund's exact equity, remembered while neither the state nor any mark changed (the
        mark path asks for it before and after every step)."""
        key = (self.state.changes.generation, self.state.instruments.version)
        if self._fund_equity is None or self._fund_equity[0] != key:
            parts = exact_equity_parts(self.state, self.state.fund_slot, memo=self._fund_terms)
            self._fund_equity = (key, Fraction(*parts))
        return self._fund_equity[1]

    @property
    def caught_up(self) -> bool:
        return not self.state.changes.pending

    def catch_up(self) -> None:
        """Brings the index and the negative set up to date with every change the state logged."""
        if not self.state.changes.pending:
            return
        changes = self.state.changes.drain()
        if changes.empty:
            return
        self.index.catch_up_structure(changes.row_events, changes.unheld_terms)
        if changes.revalue_all:
            self.negative.slots.clear()
            slots, maybe_negative = self.index.rebuild()
        elif len(changes.slots):
            slots, maybe_negative = self.index.rekey(changes.slots)
        else:
            return
        self.negative.update(slots, maybe_negative)
        if self._caught_up_in_operation is not None:
            self._caught_up_in_operation.append(slots)

    def rebuild(self) -> None:
        """Everything from the primary state (after a snapshot is loaded into it)."""
        self.state.changes.drain()
        self.state.changes.revalue_all()
        self.catch_up()

    @contextmanager
    def operation(self, *, always_rollback: bool = False):
        """The state's undo transaction, with the derived structures right after a rollback.

        A rollback rewrites rows without logging the accounts again, so every account
        caught up during the operation is logged once more, and the negative set is
        restored to what it was before (accounts a mark move took below zero are not
        in the state's log at all).
        """
        self._caught_up_in_operation, negative_before = [], set(self.negative.slots)
        rolled_back = True
        try:
            with self.state.operation(always_rollback=always_rollback):
                yield
            rolled_back = always_rollback
        finally:
            caught_up, self._caught_up_in_operation = self._caught_up_in_operation, None
            if rolled_back:
                self.negative.slots = negative_before
                for slots in caught_up:
                    self.state.changes.accounts(slots)
            self.catch_up()
