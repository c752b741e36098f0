"""The single writer: every call into the engine runs under one lock.

gRPC handlers run on many threads; the engine is single-threaded. Serialising
all calls makes state changes happen in one order (deterministic) and lets
queries see a state between inputs, never one half-way through.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Callable, TypeVar

from markcap.engine import (CapPolicy, CurrencyOutcome, CurrencyUpdate, DeltasOutcome, Engine,
                            FillBatch, InstrumentOutcome, InstrumentUpdate, MarkOutcome,
                            TransferBatch)

Result = TypeVar("Result")
OnApplied = Callable[[MarkOutcome | CurrencyOutcome], None]


class SerializedEngine:
    """Engine calls under one lock; newly applied mark/currency outcomes go to `on_applied`.

    `on_applied` runs under the lock, so its observers see outcomes in seq
    order. Duplicates and dry runs do not advance applied_seq and are not passed on.
    """

    def __init__(self, engine: Engine, on_applied: OnApplied = lambda outcome: None):
        self._engine = engine
        self._on_applied = on_applied
        self._lock = threading.Lock()

    def apply_deltas(self, seq: int, fills: FillBatch,
                     transfers: TransferBatch) -> DeltasOutcome:
        with self._lock:
            return self._engine.apply_deltas(seq, fills, transfers)

    def apply_mark(self, seq: int, instrument_id: int, price: float,
                   cap_policy: CapPolicy | None, dry_run: bool) -> MarkOutcome:
        with self._lock:
            before = self._engine.applied_seq
            outcome = self._engine.apply_mark(seq, instrument_id, price, cap_policy, dry_run)
            self._publish_if_applied(before, outcome)
            return outcome

    def upsert_currency(self, seq: int, update: CurrencyUpdate) -> CurrencyOutcome:
        with self._lock:
            before = self._engine.applied_seq
            outcome = self._engine.upsert_currency(seq, update)
            self._publish_if_applied(before, outcome)
            return outcome

    def upsert_instrument(self, seq: int, update: InstrumentUpdate) -> InstrumentOutcome:
        with self._lock:
            return self._engine.upsert_instrument(seq, update)

    @contextmanager
    def exclusive(self) -> Iterator[Engine]:
        """The engine under the lock, for a change in several steps (apply, journal, publish)."""
        with self._lock:
            yield self._engine

    def read(self, query: Callable[[Engine], Result]) -> Result:
        """Runs a query, e.g. `read(lambda engine: engine.account(7))`, between inputs."""
        with self._lock:
            return query(self._engine)

    def _publish_if_applied(self, applied_seq_before: int, outcome) -> None:
        if self._engine.applied_seq != applied_seq_before:
            self._on_applied(outcome)
