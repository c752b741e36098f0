"""The engine facade: sequenced inputs in, outcomes and views out.

One writer calls the state-changing methods (the service layer serialises
them); queries only read. Every input is admitted by the sequencer, applied
inside one undo transaction (so a failure applies nothing), then recorded.
Nothing here knows about gRPC.
"""
from __future__ import annotations

import dataclasses

from . import deltas, mark, views
from .errors import InvalidInput
from .numbers import require_in_range
from .risk import RiskView
from .sequencer import Sequencer
from .state import ExchangeState
from .types import (
    AccountView, AdlQueueEntry, BankruptcyBand, CapPolicy, Currency, CurrencyOutcome,
    CurrencyUpdate, DeltasOutcome, ExchangeConfig, FillBatch, FundView, Instrument,
    InstrumentOutcome, InstrumentUpdate, MarkOutcome, MarkRequest, MarksOutcome, Side, Status,
    TransferBatch,
)
from .valuation import negative_equity_accounts


DEFAULT_MAX_SWEEP_STEPS = 100_000  # about what a -20% crash at exchange-1M takes, with room


class Engine:
    """markcap's domain core (SPEC 1-6)."""

    def __init__(self, config: ExchangeConfig, max_sweep_steps: int = DEFAULT_MAX_SWEEP_STEPS):
        self.state = ExchangeState(config)
        self.risk = RiskView(self.state)  # derived from the state, fed by its change log
        self.sequencer = Sequencer(config.retained_outcomes)
        self.max_sweep_steps = max_sweep_steps  # a sweep's bound when its request sets none (or more)
        self.max_mark_items: int | None = None  # liquidations + ADL fills + steps per call (None: any)

    @property
    def applied_seq(self) -> int:
        """Last applied seq (0 before any input)."""
        return self.sequencer.applied_seq

    # ---- inputs (SPEC 2, 3) -------------------------------------------------

    def apply_deltas(self, seq: int, fills: FillBatch, transfers: TransferBatch) -> DeltasOutcome:
        """Applies one batch atomically: fills in order, then transfers in order."""
        admission = self.sequencer.admit(seq)
        if admission.duplicate:
            return DeltasOutcome(admission.seq, len(fills.qty), len(transfers.amount), duplicate=True)
        fills = deltas.validate_fills(self.state, fills)
        transfers = deltas.validate_transfers(self.state, transfers)
        try:
            deltas.apply_batch(self.state, fills, transfers)
        finally:  # a rejected batch was rolled back: its accounts' rows were rewritten all the same
            self.risk.catch_up()
        outcome = DeltasOutcome(admission.seq, len(fills.qty), len(transfers.amount))
        self.sequencer.record(admission.seq, outcome)
        return outcome

    def apply_mark(self, seq: int, instrument_id: int, price: float,
                   cap_policy: CapPolicy | None = None, dry_run: bool = False, sweep: bool = False,
                   max_steps: int = 0) -> MarkOutcome:
        """Moves a mark per SPEC 3 (a sweep: SPEC 3 "Sweep", at most `max_steps` steps, 0: the
        engine's limit); a dry run changes nothing, consumes no seq and has seq 0."""
        request = MarkRequest(instrument_id, price, cap_policy, sweep, max_steps)
        outcome = self._apply_marks(seq, [request], dry_run, MarkOutcome)
        return outcome if isinstance(outcome, MarkOutcome) else outcome.outcomes[0]

    def apply_marks(self, seq: int, requests: list[MarkRequest], dry_run: bool = False) -> MarksOutcome:
        """SPEC 3 "Several marks at once": every request checked first (any bad one refuses the
        call, nothing applied), then applied in order, each seeing the state the previous left, all
        in one seq."""
        if not requests:
            raise InvalidInput("marks: at least one mark request is needed", field="marks", value=0)
        return self._apply_marks(seq, requests, dry_run, MarksOutcome, several=True)

    def _apply_marks(self, seq: int, requests: list[MarkRequest], dry_run: bool, kind: type,
                     several: bool = False):
        if not dry_run:
            admission = self.sequencer.admit(seq)
            if admission.duplicate:
                return self.sequencer.original(admission, kind)
        checked = [self._checked(request, f"marks[{i}]." if several else "")
                   for i, request in enumerate(requests)]
        ids = [request.instrument_id for request in requests]
        if len(set(ids)) != len(ids):
            repeated = next(i for i in ids if ids.count(i) > 1)
            raise InvalidInput(f"marks: instrument {repeated} is requested more than once",
                               field="marks.instrument_id", value=repeated)
        applied_seq = 0 if dry_run else admission.seq
        budget = mark.ItemBudget(self.max_mark_items)
        with self.risk.operation(always_rollback=dry_run):  # over the budget: raises, all rolled back
            outcomes = tuple(mark.apply_mark(self.risk, applied_seq, r.instrument_id, r.price, policy, dry_run,
                                             r.sweep, steps, budget)
                             for r, policy, steps in checked)
        outcome = MarksOutcome(applied_seq, outcomes) if several else outcomes[0]
        if not dry_run:
            self.sequencer.record(admission.seq, outcome)
        return outcome

    def _checked(self, request: MarkRequest, prefix: str):
        """(request with its price as a float, the policy in force, the sweep's step bound), or
        InvalidInput / UnknownId naming the field."""
        instrument = self.state.instruments.get(request.instrument_id, f"{prefix}instrument_id")
        price = require_in_range(request.price, f"{prefix}price")
        self.state.instruments.grid(instrument).units(price, f"{prefix}price")
        max_steps = request.max_steps
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 0:
            raise InvalidInput(f"{prefix}max_steps is {max_steps!r}: must be a whole number >= 0",
                               field=f"{prefix}max_steps", value=max_steps)
        steps = min(max_steps or self.max_sweep_steps, self.max_sweep_steps)
        return (dataclasses.replace(request, price=price), request.cap_policy or instrument.cap_policy,
                steps)

    def upsert_currency(self, seq: int, update: CurrencyUpdate) -> CurrencyOutcome:
        """Creates a currency or changes its code and price (applied as given, no cap)."""
        admission = self.sequencer.admit(seq)
        if admission.duplicate:
            return self.sequencer.original(admission, CurrencyOutcome)
        currency, is_new = self.state.currencies.validate(update, self.state.has_balances)
        self.state.put_currency(currency, is_new)
        self.risk.catch_up()
        outcome = CurrencyOutcome(admission.seq,
                                  negative_equity_accounts(self.state, self.risk.negative.sorted()))
        self.sequencer.record(admission.seq, outcome)
        return outcome

    def upsert_instrument(self, seq: int, update: InstrumentUpdate) -> InstrumentOutcome:
        """Creates an instrument or changes its symbol, policies and (while nobody holds it) terms."""
        admission = self.sequencer.admit(seq)
        if admission.duplicate:
            return self.sequencer.original(admission, InstrumentOutcome)
        book = self.state.books.get(update.instrument_id)
        instrument = self.state.instruments.validate(update, self.state.currencies,
                                                     has_positions=bool(book and len(book)))
        self.state.put_instrument(instrument)
        self.risk.catch_up()
        outcome = InstrumentOutcome(admission.seq, instrument)
        self.sequencer.record(admission.seq, outcome)
        return outcome

    # ---- queries (SPEC 6) ---------------------------------------------------

    def currencies(self) -> list[Currency]:
        return self.state.currencies.sorted()

    def instruments(self) -> list[Instrument]:
        return self.state.instruments.sorted()

    def account(self, account_id: int) -> AccountView:
        return views.account_view(self.state, account_id)

    def insurance_fund(self) -> FundView:
        return views.fund_view(self.state)

    def bankruptcy_band(self, instrument_id: int) -> BankruptcyBand:
        return views.bankruptcy_band(self.risk, instrument_id)

    def adl_queue(self, instrument_id: int, side: Side | None, limit: int) -> list[AdlQueueEntry]:
        return views.adl_queue(self.state, instrument_id, side, limit)

    def status(self) -> Status:
        state = self.state
        return Status(self.applied_seq, state.accounts.count, state.position_count(),
                      len(state.instruments.by_id), len(state.currencies.by_id), state.fund_account_id,
                      views.state_hash(state, self.applied_seq))

    def check_invariants(self) -> None:
        """Internal consistency of the state (SPEC 7's transition invariants live in the tests)."""
        self.state.check_invariants()
        assert self.risk.caught_up, "an input left the risk view behind the state"
