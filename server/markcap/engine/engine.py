"""The engine facade: sequenced inputs in, outcomes and views out.

One writer calls the state-changing methods (the service layer serialises
them); queries only read. Nothing here knows about gRPC.
"""
from __future__ import annotations

from .types import (
    AccountView, AdlQueueEntry, BankruptcyBand, CapPolicy, Currency, CurrencyOutcome,
    CurrencyUpdate, DeltasOutcome, ExchangeConfig, FillBatch, FundView, Instrument,
    InstrumentOutcome, InstrumentUpdate, MarkOutcome, Side, Status, TransferBatch,
)


class Engine:
    """markcap's domain core (SPEC 1-6)."""

    def __init__(self, config: ExchangeConfig):
        raise NotImplementedError

    @property
    def applied_seq(self) -> int:
        """Last applied seq (0 before any input)."""
        raise NotImplementedError

    # ---- inputs (SPEC 2, 3) -------------------------------------------------

    def apply_deltas(self, seq: int, fills: FillBatch, transfers: TransferBatch) -> DeltasOutcome:
        """Applies one batch atomically: fills in order, then transfers in order."""
        raise NotImplementedError

    def apply_mark(self, seq: int, instrument_id: int, price: float,
                   cap_policy: CapPolicy | None = None, dry_run: bool = False) -> MarkOutcome:
        """Moves a mark per SPEC 3; a dry run changes nothing and has seq 0."""
        raise NotImplementedError

    def upsert_currency(self, seq: int, update: CurrencyUpdate) -> CurrencyOutcome:
        """Creates a currency or changes its code/price (no cap)."""
        raise NotImplementedError

    def upsert_instrument(self, seq: int, update: InstrumentUpdate) -> InstrumentOutcome:
        """Creates an instrument or changes its symbol, policies and (while unheld) terms."""
        raise NotImplementedError

    # ---- queries (SPEC 6) ---------------------------------------------------

    def currencies(self) -> list[Currency]:
        raise NotImplementedError

    def instruments(self) -> list[Instrument]:
        raise NotImplementedError

    def account(self, account_id: int) -> AccountView:
        raise NotImplementedError

    def insurance_fund(self) -> FundView:
        raise NotImplementedError

    def bankruptcy_band(self, instrument_id: int) -> BankruptcyBand:
        raise NotImplementedError

    def adl_queue(self, instrument_id: int, side: Side, limit: int) -> list[AdlQueueEntry]:
        raise NotImplementedError

    def status(self) -> Status:
        raise NotImplementedError
