"""Account equity (SPEC 1): E = sum_c balance_c*px(c) + sum_x px(s(x))*upnl_x(mark_x).

Summation order is fixed (currency columns in order, then instruments in
ascending id), so the same state always gives the same float64 bits.
"""
from __future__ import annotations

import numpy as np

from . import contracts
from .state import ExchangeState
from .types import AccountEquity


def account_equity(state: ExchangeState, slot: int) -> float:
    """Equity of one account at the current marks, valuation currency."""
    balances = state.accounts.balances[slot]
    prices = state.currencies.prices
    equity = 0.0
    for column in range(len(prices)):
        equity += float(balances[column]) * float(prices[column])
    for instrument, qty, cost in state.positions_of(slot):
        equity += state.sigma(instrument) * float(
            contracts.upnl(instrument.kind, qty, cost, instrument.multiplier, instrument.mark_price))
    return equity


def all_equities(state: ExchangeState) -> np.ndarray:
    """Equity of every account at the current marks: float64 array of shape (account count,), by slot.

    Same summation order as `account_equity`, so both agree to the bit.
    """
    n = state.accounts.count
    balances = state.accounts.balances[:n]
    prices = state.currencies.prices
    equity = np.zeros(n, dtype=np.float64)
    for column in range(len(prices)):
        equity += balances[:, column] * prices[column]
    for instrument_id in sorted(state.books):
        instrument = state.instruments.by_id[instrument_id]
        slots, qty, cost = state.books[instrument_id].columns()
        if len(slots) == 0:
            continue
        value = state.sigma(instrument) * contracts.upnl(
            instrument.kind, qty.astype(np.float64), cost, instrument.multiplier, instrument.mark_price)
        equity[slots] += value  # one row per account in a book, so no repeats
    return equity


def negative_equity_accounts(state: ExchangeState) -> tuple[AccountEquity, ...]:
    """Every account with equity < 0, ascending account_id."""
    equity = all_equities(state)
    negative = np.flatnonzero(equity < 0)
    ids = state.accounts.ids[negative]
    order = np.argsort(ids, kind="stable")
    return tuple(AccountEquity(int(ids[i]), float(equity[negative[i]])) for i in order)
