"""Contract arithmetic (SPEC 1, 2, 3.3): PnL, entry price, fill accounting, bankruptcy price.

Symbols: q signed quantity (contracts), m multiplier, p price, K position cost in
the settlement currency, sigma the settlement currency's price in valuation
currency, E' the account's equity without this position's upnl (valuation).
Every function works on Python floats and, where noted, on numpy arrays alike.
"""
from __future__ import annotations

import math

import numpy as np

from .types import ContractKind

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


def upnl(kind: ContractKind, qty, cost, multiplier: float, price):
    """Unrealised PnL in the settlement currency.

    LINEAR: q*m*p - K; INVERSE: K - q*m/p. Arrays of equal shape (float64) or scalars.
    """
    if kind == ContractKind.LINEAR:
        return qty * multiplier * price - cost
    return cost - qty * multiplier / price


def position_value(kind: ContractKind, qty, multiplier: float, price):
    """Signed value of the position at `price`, settlement currency: q*m*p or q*m/p."""
    if kind == ContractKind.LINEAR:
        return qty * multiplier * price
    return qty * multiplier / price


def entry_price(kind: ContractKind, qty: int, cost: float, multiplier: float) -> float:
    """Average entry price: LINEAR K/(q*m); INVERSE q*m/K."""
    if kind == ContractKind.LINEAR:
        return cost / (qty * multiplier)
    return qty * multiplier / cost


def apply_fill(kind: ContractKind, multiplier: float, qty: int, cost: float,
               qty_delta: int, price: float) -> tuple[int, float, float]:
    """Average-cost accounting of one fill (SPEC 2). Returns (new qty, new K, realised PnL).

    Growing or opening: K += dq*m*p (LINEAR) or dq*m/p (INVERSE). Reducing by the
    closed part c (sign of q, |c| <= |q|): the cost share K_c = K*c/q leaves the
    position and realised = c*m*p - K_c (LINEAR) or K_c - c*m/p (INVERSE), which
    is SPEC's c*(m*p - K/q) and c*(K/q - m/p), grouped like `upnl` so that a full
    close at the mark realises exactly the upnl. A flip closes all, then opens the
    rest at `price`. A flat position has K = 0. Quantities are Python ints.
    """
    if qty == 0 or (qty > 0) == (qty_delta > 0):
        return qty + qty_delta, cost + position_value(kind, qty_delta, multiplier, price), 0.0
    closed = -qty_delta if abs(qty_delta) <= abs(qty) else qty
    closed_cost = cost if closed == qty else cost * closed / qty
    if kind == ContractKind.LINEAR:
        realised = position_value(kind, closed, multiplier, price) - closed_cost
    else:
        realised = closed_cost - position_value(kind, closed, multiplier, price)
    new_qty = qty + qty_delta
    if new_qty == 0:
        return 0, 0.0, realised
    if closed == qty:  # flipped: the rest opens at `price`
        return new_qty, position_value(kind, new_qty, multiplier, price), realised
    return new_qty, cost - closed_cost, realised


def bankruptcy_price(kind: ContractKind, qty, cost, multiplier: float, sigma: float,
                     equity_without):
    """Price of this instrument at which E' + sigma*upnl(p) = 0, all else fixed (SPEC 3.3).

    LINEAR b = (K*sigma - E')/(q*m*sigma); INVERSE b = q*m/(K + E'/sigma).
    Works on scalars or float64 arrays of shape (n,); where the result is not a
    finite positive price there is none: NaN (arrays) or None (scalars).
    """
    if not isinstance(qty, np.ndarray):  # numpy scalars divide by zero to inf, not an exception
        qty, cost, equity_without = np.float64(qty), np.float64(cost), np.float64(equity_without)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if kind == ContractKind.LINEAR:
            b = (cost * sigma - equity_without) / (qty * multiplier * sigma)
        else:
            b = qty * multiplier / (cost + equity_without / sigma)
    if isinstance(b, np.ndarray):
        return np.where(np.isfinite(b) & (b > 0), b, np.nan)
    b = float(b)
    return b if math.isfinite(b) and b > 0 else None


def _values(linear, qty, multiplier, price):
    """position_value of mixed kinds: q*m*p where `linear`, q*m/p elsewhere (arrays)."""
    return np.where(linear, qty * multiplier * price, qty * multiplier / price)


def apply_fills(linear: np.ndarray, multiplier: np.ndarray, qty: np.ndarray, cost: np.ndarray,
                qty_delta: np.ndarray, price: np.ndarray):
    """`apply_fill` over arrays of distinct positions of any instruments: shapes (n,), `linear`
    bool (the position's kind is LINEAR), multiplier and cost float64, qty int64.

    Returns (new qty int64, new cost float64, realised float64, overflow bool):
    `overflow` marks positions whose quantity would leave int64. Bit-for-bit the
    same arithmetic as `apply_fill`, element by element.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        new_qty = qty + qty_delta
        overflow = ((qty > 0) & (qty_delta > 0) & (new_qty < 0)) | ((qty < 0) & (qty_delta < 0) & (new_qty >= 0))
        growing = (qty == 0) | ((qty > 0) == (qty_delta > 0))
        closes_all = np.abs(qty_delta) >= np.abs(qty)
        closed = np.where(closes_all, qty, -qty_delta)
        closed_cost = np.where(closes_all, cost, cost * closed / np.where(qty == 0, 1, qty))
        closed_value = _values(linear, closed.astype(np.float64), multiplier, price)
        realised = np.where(linear, closed_value - closed_cost, closed_cost - closed_value)
        reopened = _values(linear, new_qty.astype(np.float64), multiplier, price)
        new_cost = np.where(closes_all, reopened, cost - closed_cost)
        new_cost = np.where(new_qty == 0, 0.0, new_cost)
        grown = cost + _values(linear, qty_delta.astype(np.float64), multiplier, price)
        new_cost = np.where(growing, grown, new_cost)
        realised = np.where(growing, 0.0, realised)
    return new_qty, new_cost, realised, overflow
