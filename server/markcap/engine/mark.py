"""A mark update (SPEC 3): NO_CAP, or the cap at the first bankruptcy price.

Runs against the live state; the caller wraps it in the risk view's
transaction (rolled back for a dry run). Steps are numbered as in SPEC 3. The
bankruptcy index narrows each search to the holders that can matter; their
bankruptcy prices are then computed exactly, so the outcome equals that of a
full scan. Between steps the risk view catches up with what the step changed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .adl import deleverage
from .adl_window import SweepSides
from .bankruptcy import HarmedAccounts, harmed_accounts
from .bankruptcy_index import BOUND_MARGIN, feature, harmed_first_sign
from .errors import LimitExceeded
from .harmed_window import HarmedWindow
from .liquidation import take_over
from .risk import RiskView
from .state import ExchangeState
from .sweep_ledger import SweepLedger
from .types import CapPolicy, ContractKind, Instrument, Liquidation, LiquidationReason, MarkOutcome, MarkStep, SweepStopReason
from .units import price_ticks
from .valuation import ERROR_BOUND, equities_and_magnitudes, negative_equity_accounts


def priority_of_price(instrument: Instrument, direction: int, price: float) -> float:
    """The index priority a holder bankrupt exactly at `price` would have."""
    return harmed_first_sign(instrument.kind, direction) * feature(instrument, price)


def harmed_near(risk: RiskView, instrument: Instrument, direction: int,
                at_price: float | None = None, query: bool = False) -> HarmedAccounts:
    """The harmed holders that can be nearest (and all at or past `at_price`), for exact decisions.

    The mark path catches the risk view up first; a `query` reads it as it is (caught up by
    the input before) and never writes it."""
    return _harmed_and_covered(risk, instrument, direction, at_price, query)[0]


def _harmed_and_covered(risk: RiskView, instrument: Instrument, direction: int,
                        at_price: float | None = None, query: bool = False,
                        beyond: float = 0.0) -> tuple[HarmedAccounts, float]:
    """harmed_near, searching `beyond` that much priority past the nearest, with the priority up
    to which the answer holds every harmed holder."""
    if query:
        assert risk.caught_up, "a query found the risk view behind the state"
    else:
        risk.catch_up()
    priority_at = None if at_price is None else priority_of_price(instrument, direction, at_price)
    rows, covered = risk.index.candidates(instrument.instrument_id, direction, priority_at,
                                          may_reset=not query, beyond=beyond)
    return harmed_accounts(risk.state, instrument, direction, rows), covered


def _one_tick_of_priority(instrument: Instrument) -> float:
    """About one tick of priority at the mark (1/p moves by tick/p^2 for INVERSE): a widening
    that makes the band's question likely to be answered by the search for the first price.
    Only a likelihood: whether it was is checked against what the search covered."""
    if instrument.kind == ContractKind.LINEAR:
        return instrument.tick_size
    return instrument.tick_size / instrument.mark_price ** 2


def _take_over_in_id_order(state: ExchangeState, slots: np.ndarray, reason: LiquidationReason,
                           price: float, ledger: SweepLedger | None = None) -> list[Liquidation]:
    order = np.argsort(state.accounts.ids[slots], kind="stable")
    if ledger is not None:
        return [ledger.take_over(int(slots[i]), reason, price) for i in order]
    return [take_over(state, int(slots[i]), reason, price) for i in order]


def _capped_ticks(start: int, fbp: Fraction, direction: int) -> int:
    """SPEC 3.5: p* in ticks, the last grid price at or before the FBP seen from P0: floor on a rise,
    ceil on a fall (toward P0, so nobody is below zero there), never behind P0."""
    units = math.floor(fbp) if direction > 0 else math.ceil(fbp)
    return start if (units - start) * direction < 0 else units


class _FreshSearch:
    """A single step's questions, each answered by a search of the bankruptcy index on the state
    as it is then (the risk view caught up first). The search that finds the first price
    reaches about a tick past it, so the band's question is mostly answered from it."""

    def __init__(self, risk: RiskView, instrument: Instrument, direction: int):
        self.risk, self.instrument, self.direction = risk, instrument, direction
        self.harmed: HarmedAccounts | None = None
        self.covered = -np.inf  # the priority up to which `harmed` holds every harmed holder
        self.stale = True  # the state changed since `harmed` was searched

    def _search(self, at_price: float | None) -> HarmedAccounts:
        harmed, self.covered = _harmed_and_covered(self.risk, self.instrument, self.direction, at_price,
                                                   beyond=_one_tick_of_priority(self.instrument))
        return harmed

    def bankrupt_now(self) -> np.ndarray:
        self.harmed = self._search(self.instrument.mark_price)
        slots = self.harmed.bankrupt_now()
        self.stale = len(slots) > 0  # the fund takes them over before the next question
        return slots

    def first(self) -> Fraction | None:
        if self.stale:
            self.harmed = self._search(None)
            self.stale = False
        return self.harmed.first()

    def band(self, ticks: int) -> tuple[np.ndarray, bool]:
        state = self.risk.state
        price = state.instruments.grid(self.instrument).value(ticks)
        needed = priority_of_price(self.instrument, self.direction, price)
        # Every harmed holder with b before `price` has a priority below `needed`; the float
        # slack keeps the comparison on the safe side of the exact one.
        if self.stale or needed + BOUND_MARGIN * (1.0 + abs(needed)) > self.covered:
            self.harmed = harmed_near(self.risk, self.instrument, self.direction, at_price=price)
        harmed = self.harmed
        in_band = harmed.before(ticks)
        is_fund = harmed.slots == state.fund_slot
        return harmed.slots[in_band & ~is_fund], bool((in_band & is_fund).any())


def _apply_capped(risk: RiskView, instrument: Instrument, start: int, requested: int, direction: int,
                  window: HarmedWindow | None = None, sides: SweepSides | None = None,
                  ledger: SweepLedger | None = None):
    """Steps 2-7 for a move from `start` toward `requested` ticks in `direction`; returns
    (liquidations, ADL fills, FBP, capped, p* in ticks, whether the sweep's window answered).

    A sweep's window holds every harmed holder with b up to one tick past `requested`: it answers
    unless the nearest b lies beyond `requested` (an uncapped last step), which the index finds,
    once the sweep's `ledger` (which goes with the window) is written to the state."""
    state = risk.state
    instrument_id = instrument.instrument_id
    grid = state.instruments.grid(instrument)
    search = window if window is not None else _FreshSearch(risk, instrument, direction)
    # Step 2 (everyone at or past P0), then step 4 (the nearest beyond it) on the new state.
    liquidations = _take_over_in_id_order(state, search.bankrupt_now(), LiquidationReason.ALREADY_BANKRUPT,
                                          instrument.mark_price, ledger)
    fbp = search.first()
    if window is not None and (fbp is None or (fbp - requested) * direction > 0):
        ledger.write()
        search, window, ledger = _FreshSearch(risk, instrument, direction), None, None
        fbp = search.first()
    capped = fbp is not None and (fbp - requested) * direction <= 0
    applied, in_band, fund_bankrupt_first = requested, (), False
    if capped:
        applied = _capped_ticks(start, fbp, direction)
        # Step 6's band: everyone bankrupt before the next grid price (b < p* + tick on a rise).
        in_band, fund_bankrupt_first = search.band(applied + direction)
    state.set_mark(instrument_id, grid.value(applied))
    instrument = state.instruments.by_id[instrument_id]
    liquidations += _take_over_in_id_order(state, np.asarray(in_band, dtype=np.int64),
                                           LiquidationReason.FIRST_BANKRUPTCY_PRICE, instrument.mark_price, ledger)
    fills = ()
    fund_equity = risk.fund_equity() if ledger is None else ledger.equity()
    if fund_bankrupt_first or fund_equity <= state.floor_exact:  # step 7, exact
        fills = deleverage(state, instrument, direction, sides, ledger)
    fbp_price = None if fbp is None else float(fbp * state.terms(instrument).tick)
    return liquidations, fills, fbp_price, capped, applied, window is not None


def _update_negative_set(risk: RiskView, instrument: Instrument, direction: int,
                         crossing_possible: bool) -> np.ndarray:
    """Adds the harmed holders the move may have taken below zero (searched only when
    `crossing_possible`); rechecks the fund and every account in the set. Returns those
    slots (ascending: a superset of the negative ones)."""
    state = risk.state
    if direction and crossing_possible:
        crossed = harmed_near(risk, instrument, direction, at_price=instrument.mark_price)
        risk.negative.update(crossed.slots, crossed.equity < crossed.equity_error)
    risk.catch_up()
    checked = np.array(sorted(risk.negative.slots | {state.fund_slot}), dtype=np.int64)
    equity, magnitude = equities_and_magnitudes(state, checked)
    risk.negative.update(checked, equity < ERROR_BOUND * magnitude)
    return checked


class ItemBudget:
    """Liquidations + ADL fills + steps one call may answer with (None: any number)."""

    def __init__(self, limit: int | None):
        self.limit, self.used = limit, 0

    def spend(self, items: int) -> None:
        self.used += items
        if self.limit is not None and self.used > self.limit:
            raise LimitExceeded(f"the mark update would answer with more than {self.limit} liquidations, "
                                f"ADL fills and steps: over max_mark_items {self.limit} (--max-mark-items); "
                                f"nothing was applied: ask for fewer steps (max_steps) or a nearer price",
                                limit_name="max_mark_items", limit=self.limit, got=self.used)


@dataclass(frozen=True)
class _Step:
    liquidations: list
    fills: tuple
    fbp: float | None
    capped: bool
    applied: float
    applied_ticks: int
    checked: np.ndarray | None  # a superset of the accounts now negative (None: left to the sweep's end)
    window_answered: bool = False


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _step(risk: RiskView, instrument_id: int, requested: int, policy: CapPolicy,
          window: HarmedWindow | None = None, sides: SweepSides | None = None,
          ledger: SweepLedger | None = None) -> _Step:
    """One update of SPEC 3 from the current mark toward `requested` ticks (directions, like every
    decision, are taken on the grid's integers, never on doubles). With a sweep's `window`, the
    negative set is brought up to date once at the sweep's end (it decides nothing on the way)."""
    state = risk.state
    instrument = state.instruments.by_id[instrument_id]
    start = state.mark_ticks(instrument)
    direction = _sign(requested - start)
    liquidations, fills, fbp, capped, applied, answered = [], (), None, False, requested, False
    if policy == CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE and direction != 0:
        liquidations, fills, fbp, capped, applied, answered = _apply_capped(risk, instrument, start, requested,
                                                                            direction, window, sides, ledger)
    else:
        state.set_mark(instrument_id, state.instruments.grid(instrument).value(requested))
    instrument = state.instruments.by_id[instrument_id]
    checked = None
    if not answered:
        # Under the cap nobody harmed is left below zero: everyone bankrupt before the next grid
        # price was taken over (the band) and the first bankruptcy price, exact over every
        # harmed holder, lies beyond the move otherwise. Only NO_CAP can cross one.
        crossing_possible = policy != CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE
        checked = _update_negative_set(risk, instrument, _sign(applied - start), crossing_possible)
    return _Step(liquidations, fills, fbp, capped, instrument.mark_price, applied, checked, answered)


def apply_mark(risk: RiskView, seq: int, instrument_id: int, price: float, policy: CapPolicy,
               dry_run: bool, sweep: bool = False, max_steps: int = 0,
               budget: ItemBudget | None = None) -> MarkOutcome:
    """SPEC 3; with `sweep`, the step repeated toward `price` (SPEC 3 "Sweep") until the mark gets
    there, a step changes nothing, or `max_steps` steps ran: exactly the same steps, in the same
    order, as calling this once per step."""
    state = risk.state
    instrument = state.instruments.by_id[instrument_id]
    previous, requested = instrument.mark_price, price_ticks(instrument.tick_size, price)
    fund_before = float(risk.fund_equity())
    steps, liquidations, fills, reason = [], [], [], None
    direction = _sign(requested - state.mark_ticks(instrument))
    window = sides = ledger = None
    if sweep and policy == CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE and direction != 0:
        sides = SweepSides(state, state.mark_ticks(instrument), requested)
        limit = requested + direction  # the band of a step capped at `requested` reaches this far
        ledger = SweepLedger(state, instrument_id)
        window = HarmedWindow(harmed_near(risk, instrument, direction,
                                          at_price=state.instruments.grid(instrument).value(limit)), limit,
                              ledger)
    while True:
        before = state.mark_ticks(state.instruments.by_id[instrument_id])
        step = _step(risk, instrument_id, requested, policy, window, sides, ledger)
        if not step.window_answered:
            # The index answered (its state written first): the window may no longer hold every candidate.
            assert ledger is None or ledger.written
            window = ledger = None
        liquidations += step.liquidations
        fills += step.fills
        if budget is not None:
            budget.spend(len(step.liquidations) + len(step.fills) + (1 if sweep else 0))
        if not sweep:
            break
        steps.append(MarkStep(step.applied, step.capped, step.fbp, len(step.liquidations), len(step.fills),
                              float(risk.fund_equity() if ledger is None else ledger.equity())))
        if step.applied_ticks == requested:
            reason = SweepStopReason.REACHED_REQUESTED_PRICE
        elif step.applied_ticks == before and not step.liquidations and not step.fills:
            reason = SweepStopReason.NO_PROGRESS
        elif max_steps and len(steps) >= max_steps:
            reason = SweepStopReason.MAX_STEPS
        if reason is not None:
            break
    checked = step.checked
    if checked is None:  # the sweep ended on a step its window answered: capped steps, none crossed
        ledger.write()
        checked = _update_negative_set(risk, state.instruments.by_id[instrument_id], direction, False)
    fund_after = risk.fund_equity()
    first = steps[0] if steps else None
    return MarkOutcome(
        seq=seq, instrument_id=instrument_id, previous_price=previous, requested_price=price,
        applied_price=step.applied, capped=any(s.capped for s in steps) if sweep else step.capped,
        first_bankruptcy_price=first.first_bankruptcy_price if first else step.fbp,
        liquidations=tuple(liquidations), adl_fills=tuple(fills),
        negative_equity_accounts=negative_equity_accounts(state, checked, {state.fund_slot: fund_after}),
        insurance_fund_equity_before=fund_before, insurance_fund_equity_after=float(fund_after),
        insurance_fund_deficit=float(max(Fraction(0), state.floor_exact - fund_after)), cap_policy=policy,
        dry_run=dry_run, steps=tuple(steps), sweep_stop_reason=reason)
