"""Account equity (SPEC 1): E = sum_c balance_c*px(c) + sum_x px(s(x))*upnl_x(mark_x).

Summation order is fixed (currency columns in order, then instruments in
ascending id), so the same state always gives the same float64 bits.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import contracts
from .types import AccountEquity

if TYPE_CHECKING:
    from .state import ExchangeState


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

    Same summation order as `account_equity`, so both agree to the bit. A full
    scan, O(accounts + positions): the engine's hot paths use the index and
    `equities_of`; this is the scan they are checked against.
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


def negative_equity_accounts(state: ExchangeState, slots: np.ndarray,
                             equity: np.ndarray | None = None) -> tuple[AccountEquity, ...]:
    """The accounts among `slots` with equity < 0, ascending account_id (`equity`: theirs at the
    current marks, when the caller has it)."""
    if equity is None:
        equity = equities_of(state, slots)
    ids = state.accounts.ids[slots]
    order = np.argsort(ids, kind="stable")
    return tuple(AccountEquity(int(ids[i]), float(equity[i])) for i in order if equity[i] < 0)


class AccountPositions:
    """The rows of a set of accounts (slots, shape (n,)) in every book, found through the
    state's account-major holdings rather than a scan of the books, and their equity."""

    def __init__(self, state: ExchangeState, slots: np.ndarray):
        self.state, self.slots = state, slots
        balances = state.accounts.balances[slots]
        prices = state.currencies.prices
        self.balance_value = np.zeros(len(slots))
        for column in range(len(prices)):
            self.balance_value += balances[:, column] * prices[column]
        self.rows: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # instrument -> (index into slots, rows)
        by_bit = state.holdings.rows_of(slots)
        for bit in sorted(by_bit, key=lambda bit: state.instrument_of_bit[bit]):  # fixed summation order
            self.rows[state.instrument_of_bit[bit]] = by_bit[bit]

    def equity_at_marks(self) -> np.ndarray:
        """Equity at the current marks, float64 (n,); bit-identical to `account_equity`."""
        equity = self.balance_value.copy()
        for instrument_id, (where, rows) in self.rows.items():
            instrument = self.state.instruments.by_id[instrument_id]
            book = self.state.books[instrument_id]
            equity[where] += self.state.sigma(instrument) * contracts.upnl(
                instrument.kind, book.qty[rows].astype(np.float64), book.cost[rows],
                instrument.multiplier, instrument.mark_price)
        return equity


SCALAR_EQUITIES = 8  # up to this many accounts, Python floats beat the vectorised gather's fixed cost


def equities_of(state: ExchangeState, slots: np.ndarray) -> np.ndarray:
    """Equity of the accounts in `slots` (int64 (n,)) at the current marks, float64 (n,).

    Both paths give the same bits (the same operations in the same order), so
    which one runs never changes an answer.
    """
    if len(slots) <= SCALAR_EQUITIES:
        return np.array([account_equity(state, slot) for slot in np.asarray(slots).tolist()], dtype=np.float64)
    return AccountPositions(state, np.asarray(slots, dtype=np.int64)).equity_at_marks()
