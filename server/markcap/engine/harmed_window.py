"""The harmed holders of a sweep, found once (SPEC 3 "Sweep"): each step's searches without the index.

A sweep moves x's mark from P0 toward P1 in one direction d, and within it only
three things change the state: x's mark, the fund's takeovers and ADL fills. None
of them moves the bankruptcy price b of a harmed non-fund holder of x: b depends
on the account's own positions and balances (untouched until it is taken over),
the other instruments' marks and the currency prices (fixed during the call), not
on x's mark. ADL fills only shrink positions on the winning side, so nobody joins
the harmed side but the fund. So the holders that can go bankrupt before
P1 + one tick are found once, at the start, through the index (every harmed
holder with exact b <= that price, in the order of the near end of its float
interval); each step then reads them in that order from the first one still
held, and the fund, whose b moves with what it takes over, is evaluated exactly
at each step.

Every decision is the one `HarmedAccounts` makes on a fresh search at the same
state: the same exact b, the same rounding bounds. A holder's exact b is taken
at the current mark the first time it is needed: for an account above zero it is
the root of its equity (not a function of the mark), for one at or below zero
the mark itself, and it is clamped to the current mark when read, so a value
taken at an earlier mark stays right.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .bankruptcy import ROUNDING, HarmedAccounts, _exact_bankruptcy
from .types import Instrument


class HarmedWindow:
    """The harmed non-fund holders of x with a possible b before `limit_ticks` (in direction d),
    by the near end of their interval; rows are dropped as the fund takes them over."""

    def __init__(self, harmed: HarmedAccounts, limit_ticks: int, fund):
        """`harmed`: a search at the current state holding every harmed holder with b up to
        `limit_ticks` (the index's candidates at that price); `fund`: the sweep's ledger
        (sweep_ledger.py), which holds the fund's account while the sweep runs."""
        self.fund = fund
        state, instrument, d = harmed.state, harmed.instrument, harmed.direction
        self.state, self.direction, self.instrument_id = state, d, instrument.instrument_id
        self.tick = state.terms(instrument).tick
        near, far = (harmed.low, harmed.high) if d > 0 else (-harmed.high, -harmed.low)
        limit = d * float(limit_ticks * self.tick)
        with np.errstate(invalid="ignore"):  # NaN: provably no b, never kept
            keep = (harmed.slots != state.fund_slot) & (near <= limit + ROUNDING * abs(limit))
        rows = np.flatnonzero(keep)
        rows = rows[np.argsort(near[rows], kind="stable")]
        self.slots, self.qty = harmed.slots[rows], harmed.qty[rows]
        self.near, self.far = near[rows].tolist(), far[rows].tolist()
        self.taken = [False] * len(rows)
        self.first_held = 0  # every row before it is taken
        self._ticks: dict[int, Fraction | None] = {}
        self.fund_ticks: Fraction | None = None  # the fund's b at the last `first`

    # ---- exact b --------------------------------------------------------------------

    def _instrument(self) -> Instrument:
        return self.state.instruments.by_id[self.instrument_id]

    def _mark(self) -> int:
        return self.state.mark_ticks(self._instrument())

    def _exact_ticks(self, i: int, mark: int) -> Fraction | None:
        """Row i's exact b, clamped to the current mark `mark` (so: `mark` while it is bankrupt)."""
        if i not in self._ticks:
            self._ticks[i] = _exact_bankruptcy(self.state, self._instrument(), int(self.slots[i]),
                                               int(self.qty[i]))[1]
        ticks = self._ticks[i]
        if ticks is not None and (ticks - mark) * self.direction < 0:
            return Fraction(mark)
        return ticks

    def _fund_exact_ticks(self) -> Fraction | None:
        """The fund's exact b in x against its floor (None when the move does not harm it)."""
        state, instrument = self.state, self._instrument()
        fund_qty, _ = self.fund.position(self.instrument_id)
        if fund_qty * self.direction >= 0:
            return None
        return _exact_bankruptcy(state, instrument, state.fund_slot, fund_qty, self.fund.equity())[1]

    def _rows_from(self, edge: float):
        """Indices of held rows whose near end is at most `edge`, in order."""
        near, taken = self.near, self.taken
        i = self.first_held
        while i < len(near) and near[i] <= edge:
            if not taken[i]:
                yield i
            i += 1

    # ---- the step's questions (as HarmedAccounts answers them on a fresh search) ---------------

    def bankrupt_now(self) -> np.ndarray:
        """Slots of the held rows with exact equity <= 0 at the current mark (b at or behind it)."""
        mark = self._mark()
        u = self.direction * float(mark * self.tick)
        rows = [i for i in self._rows_from(u + ROUNDING * abs(u))
                if (t := self._exact_ticks(i, mark)) is not None and t == mark]
        self._take(rows)
        return self.slots[rows].astype(np.int64)

    def first(self) -> Fraction | None:
        """SPEC 3.4 over the held rows and the fund: the exact b nearest the mark (ticks), or None."""
        mark, d = self._mark(), self.direction
        self.fund_ticks = best = self._fund_exact_ticks()
        stop = np.inf if best is None else self._stop(best)
        for i in self._rows_from(np.inf):
            if self.near[i] > stop:
                break
            t = self._exact_ticks(i, mark)
            if t is not None and (best is None or (t - best) * d < 0):
                best = t
                stop = self._stop(t)
        return best

    def _stop(self, ticks: Fraction) -> float:
        value = float(self.direction * ticks * self.tick)
        return value + ROUNDING * abs(value)

    def band(self, ticks: int) -> tuple[np.ndarray, bool]:
        """SPEC 3.6 before the grid price `ticks`: (slots of the held rows with exact b strictly
        before it, whether the fund's b of the last `first` is)."""
        mark, d = self._mark(), self.direction
        u = d * float(Fraction(ticks) * self.tick)
        inside = u - ROUNDING * abs(u)
        rows = [i for i in self._rows_from(u + ROUNDING * abs(u))
                if self.far[i] < inside
                or ((t := self._exact_ticks(i, mark)) is not None and (t - ticks) * d < 0)]
        self._take(rows)
        fund_first = self.fund_ticks is not None and (self.fund_ticks - ticks) * d < 0
        return self.slots[rows].astype(np.int64), fund_first

    def _take(self, rows: list[int]) -> None:
        """The fund takes these rows' accounts over (the caller does it right after)."""
        for i in rows:
            self.taken[i] = True
        while self.first_held < len(self.taken) and self.taken[self.first_held]:
            self.first_held += 1
