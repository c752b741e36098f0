"""A mark update (SPEC 3): NO_CAP, or the cap at the first bankruptcy price.

Runs against the live state; the caller wraps it in the risk view's
transaction (rolled back for a dry run). Steps are numbered as in SPEC 3. The
bankruptcy index narrows each search to the holders that can matter; their
bankruptcy prices are then computed exactly, so the outcome equals that of a
full scan. Between steps the risk view catches up with what the step changed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import contracts
from .adl import deleverage
from .bankruptcy_index import feature, harmed_first_sign
from .liquidation import take_over
from .risk import RiskView
from .state import ExchangeState
from .types import CapPolicy, Instrument, Liquidation, LiquidationReason, MarkOutcome
from .valuation import account_equity, equities_of, negative_equity_accounts


@dataclass(frozen=True)
class HarmedAccounts:
    """Harmed holders of x with their equity and bankruptcy prices (arrays of shape (n,))."""

    slots: np.ndarray        # int64
    account_ids: np.ndarray  # uint64
    equity: np.ndarray       # float64, at the current marks
    bankruptcy: np.ndarray   # float64, NaN where there is none


def bankruptcy_prices(state: ExchangeState, instrument: Instrument, direction: int,
                      rows: np.ndarray | None = None) -> HarmedAccounts:
    """SPEC 3.1 and 3.3: b_i of harmed holders (q*d < 0) among book `rows` (all holders if None),
    the fund against its floor.

    b is clamped to P0 where float rounding puts it behind P0 (an account at
    zero equity is bankrupt at P0), and is P0 for a fund at or below its floor.
    """
    mark = instrument.mark_price
    book = state.books[instrument.instrument_id]
    if rows is None:
        slots, qty, cost = book.columns()
    else:
        slots, qty, cost = book.slots[rows], book.qty[rows], book.cost[rows]
    harmed = qty * direction < 0
    slots, qty, cost = slots[harmed], qty[harmed].astype(np.float64), cost[harmed]
    sigma = state.sigma(instrument)
    equity = equities_of(state, slots)
    equity_without = equity - sigma * contracts.upnl(instrument.kind, qty, cost, instrument.multiplier, mark)
    is_fund = slots == state.fund_slot
    equity_without = np.where(is_fund, equity_without - state.floor, equity_without)
    bankruptcy = contracts.bankruptcy_price(instrument.kind, qty, cost, instrument.multiplier, sigma,
                                            equity_without)
    behind = (bankruptcy - mark) * direction < 0
    bankruptcy = np.where(behind, mark, bankruptcy)
    fund_at_floor = is_fund & (equity <= state.floor)
    bankruptcy = np.where(fund_at_floor, mark, bankruptcy)
    return HarmedAccounts(slots, state.accounts.ids[slots], equity, bankruptcy)


def priority_of_price(instrument: Instrument, direction: int, price: float) -> float:
    """The index priority a holder bankrupt exactly at `price` would have."""
    return harmed_first_sign(instrument.kind, direction) * feature(instrument, price)


def harmed_near(risk: RiskView, instrument: Instrument, direction: int,
                at_price: float | None = None, query: bool = False) -> HarmedAccounts:
    """Exact bankruptcy prices of the harmed holders that can be nearest (and all at or past `at_price`).

    The mark path catches the risk view up first; a `query` reads it as it is (caught up by
    the input before) and never writes it."""
    if query:
        assert risk.caught_up, "a query found the risk view behind the state"
    else:
        risk.catch_up()
    priority_at = None if at_price is None else priority_of_price(instrument, direction, at_price)
    rows = risk.index.candidates(instrument.instrument_id, direction, priority_at, may_reset=not query)
    return bankruptcy_prices(risk.state, instrument, direction, rows)


def first_bankruptcy_price(harmed: HarmedAccounts, direction: int) -> float | None:
    """SPEC 3.4: the b nearest to P0 in direction d, or None."""
    valid = harmed.bankruptcy[~np.isnan(harmed.bankruptcy)]
    if len(valid) == 0:
        return None
    return float(valid.min() if direction > 0 else valid.max())


def _take_over_in_id_order(state: ExchangeState, slots: np.ndarray, reason: LiquidationReason,
                           price: float) -> list[Liquidation]:
    order = np.argsort(state.accounts.ids[slots], kind="stable")
    return [take_over(state, int(slots[i]), reason, price) for i in order]


def _capped_price(state: ExchangeState, instrument: Instrument, fbp: float, direction: int):
    """SPEC 3.5: p*, the last grid price at or before the FBP seen from P0 (rounded toward P0, so
    nobody is below zero there), and the next grid price beyond it."""
    grid = state.instruments.grid(instrument)
    start = grid.units(instrument.mark_price, "mark_price")
    units = grid.units_toward(fbp, direction)
    if (units - start) * direction < 0:  # the FBP is P0 itself (an account at zero equity)
        units = start
    return grid.value(units), grid.value(units + direction)


def _apply_capped(risk: RiskView, instrument: Instrument, price: float, direction: int):
    """Steps 2-7 for a move in `direction`; returns (liquidations, ADL fills, FBP, capped, p*)."""
    state = risk.state
    instrument_id = instrument.instrument_id
    # One search covers both step 2 (everyone at or past P0) and step 4 (the nearest beyond it).
    harmed = harmed_near(risk, instrument, direction, at_price=instrument.mark_price)
    bankrupt = harmed.slots[(harmed.equity <= 0) & (harmed.slots != state.fund_slot)]
    liquidations = _take_over_in_id_order(state, bankrupt, LiquidationReason.ALREADY_BANKRUPT,
                                          instrument.mark_price)
    if liquidations:  # the fund took positions over: search again on the new state
        harmed = harmed_near(risk, instrument, direction)
    fbp = first_bankruptcy_price(harmed, direction)
    capped = fbp is not None and (fbp - price) * direction <= 0
    applied, in_band = price, None
    if capped:
        applied, next_price = _capped_price(state, instrument, fbp, direction)
        # Step 6's band: everyone bankrupt before the next grid price (b < p* + tick on a rise).
        harmed = harmed_near(risk, instrument, direction, at_price=next_price)
        with np.errstate(invalid="ignore"):
            in_band = (harmed.bankruptcy - next_price) * direction < 0  # NaN (no b): not in it
    state.set_mark(instrument_id, applied)
    instrument = state.instruments.by_id[instrument_id]
    fund_bankrupt_first = False
    if capped:
        is_fund = harmed.slots == state.fund_slot
        fund_bankrupt_first = bool((in_band & is_fund).any())
        liquidations += _take_over_in_id_order(state, harmed.slots[in_band & ~is_fund],
                                               LiquidationReason.FIRST_BANKRUPTCY_PRICE, applied)
    fills = ()
    if fund_bankrupt_first or account_equity(state, state.fund_slot) <= state.floor:
        fills = deleverage(state, instrument, direction)
    return liquidations, fills, fbp, capped, applied


def _update_negative_set(risk: RiskView, instrument: Instrument, direction: int,
                         crossing_possible: bool) -> tuple[np.ndarray, np.ndarray]:
    """Adds the harmed holders the move took below zero; rechecks the fund and every account below.
    Returns those slots (ascending) and their equity at the current marks.

    A capped-policy move that stopped short of the first bankruptcy price
    crosses nobody's bankruptcy price, so only then is the search skipped.
    """
    state = risk.state
    if direction and crossing_possible:
        crossed = harmed_near(risk, instrument, direction, at_price=instrument.mark_price)
        risk.negative.update(crossed.slots, crossed.equity)
    risk.catch_up()
    negative = np.array(sorted(risk.negative.slots | {state.fund_slot}), dtype=np.int64)
    equity = equities_of(state, negative)
    risk.negative.update(negative, equity)
    return negative, equity


def apply_mark(risk: RiskView, seq: int, instrument_id: int, price: float,
               policy: CapPolicy, dry_run: bool) -> MarkOutcome:
    state = risk.state
    instrument = state.instruments.by_id[instrument_id]
    previous = instrument.mark_price
    fund_before = account_equity(state, state.fund_slot)
    direction = int(np.sign(price - previous))
    liquidations, fills, fbp, capped, applied = [], (), None, False, price
    if policy == CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE and direction != 0:
        liquidations, fills, fbp, capped, applied = _apply_capped(risk, instrument, price, direction)
    else:
        state.set_mark(instrument_id, price)
    moved = int(np.sign(applied - previous))
    stopped_short = (policy == CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE and not liquidations and not fills
                     and (fbp is None or (fbp - applied) * moved > 0))
    checked, equity = _update_negative_set(risk, state.instruments.by_id[instrument_id], moved,
                                           not stopped_short)
    fund_after = float(equity[checked == state.fund_slot][0])
    return MarkOutcome(
        seq=seq, instrument_id=instrument_id, previous_price=previous, requested_price=price,
        applied_price=applied, capped=capped, first_bankruptcy_price=fbp,
        liquidations=tuple(liquidations), adl_fills=fills,
        negative_equity_accounts=negative_equity_accounts(state, checked, equity),
        insurance_fund_equity_before=fund_before, insurance_fund_equity_after=fund_after,
        insurance_fund_deficit=max(0.0, state.floor - fund_after), cap_policy=policy, dry_run=dry_run)
