"""Bankruptcy prices of harmed holders (SPEC 3.1-3.3), decided exactly.

For a set of candidate holders of x (from the index or a full scan), floats on the
mirrors give each account's equity and bankruptcy price with an interval that
provably contains the exact value (valuation.ERROR_BOUND); every decision is then
made in exact arithmetic on the integer state, and only for the accounts whose
interval leaves the answer open:

- bankrupt at the mark (equity <= 0): exact for those whose float equity is within
  its error of 0 or below;
- the first bankruptcy price: exact for those whose interval reaches the nearest
  upper end, the exact nearest b over them (ties all kept);
- the band before a grid price: exact for those whose interval straddles it.

Exact b in ticks, with rest = E'*10^d/sigma in the settlement currency's minor units
(E' the equity without x's upnl; the fund's minus its floor F): LINEAR (K - rest)/(q*A),
INVERSE q*B/(K + rest); none unless a positive number. An account at or below zero
equity (the fund at or below F) has b = P0: it is bankrupt where it stands.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from . import contracts
from .state import ExchangeState
from .types import ContractKind, Instrument
from .valuation import ERROR_BOUND, equities_and_magnitudes, exact_equity_parts

ROUNDING = 2.0**-50  # relative error of the few float operations after the equity (a generous bound)


@dataclass
class HarmedAccounts:
    """Harmed holders of x (q*d < 0): floats to narrow with, exact values on demand.

    Arrays of shape (n,): `equity` float64 within `equity_error` of the exact equity, and
    `low`/`high` bounds that contain the exact b (in price; NaN where there can be none).
    """

    state: ExchangeState
    instrument: Instrument
    direction: int
    slots: np.ndarray
    account_ids: np.ndarray
    qty: np.ndarray
    equity: np.ndarray
    equity_error: np.ndarray
    low: np.ndarray
    high: np.ndarray
    _exact: dict = field(default_factory=dict)

    # ---- exact values ----

    def exact_equity(self, i: int) -> Fraction:
        """Holder i's exact equity (the fund's: less its floor F)."""
        return self._exact_of(i)[0]

    def exact_ticks(self, i: int) -> Fraction | None:
        """Exact b of holder i in ticks of x (P0's ticks where it is bankrupt already), or None."""
        return self._exact_of(i)[1]

    def _exact_of(self, i: int):
        if i not in self._exact:
            self._exact[i] = _exact_bankruptcy(self.state, self.instrument, int(self.slots[i]),
                                               int(self.qty[i]))
        return self._exact[i]

    # ---- decisions ----

    def bankrupt_now(self) -> np.ndarray:
        """Slots of the non-fund holders with exact equity <= 0 at the current marks."""
        maybe = np.flatnonzero((self.equity <= self.equity_error) & (self.slots != self.state.fund_slot))
        return self.slots[[i for i in maybe.tolist() if self.exact_equity(i) <= 0]].astype(np.int64)

    def first(self) -> Fraction | None:
        """SPEC 3.4: the exact b nearest to P0 in the direction (ticks), or None.

        Holders in order of the near end of their interval; exact b for each until the next
        near end lies beyond the best exact b found (so ties are all looked at)."""
        d = self.direction
        near = self.low if d > 0 else -self.high
        order = np.argsort(near, kind="stable")
        order = order[~np.isnan(near[order])]
        tick = self.state.terms(self.instrument).tick
        best, stop = None, np.inf
        for i in order.tolist():
            if near[i] > stop:
                break
            t = self.exact_ticks(i)
            if t is not None and (best is None or (t - best) * d < 0):
                best = t
                value = float(d * t * tick)
                stop = value + ROUNDING * abs(value)
        return best

    def before(self, ticks: int) -> np.ndarray:
        """Bool (n,): exact b strictly before the grid price `ticks` seen from P0 (SPEC 3.6)."""
        d = self.direction
        price = float(Fraction(ticks) * self.state.terms(self.instrument).tick)
        with np.errstate(invalid="ignore"):
            near, far = (self.low, self.high) if d > 0 else (-self.high, -self.low)
            inside = far < price * d * (1 - ROUNDING * d)
            open_ = ~inside & (near <= price * d * (1 + ROUNDING * d))
        result = inside.copy()
        for i in np.flatnonzero(open_).tolist():
            t = self.exact_ticks(i)
            result[i] = t is not None and (t - ticks) * d < 0
        return result

    def only(self, rows: np.ndarray) -> "HarmedAccounts":
        """The same for a subset of the holders (indices into these arrays)."""
        return HarmedAccounts(self.state, self.instrument, self.direction, self.slots[rows],
                              self.account_ids[rows], self.qty[rows], self.equity[rows],
                              self.equity_error[rows], self.low[rows], self.high[rows])

    def candidates_near(self, ticks: Fraction) -> list[int]:
        """Indices of the holders whose exact b may equal `ticks` (their bounds hold it)."""
        price = float(ticks * self.state.terms(self.instrument).tick)
        with np.errstate(invalid="ignore"):
            hit = (self.low <= price * (1 + ROUNDING)) & (self.high >= price * (1 - ROUNDING))
        return np.flatnonzero(hit).tolist()

    def price_of(self, ticks: Fraction) -> float:
        """The double nearest to a price given in ticks."""
        return float(ticks * self.state.terms(self.instrument).tick)


def _exact_bankruptcy(state: ExchangeState, instrument: Instrument, slot: int, qty: int,
                      equity: Fraction | None = None):
    """(exact equity (the fund's less F), exact b in ticks or None) of one holder of `instrument`
    (`equity`: its exact equity at the current marks, when the caller has it)."""
    numerator, denominator = (exact_equity_parts(state, slot) if equity is None
                              else (equity.numerator, equity.denominator))
    mark_ticks = state.mark_ticks(instrument)
    if slot == state.fund_slot:  # against its floor F
        floor = state.floor_exact
        numerator, denominator = (numerator * floor.denominator - floor.numerator * denominator,
                                  denominator * floor.denominator)
    equity = Fraction(numerator, denominator)
    if numerator <= 0:
        return equity, Fraction(mark_ticks)
    unit = state.currencies.unit_values[instrument.settlement_currency_id]
    ticks = contracts.kernel(instrument.kind).bankruptcy_ticks(state.terms(instrument), qty, mark_ticks,
                                                               (numerator, denominator), unit)
    return equity, ticks


def harmed_accounts(state: ExchangeState, instrument: Instrument, direction: int,
                    rows: np.ndarray | None = None) -> HarmedAccounts:
    """SPEC 3.1 and 3.3 for the harmed holders (q*d < 0) among book `rows` (all if None)."""
    mark = instrument.mark_price
    book = state.books[instrument.instrument_id]
    if rows is None:
        rows = np.arange(len(book))
    slots, qty, cost = book.slots[rows], book.qty[rows], book.cost[rows]
    harmed = qty * direction < 0
    slots, qty, cost = slots[harmed], qty[harmed], cost[harmed]
    equity, magnitude = equities_and_magnitudes(state, slots)
    sigma = state.sigma(instrument)
    qty_f = qty.astype(np.float64)
    kernel = contracts.kernel(instrument.kind)
    equity_without = equity - sigma * kernel.upnl(qty_f, cost, instrument.multiplier, mark)
    is_fund = slots == state.fund_slot
    equity_without = np.where(is_fund, equity_without - state.floor, equity_without)
    floor = np.where(is_fund, state.floor, 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        raw = kernel.raw_bankruptcy_price(qty_f, cost, instrument.multiplier, sigma, equity_without)
        slope = np.abs(sigma * qty_f * instrument.multiplier)
        low, high = _interval(instrument.kind, raw, mark, magnitude + np.abs(floor), slope)
    equity_error = ERROR_BOUND * magnitude
    # bankrupt where it stands (b = P0) when the exact equity may be at or below zero (F), and
    # the exact b is clamped to P0 wherever it may lie behind P0: so the interval is too
    at_mark = equity - floor <= equity_error
    if direction > 0:
        clamp = at_mark | (low < mark)
        low, high = np.where(clamp, mark, low), np.where(clamp, np.fmax(high, mark), high)
    else:
        clamp = at_mark | (high > mark)
        low, high = np.where(clamp, np.fmin(low, mark), low), np.where(clamp, mark, high)
    return HarmedAccounts(state, instrument, direction, slots, state.accounts.ids[slots], qty, equity,
                          equity_error, low, high)


def _interval(kind: ContractKind, raw: np.ndarray, mark: float, magnitude: np.ndarray,
              slope: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds (low, high) in price containing the exact b of each float `raw` b (NaN: provably none).

    The float equity at any price is within ERROR_BOUND * magnitude' of the exact one, where
    magnitude' adds x's own value at that price; equity is linear in p (LINEAR) or 1/p (INVERSE)
    with slope sigma*q*m, so the root moves by at most that error over the slope.
    """
    if kind == ContractKind.LINEAR:
        reach = np.where(np.isfinite(raw), np.maximum(np.abs(raw), mark), np.inf)
        width = ERROR_BOUND * (magnitude + 2 * slope * reach) / slope + ROUNDING * np.abs(raw)
        low, high = raw - width, raw + width
    else:
        feature = 1.0 / raw
        reach = np.maximum(np.abs(feature), 1.0 / mark)
        width = ERROR_BOUND * (magnitude + 2 * slope * reach) / slope + ROUNDING * np.abs(feature)
        f_low, f_high = feature - width, feature + width
        low = np.where(f_high > 0, 1.0 / np.where(f_high > 0, f_high, 1.0), np.nan)
        high = np.where(f_low > 0, 1.0 / np.where(f_low > 0, f_low, 1.0), np.inf)
        high = np.where(f_high > 0, high, np.nan)
    none = ~(np.isfinite(high) | (high == np.inf)) | (high <= 0)
    low = np.where(none, np.nan, np.maximum(low, 0.0))
    high = np.where(none, np.nan, high)
    return low, high
