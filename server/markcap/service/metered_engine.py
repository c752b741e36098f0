"""The engine as the single writer serves it: each newly applied input reported to Metrics and
the mark log.

`MeteredEngine` has every method of EngineApi (engine_api.py), each written out:
inputs go to the engine and, when the applied seq moved, are counted under their
input kind's metric label (input_kinds.py) and recorded; queries go straight to
the engine. It sits inside SerializedEngine (under its lock), so "newly applied"
is exact: not duplicates, dry runs or rejected inputs.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from markcap.engine import (AccountView, AdlQueueEntry, BankruptcyBand, CapPolicy, Currency,
                            CurrencyOutcome, CurrencyUpdate, DeltasOutcome, FillBatch, FundView,
                            Instrument, InstrumentOutcome, InstrumentUpdate, MarkOutcome,
                            MarkRequest, MarksOutcome, Side, Status, TransferBatch)

from . import mark_log
from .engine_api import EngineApi
from .input_kinds import CURRENCY, DELTAS, INSTRUMENT, MARK, MARKS, InputKind
from .metrics import Metrics

Outcome = TypeVar("Outcome")


class MeteredEngine:
    def __init__(self, engine: EngineApi, metrics: Metrics):
        self._engine = engine
        self._metrics = metrics
        metrics.applied_seq.set(engine.applied_seq)  # e.g. restored from the data dir

    @property
    def applied_seq(self) -> int:
        return self._engine.applied_seq

    # ---- inputs: applied, then reported if the applied seq moved ----------------

    def apply_deltas(self, seq: int, fills: FillBatch, transfers: TransferBatch) -> DeltasOutcome:
        return self._applied(lambda: self._engine.apply_deltas(seq, fills, transfers),
                             self._record_deltas)

    def apply_mark(self, seq: int, instrument_id: int, price: float,
                   cap_policy: CapPolicy | None = None, dry_run: bool = False, sweep: bool = False,
                   max_steps: int = 0) -> MarkOutcome:
        return self._applied(
            lambda: self._engine.apply_mark(seq, instrument_id, price, cap_policy, dry_run, sweep,
                                            max_steps),
            lambda outcome: self._record_mark(MARK, outcome))

    def apply_marks(self, seq: int, requests: list[MarkRequest],
                    dry_run: bool = False) -> MarksOutcome:
        def record(outcome: MarksOutcome) -> None:
            for each in outcome.outcomes:  # counted one input per mark, as ApplyMark's are
                self._record_mark(MARKS, each)
        return self._applied(lambda: self._engine.apply_marks(seq, requests, dry_run), record)

    def upsert_currency(self, seq: int, update: CurrencyUpdate) -> CurrencyOutcome:
        return self._applied(lambda: self._engine.upsert_currency(seq, update),
                             lambda outcome: self._metrics.record_input(CURRENCY.metric))

    def upsert_instrument(self, seq: int, update: InstrumentUpdate) -> InstrumentOutcome:
        return self._applied(lambda: self._engine.upsert_instrument(seq, update),
                             lambda outcome: self._metrics.record_input(INSTRUMENT.metric))

    def _applied(self, apply: Callable[[], Outcome],
                 record: Callable[[Outcome], None]) -> Outcome:
        before = self._engine.applied_seq
        outcome = apply()
        if self._engine.applied_seq != before:
            record(outcome)
            self._metrics.applied_seq.set(self._engine.applied_seq)
        return outcome

    def _record_deltas(self, outcome: DeltasOutcome) -> None:
        self._metrics.record_input(DELTAS.metric)
        self._metrics.record_deltas(outcome)

    def _record_mark(self, kind: InputKind, outcome: MarkOutcome) -> None:
        self._metrics.record_input(kind.metric)
        self._metrics.record_mark(outcome)
        mark_log.log_if_eventful(outcome)

    # ---- queries: the engine's own answers --------------------------------------

    def currencies(self) -> list[Currency]:
        return self._engine.currencies()

    def instruments(self) -> list[Instrument]:
        return self._engine.instruments()

    def account(self, account_id: int) -> AccountView:
        return self._engine.account(account_id)

    def insurance_fund(self) -> FundView:
        return self._engine.insurance_fund()

    def bankruptcy_band(self, instrument_id: int) -> BankruptcyBand:
        return self._engine.bankruptcy_band(instrument_id)

    def adl_queue(self, instrument_id: int, side: Side | None, limit: int) -> list[AdlQueueEntry]:
        return self._engine.adl_queue(instrument_id, side, limit)

    def status(self) -> Status:
        return self._engine.status()
