"""Contract arithmetic (SPEC 1, 2, 3.3): one kernel per ContractKind, exact and float.

Units (SPEC 1 "Numbers"): a price is n ticks of the instrument; a position's cost K
and every balance are whole minor units (10^-d) of the settlement currency. Each
instrument has one exact constant (`Terms`, a reduced fraction):

    LINEAR   A = m*tick*10^d   value(q, n) = q*n*A   upnl = value - K   W = balance - K
    INVERSE  B = m*10^d/tick   value(q, n) = q*B/n   upnl = K - value   W = balance + K

A fill of dq at n exchanges contracts for value at n, so it changes the account's W
by exactly -dq*n*A (LINEAR) or +dq*B/n (INVERSE). Where that is not a whole number of
minor units, the account is booked floor(exact): what it is owed rounds down, what
it owes rounds up (`Kernel.fill` says how, rule by rule). The residue exact - booked
(>= 0, < 1 unit per rounding; a flip rounds twice) belongs to the insurance fund (state.py credits it), so
each currency's total is conserved exactly.

The float functions (`upnl`, `position_value`, `entry_price`, `bankruptcy_price`)
work on the float64 mirrors of the exact state, for the index, for narrowing
searches and for outputs that are not decisions; they work on Python floats and
numpy arrays alike. Symbols: q signed quantity, m multiplier, p price, K cost,
sigma the settlement currency's price, E' the equity without this position's upnl.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .types import ContractKind
from .units import decimal_of

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
SAFE = 2.0**62  # a float estimate of an int64 product below this cannot overflow (estimates are within 1e-15)


@dataclass(frozen=True)
class Terms:
    """An instrument's exact constant: A (LINEAR) or B (INVERSE), see the module docstring."""

    kind: ContractKind
    constant: Fraction
    tick: Fraction


@functools.lru_cache(maxsize=4096)
def terms_of(kind: ContractKind, multiplier: float, tick_size: float, decimals: int) -> Terms:
    m, tick = Fraction(decimal_of(multiplier)), Fraction(decimal_of(tick_size))
    return Terms(kind, kernel(kind).constant(m, tick, Fraction(10) ** decimals), tick)


def exact_dot(x: np.ndarray, y: np.ndarray) -> int:
    """sum(x*y) of int64 arrays as an exact Python integer (numpy when no int64 can overflow)."""
    if float(np.abs(x.astype(np.float64)) @ np.abs(y.astype(np.float64))) < SAFE:
        return int(x @ y)
    return sum(a * b for a, b in zip(x.tolist(), y.tolist()))


def _floor_div(a: int, b: int) -> int:
    return a // b


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


@dataclass(frozen=True)
class FillResult:
    """One fill's effect, exact: new qty and cost, realised PnL and the residue owed to the fund
    (both in the settlement currency's minor units; residue a Fraction in [0, 1))."""

    qty: int
    cost: int
    realised: int
    residue_numerator: int  # the residue as an unreduced fraction (denominator > 0)
    residue_denominator: int

    @property
    def residue(self) -> Fraction:
        return Fraction(self.residue_numerator, self.residue_denominator)


class Linear:
    """LINEAR: upnl = q*m*p - K."""

    kind = ContractKind.LINEAR

    # ---- float (mirrors) ----
    @staticmethod
    def upnl(qty, cost, multiplier, price):
        return qty * multiplier * price - cost

    @staticmethod
    def upnl_of_value(value, cost):
        """upnl from position_value (the same float operations as `upnl`)."""
        return value - cost

    @staticmethod
    def position_value(qty, multiplier, price):
        return qty * multiplier * price

    @staticmethod
    def entry_price(qty, cost, multiplier):
        return cost / (qty * multiplier)

    @staticmethod
    def raw_bankruptcy_price(qty, cost, multiplier, sigma, equity_without):
        return (cost * sigma - equity_without) / (qty * multiplier * sigma)

    # ---- exact ----
    @staticmethod
    def constant(m: Fraction, tick: Fraction, power: Fraction) -> Fraction:
        return m * tick * power

    @staticmethod
    def value_units(terms: Terms, qty: int, ticks: int) -> Fraction:
        return qty * ticks * terms.constant

    @staticmethod
    def upnl_units(terms: Terms, qty: int, cost: int, ticks: int) -> Fraction:
        return qty * ticks * terms.constant - cost

    @staticmethod
    def upnl_parts(terms: Terms, qty: int, cost: int, ticks: int) -> tuple[int, int]:
        """upnl_units as (numerator, denominator > 0), unreduced: (q*n*a - K*b, b) for A = a/b."""
        a, b = terms.constant.numerator, terms.constant.denominator
        return qty * ticks * a - cost * b, b

    @staticmethod
    def fill(terms: Terms, qty: int, cost: int, dq: int, ticks: int) -> FillResult:
        """Growing: K += ceil(dq*n*A) (the cost the account takes on rounds up). Reducing by the
        closed part c: K_c = ceil(K*c/q) leaves (K itself when all closes) and realised =
        floor(c*n*A) - K_c (owed to the account: rounds down). A flip closes all, then opens the
        rest r: K = ceil(r*n*A)."""
        a, b = terms.constant.numerator, terms.constant.denominator
        if qty == 0 or (qty > 0) == (dq > 0):
            grown = _ceil_div(dq * ticks * a, b)
            return FillResult(qty + dq, cost + grown, 0, grown * b - dq * ticks * a, b)
        closed = -dq if abs(dq) < abs(qty) else qty
        closed_cost = cost if closed == qty else _ceil_div(cost * closed, qty)
        realised = _floor_div(closed * ticks * a, b) - closed_cost
        rest = qty + dq
        new_cost = cost - closed_cost if closed != qty else _ceil_div(rest * ticks * a, b)
        booked = realised - (new_cost - cost)
        return FillResult(rest, new_cost, realised, -dq * ticks * a - booked * b, b)

    @staticmethod
    def bankruptcy_ticks(terms: Terms, qty: int, ticks: int, equity: tuple[int, int],
                         unit: tuple[int, int]) -> Fraction | None:
        """The n at which the account's equity is 0, all else fixed, from its exact equity E = en/ed
        at the mark n and the value u = un/ud of one settlement minor unit: equity moves by
        q*A*u per tick, so b = n - E/(q*A*u) = n - en*ud*b/(ed*un*q*a) (A = a/b); None if <= 0."""
        (en, ed), (un, ud) = equity, unit
        a, b = terms.constant.numerator, terms.constant.denominator
        result = ticks - Fraction(en * ud * b, ed * un * qty * a)
        return result if result > 0 else None

    @staticmethod
    def exact_value_change(terms: Terms, dq: int, ticks: int) -> Fraction:
        """The exact W change of a fill of dq at n: -dq*n*A."""
        return -dq * ticks * terms.constant

    @staticmethod
    def fill_arrays(a, b, qty, cost, dq, ticks):
        """`fill` over int64 arrays of distinct positions (a/b: each one's A as int64 arrays below
        SAFE); None when an int64 could overflow (the caller takes the exact sequential path).
        Returns (qty, cost, realised)."""
        size = np.abs(qty.astype(np.float64)) + np.abs(dq.astype(np.float64))
        if ((size * ticks * a >= SAFE) | (np.abs(cost.astype(np.float64)) * (size + 1) >= SAFE)).any():
            return None
        grow = (qty == 0) | ((qty > 0) == (dq > 0))
        closes_all = ~grow & (np.abs(dq) >= np.abs(qty))
        closed = np.where(closes_all, qty, -dq)
        safe_qty = np.where(qty == 0, 1, qty)
        closed_cost = np.where(closes_all, cost, -((-cost * closed) // safe_qty))
        realised = np.where(grow, 0, (closed * ticks * a) // b - closed_cost)
        rest = qty + dq
        new_cost = np.where(grow, cost - ((-dq * ticks * a) // b),
                            np.where(closes_all, -((-rest * ticks * a) // b), cost - closed_cost))
        return rest, new_cost, realised

    @staticmethod
    def booked_value_change(old_cost, new_cost, realised):
        return realised - (new_cost - old_cost)


class Inverse:
    """INVERSE: upnl = K - q*m/p."""

    kind = ContractKind.INVERSE

    @staticmethod
    def upnl(qty, cost, multiplier, price):
        return cost - qty * multiplier / price

    @staticmethod
    def upnl_of_value(value, cost):
        return cost - value

    @staticmethod
    def position_value(qty, multiplier, price):
        return qty * multiplier / price

    @staticmethod
    def entry_price(qty, cost, multiplier):
        return qty * multiplier / cost

    @staticmethod
    def raw_bankruptcy_price(qty, cost, multiplier, sigma, equity_without):
        return qty * multiplier / (cost + equity_without / sigma)

    @staticmethod
    def constant(m: Fraction, tick: Fraction, power: Fraction) -> Fraction:
        return m * power / tick

    @staticmethod
    def value_units(terms: Terms, qty: int, ticks: int) -> Fraction:
        return qty * terms.constant / ticks

    @staticmethod
    def upnl_units(terms: Terms, qty: int, cost: int, ticks: int) -> Fraction:
        return cost - qty * terms.constant / ticks

    @staticmethod
    def upnl_parts(terms: Terms, qty: int, cost: int, ticks: int) -> tuple[int, int]:
        """upnl_units as (numerator, denominator > 0), unreduced: (K*b*n - q*a, b*n) for B = a/b."""
        a, b = terms.constant.numerator, terms.constant.denominator
        return cost * b * ticks - qty * a, b * ticks

    @staticmethod
    def fill(terms: Terms, qty: int, cost: int, dq: int, ticks: int) -> FillResult:
        """Growing: K += floor(dq*B/n) (K is what the account is owed back: rounds down). Reducing
        by c: K_c = floor(K*c/q) leaves (K when all closes) and realised = floor(-c*B/n) + K_c
        (rounds down). A flip closes all, then opens the rest r: K = floor(r*B/n)."""
        a, b = terms.constant.numerator, terms.constant.denominator * ticks
        if qty == 0 or (qty > 0) == (dq > 0):
            grown = _floor_div(dq * a, b)
            return FillResult(qty + dq, cost + grown, 0, dq * a - grown * b, b)
        closed = -dq if abs(dq) < abs(qty) else qty
        closed_cost = cost if closed == qty else _floor_div(cost * closed, qty)
        realised = _floor_div(-closed * a, b) + closed_cost
        rest = qty + dq
        new_cost = cost - closed_cost if closed != qty else _floor_div(rest * a, b)
        booked = realised + (new_cost - cost)
        return FillResult(rest, new_cost, realised, dq * a - booked * b, b)

    @staticmethod
    def bankruptcy_ticks(terms: Terms, qty: int, ticks: int, equity: tuple[int, int],
                         unit: tuple[int, int]) -> Fraction | None:
        """As Linear's, with value q*B/n: E + u*(q*B/n - q*B/b) = 0 gives
        b = q*B/(q*B/n + E/u) = q*a*n*ed*un/(q*a*ed*un + en*ud*b*n) (B = a/b); None unless > 0."""
        (en, ed), (un, ud) = equity, unit
        a, b = terms.constant.numerator, terms.constant.denominator
        denominator = qty * a * ed * un + en * ud * b * ticks
        if denominator == 0:
            return None
        result = Fraction(qty * a * ticks * ed * un, denominator)
        return result if result > 0 else None

    @staticmethod
    def exact_value_change(terms: Terms, dq: int, ticks: int) -> Fraction:
        """The exact W change of a fill of dq at n: dq*B/n."""
        return dq * terms.constant / ticks

    @staticmethod
    def fill_arrays(a, b0, qty, cost, dq, ticks):
        """As Linear.fill_arrays, a/b0 each position's B."""
        size = np.abs(qty.astype(np.float64)) + np.abs(dq.astype(np.float64))
        if ((size * a >= SAFE) | (ticks.astype(np.float64) * b0 >= SAFE)
                | (np.abs(cost.astype(np.float64)) * (size + 1) >= SAFE)).any():
            return None
        b = ticks * b0
        grow = (qty == 0) | ((qty > 0) == (dq > 0))
        closes_all = ~grow & (np.abs(dq) >= np.abs(qty))
        closed = np.where(closes_all, qty, -dq)
        safe_qty = np.where(qty == 0, 1, qty)
        closed_cost = np.where(closes_all, cost, (cost * closed) // safe_qty)
        realised = np.where(grow, 0, (-closed * a) // b + closed_cost)
        rest = qty + dq
        new_cost = np.where(grow, cost + (dq * a) // b,
                            np.where(closes_all, (rest * a) // b, cost - closed_cost))
        return rest, new_cost, realised

    @staticmethod
    def booked_value_change(old_cost, new_cost, realised):
        return realised + (new_cost - old_cost)


KERNELS = {ContractKind.LINEAR: Linear, ContractKind.INVERSE: Inverse}


def kernel(kind: ContractKind):
    """The kernel of a contract kind; a kind without one is a programming error, never a default."""
    try:
        return KERNELS[kind]
    except KeyError:
        raise ValueError(f"no contract kernel for kind {kind!r}") from None


# ---- float functions on the mirrors (dispatching to the kernel) ---------------

def upnl(kind: ContractKind, qty, cost, multiplier: float, price):
    """Unrealised PnL in the settlement currency (float64 mirrors): LINEAR q*m*p - K; INVERSE K - q*m/p."""
    return kernel(kind).upnl(qty, cost, multiplier, price)


def position_value(kind: ContractKind, qty, multiplier: float, price):
    """Signed value of the position at `price`, settlement currency: q*m*p or q*m/p."""
    return kernel(kind).position_value(qty, multiplier, price)


def entry_price(kind: ContractKind, qty: int, cost: float, multiplier: float) -> float:
    """Average entry price: LINEAR K/(q*m); INVERSE q*m/K."""
    return kernel(kind).entry_price(qty, cost, multiplier)


def bankruptcy_price(kind: ContractKind, qty, cost, multiplier: float, sigma: float,
                     equity_without):
    """Float estimate of the price at which E' + sigma*upnl(p) = 0 (SPEC 3.3), for narrowing:
    LINEAR b = (K*sigma - E')/(q*m*sigma); INVERSE b = q*m/(K + E'/sigma). Scalars or float64
    arrays (n,); where the result is not a finite positive price: NaN (arrays) or None (scalars)."""
    if not isinstance(qty, np.ndarray):  # numpy scalars divide by zero to inf, not an exception
        qty, cost, equity_without = np.float64(qty), np.float64(cost), np.float64(equity_without)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        b = kernel(kind).raw_bankruptcy_price(qty, cost, multiplier, sigma, equity_without)
    if isinstance(b, np.ndarray):
        return np.where(np.isfinite(b) & (b > 0), b, np.nan)
    b = float(b)
    return b if math.isfinite(b) and b > 0 else None
