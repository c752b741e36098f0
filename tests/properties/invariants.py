"""SPEC §7 invariants, written once, checked on the engine's own views after every step.

Each check reads engine snapshots (balances, positions with qty and cost,
prices, marks) and recomputes what it needs from SPEC §1, so it trusts
neither the engine's internals nor the reference.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from markcap.engine import Engine, UnknownId
from markcap.engine.types import (
    AccountView, CapPolicy, ContractKind, ExchangeConfig, Instrument, LiquidationReason, MarkOutcome,
)

from reference.grid import exact

# Float64 rounding allowance, relative to the gross size of the values summed.
RELATIVE_ROUNDING = 1e-9


@dataclass(frozen=True)
class Snapshot:
    """The engine's state as seen through its queries."""

    currency_price: dict[int, float]
    instruments: dict[int, Instrument]
    accounts: dict[int, AccountView]
    fund_id: int
    floor: float
    unit_value: dict[int, float]  # one minor unit of each currency, in valuation currency


def snapshot(engine: Engine, account_ids: set[int]) -> Snapshot:
    fund = engine.insurance_fund()
    accounts = {fund.account.account_id: fund.account}
    for account_id in sorted(account_ids):
        try:
            accounts[account_id] = engine.account(account_id)
        except UnknownId:
            continue
    return Snapshot({c.currency_id: c.price for c in engine.currencies()},
                    {i.instrument_id: i for i in engine.instruments()},
                    accounts, fund.account.account_id, fund.floor,
                    {c.currency_id: 10.0**-c.decimals * c.price for c in engine.currencies()})


def equity_terms(state: Snapshot, account_id: int, marks: dict[int, float] | None = None) -> list[float]:
    """The terms of E = sum_c balance_c*px(c) + sum_x px(s(x))*upnl_x(mark_x), marks overridable."""
    marks = marks or {}
    view = state.accounts[account_id]
    terms = [amount * state.currency_price[currency_id] for currency_id, amount in view.balances]
    for position in view.positions:
        instrument = state.instruments[position.instrument_id]
        price = marks.get(position.instrument_id, instrument.mark_price)
        notional = position.qty * instrument.multiplier
        if instrument.kind == ContractKind.LINEAR:
            upnl_terms = (notional * price, -position.cost)
        else:
            upnl_terms = (position.cost, -notional / price)
        sigma = state.currency_price[instrument.settlement_currency_id]
        terms += [sigma * term for term in upnl_terms]
    return terms


def equity_at(state: Snapshot, account_id: int, marks: dict[int, float] | None = None) -> float:
    return math.fsum(equity_terms(state, account_id, marks))


def rounding_allowance(state: Snapshot, account_ids, marks: dict[int, float] | None = None) -> float:
    gross = sum(abs(t) for a in account_ids for t in equity_terms(state, a, marks))
    return RELATIVE_ROUNDING * gross + 1e-9


def total_equity(state: Snapshot, marks: dict[int, float] | None = None) -> float:
    return math.fsum(t for a in state.accounts for t in equity_terms(state, a, marks))


# ---- the checks -------------------------------------------------------------------


def check_capped_update_harms_nobody(before: Snapshot, after: Snapshot, outcome: MarkOutcome) -> None:
    """After a capped update no account has negative equity it did not have before, and the
    fund is not below F unless it already was (or absorbed an already-bankrupt account at P0,
    SPEC §3.2); a fund below F has its deficit reported."""
    if outcome.cap_policy != CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE:
        return
    adl_roundings: dict[int, float] = {}  # an ADL fill rounds against its account: < 1 unit, twice on a flip
    for fill in outcome.adl_fills:
        currency = after.instruments[fill.instrument_id].settlement_currency_id
        adl_roundings[fill.account_id] = adl_roundings.get(fill.account_id, 0.0) + 2 * after.unit_value[currency]
    for account_id, view in after.accounts.items():
        if account_id == after.fund_id:
            continue
        was = equity_at(before, account_id) if account_id in before.accounts else 0.0
        allowance = (rounding_allowance(after, [account_id]) + rounding_allowance(before, [account_id])
                     + adl_roundings.get(account_id, 0.0))
        assert view.equity >= min(0.0, was) - allowance, (
            f"account {account_id}: equity {view.equity} after a capped update, {was} before")
    fund_after = after.accounts[after.fund_id].equity
    allowance = rounding_allowance(after, [after.fund_id])
    absorbed_loss = any(l.reason == LiquidationReason.ALREADY_BANKRUPT for l in outcome.liquidations)
    started_below = outcome.insurance_fund_equity_before < after.floor + allowance
    assert fund_after >= after.floor - allowance or started_below or absorbed_loss, (
        f"fund fell to {fund_after} below its floor {after.floor} from "
        f"{outcome.insurance_fund_equity_before}")


def check_deficit_reported(before: Snapshot, after: Snapshot, outcome: MarkOutcome) -> None:
    """Fund equity before/after are the fund's equity at P0 and now; deficit = max(0, F - after)."""
    fund = after.fund_id
    assert math.isclose(outcome.insurance_fund_equity_before, equity_at(before, fund),
                        rel_tol=1e-9, abs_tol=rounding_allowance(before, [fund]))
    fund_after = after.accounts[fund].equity
    assert math.isclose(outcome.insurance_fund_equity_after, fund_after,
                        rel_tol=1e-9, abs_tol=rounding_allowance(after, [fund]))
    assert outcome.insurance_fund_deficit >= 0.0
    assert math.isclose(outcome.insurance_fund_deficit, max(0.0, after.floor - fund_after),
                        rel_tol=1e-9, abs_tol=rounding_allowance(after, [fund]))


def check_value_conserved(before: Snapshot, after: Snapshot, outcome: MarkOutcome) -> None:
    """Liquidation and ADL create no value: the sum of all equities, with x at the applied
    mark, is the same before the update as after it (to float64 rounding)."""
    marks = {outcome.instrument_id: outcome.applied_price}
    was, now = total_equity(before, marks), total_equity(after)
    allowance = rounding_allowance(before, before.accounts, marks) + rounding_allowance(after, after.accounts)
    assert abs(was - now) <= allowance, f"sum of equities at {marks} went from {was} to {now}"


def check_zero_sum(state: Snapshot) -> None:
    """With zero-sum fills, the quantities held in each instrument sum to 0."""
    totals: dict[int, int] = {}
    for view in state.accounts.values():
        for position in view.positions:
            totals[position.instrument_id] = totals.get(position.instrument_id, 0) + position.qty
    assert all(total == 0 for total in totals.values()), f"net quantity per instrument: {totals}"


def check_prices_on_grid(after: Snapshot, outcome: MarkOutcome) -> None:
    """Every price markcap produces is a whole number of its instrument's ticks (SPEC 1): the
    applied mark, each moved position's price and each ADL fill's price."""
    prices = [(outcome.instrument_id, outcome.applied_price)]
    prices += [(moved.instrument_id, moved.price) for liquidation in outcome.liquidations
               for moved in liquidation.positions]
    prices += [(fill.instrument_id, fill.price) for fill in outcome.adl_fills]
    for instrument_id, price in prices:
        tick = after.instruments[instrument_id].tick_size
        assert (exact(price) / exact(tick)).denominator == 1, (
            f"price {price!r} of instrument {instrument_id} is off its grid (tick {tick!r})")


def check_mark_invariants(before: Snapshot, after: Snapshot, outcome: MarkOutcome) -> None:
    """Every §7 check that applies to one mark update."""
    check_prices_on_grid(after, outcome)
    check_capped_update_harms_nobody(before, after, outcome)
    check_deficit_reported(before, after, outcome)
    check_value_conserved(before, after, outcome)
    check_zero_sum(after)


def check_deterministic(config: ExchangeConfig, inputs: list, outcomes: list, state_hash: str,
                        apply: Callable[[Engine, object], object]) -> None:
    """The same input sequence on a fresh engine gives equal outcomes, with identical repr(),
    and the same state."""
    engine = Engine(config)
    replayed = [apply(engine, step) for step in inputs]
    assert replayed == outcomes
    assert repr(replayed).encode() == repr(outcomes).encode()
    assert engine.status().state_hash == state_hash
