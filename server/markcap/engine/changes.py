"""What changed in the primary state since the derived structures last caught up.

The state writes here and never reads it; the derived structures (risk.py)
drain it and bring themselves up to date. That keeps the flow one-way:
state -> change log -> bankruptcy index and negative-equity set. Nothing in
the primary state knows the derived structures exist.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class RowEvent:
    """A book's rows changed shape: `count` rows appended at `row` (moved_from None), or the row
    `row` removed, the book's last row `moved_from` moving into its place (-1: it was the last)."""

    bit: int
    row: int
    count: int = 0
    moved_from: int | None = None


@dataclass
class Changes:
    """One drained batch of changes (see StateChanges)."""

    slots: np.ndarray                    # int64, distinct, ascending: accounts whose rows or balances changed
    books_added: int                     # new (empty) books, numbered after the known ones
    row_events: list[RowEvent]           # in the order they happened
    unheld_terms: list[int]              # instruments whose terms changed while nobody held them
    revalue_all: bool                    # a currency changed: every account's value moved

    @property
    def empty(self) -> bool:
        return not (len(self.slots) or self.books_added or self.row_events or self.unheld_terms or self.revalue_all)


@dataclass
class StateChanges:
    """The change log the state appends to (an input may append many times before a drain)."""

    _slots: set[int] = field(default_factory=set)
    _slot_arrays: list[np.ndarray] = field(default_factory=list)  # from vectorised batch commits
    _books_added: int = 0
    _row_events: list[RowEvent] = field(default_factory=list)
    _unheld_terms: list[int] = field(default_factory=list)
    _revalue_all: bool = False
    generation: int = 0  # bumped by every entry: equal generations, equal primary state (marks aside)

    def account(self, slot: int) -> None:
        self._slots.add(slot)
        self.generation += 1

    def accounts(self, slots: np.ndarray) -> None:
        self._slot_arrays.append(np.asarray(slots, dtype=np.int64))
        self.generation += 1

    def book_added(self) -> None:
        self._books_added += 1
        self.generation += 1

    def rows_appended(self, bit: int, row: int, count: int) -> None:
        self._row_events.append(RowEvent(bit, row, count))
        self.generation += 1

    def row_removed(self, bit: int, row: int, moved_from: int) -> None:
        self._row_events.append(RowEvent(bit, row, moved_from=moved_from))
        self.generation += 1

    def unheld_terms_changed(self, instrument_id: int) -> None:
        self._unheld_terms.append(instrument_id)
        self.generation += 1

    def revalue_all(self) -> None:
        self._revalue_all = True
        self.generation += 1

    @property
    def pending(self) -> bool:
        return bool(self._slots or self._slot_arrays or self._books_added or self._row_events or self._unheld_terms
                    or self._revalue_all)

    def drain(self) -> Changes:
        """Everything logged since the last drain; the log is empty afterwards."""
        if len(self._slot_arrays) == 1 and not self._slots:  # one batch commit: already unique, sorted
            slots = self._slot_arrays[0]
        else:
            slots = np.unique(np.concatenate(self._slot_arrays + [
                np.fromiter(self._slots, dtype=np.int64, count=len(self._slots))]))
        changes = Changes(slots, self._books_added, self._row_events, self._unheld_terms,
                          self._revalue_all)
        self._slots, self._slot_arrays, self._row_events, self._unheld_terms = set(), [], [], []
        self._books_added, self._revalue_all = 0, False
        return changes
