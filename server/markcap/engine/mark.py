"""A mark update (SPEC 3): NO_CAP, or the cap at the first bankruptcy price.

Runs against the live state; the caller wraps it in a transaction (rolled
back for a dry run). Steps are numbered as in SPEC 3.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import contracts
from .adl import deleverage
from .liquidation import take_over
from .state import ExchangeState
from .types import CapPolicy, Instrument, Liquidation, LiquidationReason, MarkOutcome
from .valuation import account_equity, all_equities, negative_equity_accounts


@dataclass(frozen=True)
class HarmedAccounts:
    """Holders of x harmed by a move in direction d, with their bankruptcy prices (shape (n,))."""

    slots: np.ndarray        # int64
    account_ids: np.ndarray  # uint64
    bankruptcy: np.ndarray   # float64, NaN where there is none


def bankruptcy_prices(state: ExchangeState, instrument: Instrument, direction: int) -> HarmedAccounts:
    """SPEC 3.1 and 3.3: b_i of every harmed holder (q*d < 0), the fund against its floor.

    b is clamped to P0 where float rounding puts it behind P0 (an account at
    zero equity is bankrupt at P0), and is P0 for a fund at or below its floor.
    """
    mark = instrument.mark_price
    slots, qty, cost = state.books[instrument.instrument_id].columns()
    harmed = qty * direction < 0
    slots, qty, cost = slots[harmed], qty[harmed].astype(np.float64), cost[harmed]
    sigma = state.sigma(instrument)
    equity = all_equities(state)[slots]
    equity_without = equity - sigma * contracts.upnl(instrument.kind, qty, cost, instrument.multiplier, mark)
    is_fund = slots == state.fund_slot
    equity_without = np.where(is_fund, equity_without - state.floor, equity_without)
    bankruptcy = contracts.bankruptcy_price(instrument.kind, qty, cost, instrument.multiplier, sigma,
                                            equity_without)
    behind = (bankruptcy - mark) * direction < 0
    bankruptcy = np.where(behind, mark, bankruptcy)
    fund_at_floor = is_fund & (equity <= state.floor)
    bankruptcy = np.where(fund_at_floor, mark, bankruptcy)
    return HarmedAccounts(slots, state.accounts.ids[slots], bankruptcy)


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


def _liquidate_already_bankrupt(state: ExchangeState, instrument: Instrument,
                                direction: int) -> list[Liquidation]:
    """SPEC 3.2: harmed non-fund accounts with equity <= 0 at P0 go to the fund at P0."""
    slots, qty, _ = state.books[instrument.instrument_id].columns()
    candidates = slots[(qty * direction < 0) & (slots != state.fund_slot)]
    bankrupt = candidates[all_equities(state)[candidates] <= 0]
    return _take_over_in_id_order(state, bankrupt, LiquidationReason.ALREADY_BANKRUPT,
                                  instrument.mark_price)


def apply_mark(state: ExchangeState, seq: int, instrument_id: int, price: float,
               policy: CapPolicy, dry_run: bool) -> MarkOutcome:
    instrument = state.instruments.by_id[instrument_id]
    previous = instrument.mark_price
    fund_before = account_equity(state, state.fund_slot)
    direction = int(np.sign(price - previous))
    liquidations: list[Liquidation] = []
    fills = ()
    fbp = None
    capped = False
    applied = price
    if policy == CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE and direction != 0:
        liquidations += _liquidate_already_bankrupt(state, instrument, direction)
        harmed = bankruptcy_prices(state, instrument, direction)
        fbp = first_bankruptcy_price(harmed, direction)
        capped = fbp is not None and (fbp - price) * direction <= 0
        applied = fbp if capped else price
        state.set_mark(instrument_id, applied)
        instrument = state.instruments.by_id[instrument_id]
        fund_bankrupt_first = False
        if capped:
            at_fbp = harmed.bankruptcy == fbp
            fund_bankrupt_first = bool((at_fbp & (harmed.slots == state.fund_slot)).any())
            traders = harmed.slots[at_fbp & (harmed.slots != state.fund_slot)]
            liquidations += _take_over_in_id_order(state, traders, LiquidationReason.FIRST_BANKRUPTCY_PRICE,
                                                   applied)
        if fund_bankrupt_first or account_equity(state, state.fund_slot) <= state.floor:
            fills = deleverage(state, instrument, direction)
    else:
        state.set_mark(instrument_id, price)
    fund_after = account_equity(state, state.fund_slot)
    return MarkOutcome(
        seq=seq, instrument_id=instrument_id, previous_price=previous, requested_price=price,
        applied_price=applied, capped=capped, first_bankruptcy_price=fbp,
        liquidations=tuple(liquidations), adl_fills=fills,
        negative_equity_accounts=negative_equity_accounts(state),
        insurance_fund_equity_before=fund_before, insurance_fund_equity_after=fund_after,
        insurance_fund_deficit=max(0.0, state.floor - fund_after), cap_policy=policy, dry_run=dry_run)
