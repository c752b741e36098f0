"""Account equity (SPEC 1): E = sum_c balance_c*px(c) + sum_x px(s(x))*upnl_x(mark_x).

Exact (`exact_equity`, Fractions on the integer state) where anything is decided
or reported; float64 on the mirrors (`account_equity`, `equities_of`,
`AccountPositions`) to narrow searches, with `ERROR_BOUND` saying how far a float
equity can be from the exact one. Float summation order is fixed (currency
columns in order, then instruments in ascending id), so the same state always gives
the same float64 bits.
"""
from __future__ import annotations

from fractions import Fraction
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
    for instrument, qty, cost in state.position_mirrors_of(slot):
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


# A float equity is within ERROR_BOUND * magnitude of the exact one, magnitude being the sum of
# the absolute values of its terms (balances and each position's |q*m*p| + |K|, valued): each
# term carries a few roundings of 2^-53 (mirror, price, multiplier, products) and the sum of k
# terms k more, so (k + 10) * 2^-53 <= 2^-40 for accounts with up to 4,000 currencies and
# positions.
ERROR_BOUND = 2.0**-40


def exact_equity(state: ExchangeState, slot: int, without: int | None = None) -> Fraction:
    """Exact equity at the current marks, valuation currency (without instrument `without`'s upnl)."""
    numerator, denominator = exact_equity_parts(state, slot, without)
    return Fraction(numerator, denominator)


def exact_equity_parts(state: ExchangeState, slot: int, without: int | None = None,
                       memo: "UpnlMemo | None" = None, positions: list | None = None) -> tuple[int, int]:
    """exact_equity as (numerator, denominator > 0), summed in integers (no reduction on the way:
    an account's terms share few denominators, and integer products are cheap). `memo` keeps
    each position's term for an account asked about again and again (the fund); `positions`:
    state.positions_of(slot), when the caller has it."""
    currencies = state.currencies
    numerator, denominator = 0, 1
    units = state.accounts.units[slot].tolist()
    for currency_id, column in currencies.column.items():
        if units[column]:
            n, d = currencies.unit_values[currency_id]
            numerator, denominator = _add(numerator, denominator, units[column] * n, d)
    for instrument, qty, cost in (state.positions_of(slot) if positions is None else positions):
        if instrument.instrument_id != without:
            n, d = (upnl_value_parts(state, instrument, qty, cost) if memo is None
                    else memo.parts(state, instrument, qty, cost))
            numerator, denominator = _add(numerator, denominator, n, d)
    return numerator, denominator


def _add(numerator: int, denominator: int, n: int, d: int) -> tuple[int, int]:
    if d == denominator:
        return numerator + n, denominator
    return numerator * d + n * denominator, denominator * d


def upnl_value_parts(state: ExchangeState, instrument, qty: int, cost: int) -> tuple[int, int]:
    """Exact upnl of one position at its mark, in valuation currency, as (numerator, denominator)."""
    n, d = contracts.kernel(instrument.kind).upnl_parts(state.terms(instrument), qty, cost,
                                                         state.mark_ticks(instrument))
    un, ud = state.currencies.unit_values[instrument.settlement_currency_id]
    return n * un, d * ud


class UpnlMemo:
    """One account's exact upnl terms (upnl_value_parts), one per instrument, reused while the
    position, the mark, the terms and the settlement unit's value are all as they were: a mark
    step asks for the fund's equity several times and changes few of its positions."""

    def __init__(self) -> None:
        self._terms: dict[int, tuple] = {}  # instrument -> (inputs, parts)

    def parts(self, state: ExchangeState, instrument, qty: int, cost: int) -> tuple[int, int]:
        inputs = (qty, cost, instrument.mark_price, state.terms(instrument),
                  state.currencies.unit_values[instrument.settlement_currency_id])
        held = self._terms.get(instrument.instrument_id)
        if held is None or held[0] != inputs:
            held = self._terms[instrument.instrument_id] = (inputs, upnl_value_parts(state, instrument, qty, cost))
        return held[1]


def negative_equity_accounts(state: ExchangeState, slots: np.ndarray,
                             known: dict[int, Fraction] | None = None) -> tuple[AccountEquity, ...]:
    """The accounts among `slots` (a superset) whose exact equity is < 0, ascending account_id,
    each with the double nearest to its equity (`known`: exact equities the caller has)."""
    ids = state.accounts.ids[slots]
    listed = []
    for i in np.argsort(ids, kind="stable").tolist():
        slot = int(slots[i])
        numerator, denominator = ((known[slot].numerator, known[slot].denominator) if known and slot in known
                                  else exact_equity_parts(state, slot))
        if numerator < 0:
            listed.append(AccountEquity(int(ids[i]), float(Fraction(numerator, denominator))))
    return tuple(listed)


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
        self._magnitude: np.ndarray | None = None

    def maybe_negative(self, equity: np.ndarray) -> np.ndarray:
        """Whether each account's exact equity may be < 0, given its float `equity` (bool (n,)):
        equity < ERROR_BOUND * magnitude, so no negative account is ever left out."""
        return equity < ERROR_BOUND * self.magnitude()

    def magnitude(self) -> np.ndarray:
        """Sum of the absolute values of each account's equity terms, float64 (n,) (ERROR_BOUND)."""
        if self._magnitude is None:
            self._equity_and_magnitude()
        return self._magnitude

    def equity_at_marks(self) -> np.ndarray:
        """Equity at the current marks, float64 (n,); bit-identical to `account_equity`."""
        return self._equity_and_magnitude()

    def _equity_and_magnitude(self) -> np.ndarray:
        """One pass over the rows: the equity (returned) and the magnitude (kept)."""
        state = self.state
        equity = self.balance_value.copy()
        magnitude = np.abs(state.accounts.balances[self.slots]) @ state.currencies.prices
        for instrument_id, (where, rows) in self.rows.items():
            instrument = state.instruments.by_id[instrument_id]
            book = state.books[instrument_id]
            kernel = contracts.kernel(instrument.kind)
            value = kernel.position_value(book.qty[rows].astype(np.float64), instrument.multiplier,
                                          instrument.mark_price)
            cost = book.cost[rows]
            sigma = state.sigma(instrument)
            equity[where] += sigma * kernel.upnl_of_value(value, cost)
            magnitude[where] += sigma * (np.abs(value) + np.abs(cost))
        self._magnitude = magnitude
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


def _scalar_magnitude(state: ExchangeState, slot: int) -> float:
    balances, prices = state.accounts.balances[slot], state.currencies.prices
    magnitude = 0.0
    for column in range(len(prices)):
        magnitude += abs(float(balances[column])) * float(prices[column])
    for instrument, qty, cost in state.position_mirrors_of(slot):
        value = contracts.position_value(instrument.kind, qty, instrument.multiplier, instrument.mark_price)
        magnitude += state.sigma(instrument) * (abs(value) + abs(cost))
    return magnitude


def equities_and_magnitudes(state: ExchangeState, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(float equity, magnitude of its terms) of each account, float64 (n,) each: the float
    equity is within ERROR_BOUND * magnitude of the exact one. Small sets in Python floats."""
    if len(slots) <= SCALAR_EQUITIES:
        listed = np.asarray(slots).tolist()
        return (np.array([account_equity(state, slot) for slot in listed], dtype=np.float64),
                np.array([_scalar_magnitude(state, slot) for slot in listed], dtype=np.float64))
    local = AccountPositions(state, np.asarray(slots, dtype=np.int64))
    return local.equity_at_marks(), local.magnitude()
