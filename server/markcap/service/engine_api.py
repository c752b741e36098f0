"""What the service needs from an engine: the inputs it applies and the queries it answers.

`markcap.engine.Engine` has these methods (it satisfies the Protocol without naming
it); `metered_engine.MeteredEngine` has them too, each written out, and reports
what was applied. The single writer (writer.py), the input kinds
(input_kinds.py) and DurableInputs (inputs.py) hold an EngineApi, never more of
the engine: its state and derived structures are the engine's (snapshots take
the Engine itself: snapshotter.py).
"""
from __future__ import annotations

from typing import Protocol

from markcap.engine import (AccountView, AdlQueueEntry, BankruptcyBand, CapPolicy, Currency,
                            CurrencyOutcome, CurrencyUpdate, DeltasOutcome, FillBatch, FundView,
                            Instrument, InstrumentOutcome, InstrumentUpdate, MarkOutcome,
                            MarkRequest, MarksOutcome, Side, Status, TransferBatch)


class EngineApi(Protocol):
    @property
    def applied_seq(self) -> int:
        """Last applied seq (0 before any input)."""

    # ---- inputs ---------------------------------------------------------------

    def apply_deltas(self, seq: int, fills: FillBatch, transfers: TransferBatch) -> DeltasOutcome:
        ...

    def apply_mark(self, seq: int, instrument_id: int, price: float,
                   cap_policy: CapPolicy | None = None, dry_run: bool = False, sweep: bool = False,
                   max_steps: int = 0) -> MarkOutcome:
        ...

    def apply_marks(self, seq: int, requests: list[MarkRequest],
                    dry_run: bool = False) -> MarksOutcome:
        ...

    def upsert_currency(self, seq: int, update: CurrencyUpdate) -> CurrencyOutcome:
        ...

    def upsert_instrument(self, seq: int, update: InstrumentUpdate) -> InstrumentOutcome:
        ...

    # ---- queries --------------------------------------------------------------

    def currencies(self) -> list[Currency]:
        ...

    def instruments(self) -> list[Instrument]:
        ...

    def account(self, account_id: int) -> AccountView:
        ...

    def insurance_fund(self) -> FundView:
        ...

    def bankruptcy_band(self, instrument_id: int) -> BankruptcyBand:
        ...

    def adl_queue(self, instrument_id: int, side: Side | None, limit: int) -> list[AdlQueueEntry]:
        ...

    def status(self) -> Status:
        ...
