"""ADL rankings within a sweep (SPEC 5.3 during SPEC 3 "Sweep"): a side scored once per range of marks.

During a sweep x's mark moves one way from P0 toward P1, and the winning side of x
(the side ADL closes against) changes only by the sweep's own ADL fills, which
shrink positions: takeovers touch the harmed side and the fund, and nothing else
moves. Each ranking bounds its scores over a range of marks (`RankingRule.range_bounds`):
under PNL a score is monotone in the mark (upnl is linear in p, or in 1/p), so it lies
between its values at the range's ends; under ratio times leverage each factor is
monotone, and interval arithmetic bounds their product. A top-k query then scores at
the current mark only the rows whose upper bound reaches the k-th largest lower bound
(they include the exact top k) and orders them exactly as `rank_side` does. Rows the
sweep fills are read again from the book. [P0, P1] is cut into SEGMENTS ranges, each
scored when the mark first enters it, so the bounds stay narrow.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .adl import Ranking, SideScores, ranking_rule, top_of
from .state import ExchangeState
from .types import Instrument

SEGMENTS = 16  # ranges [P0, P1] is cut into: narrower bounds against more scoring of the side
HEAD = 4096  # rows of a side ordered at first (more when a query needs them): a partial sort


class SideRange:
    """The non-fund holders of one side of x with score bounds valid for every mark between two
    prices (in ticks), and the rows changed since they were taken."""

    def __init__(self, state: ExchangeState, instrument: Instrument, side_sign: int, ends: tuple[int, int],
                 head: int = HEAD):
        self.state, self.side_sign = state, side_sign
        self.rule = ranking_rule(instrument.adl_ranking)
        grid = state.instruments.grid(instrument)
        self.at_ends = [dataclasses.replace(instrument, mark_price=grid.value(t)) for t in ends]
        slots, qty, cost = state.books[instrument.instrument_id].columns()
        mask = (np.sign(qty) == side_sign) & (slots != state.fund_slot)
        rows = np.flatnonzero(mask)  # take copies; faster than a boolean index over a large book
        self.slots, self.qty, self.cost = slots.take(rows), qty.take(rows), cost.take(rows)
        self.lower, self.upper = self._bounds(self.slots, self.qty, self.cost)
        self.row_of_slot = np.full(state.accounts.count, -1, dtype=np.int64)
        self.row_of_slot[self.slots] = np.arange(len(self.slots))
        self.changed = np.zeros(len(self.slots), dtype=bool)
        self.alive = np.ones(len(self.slots), dtype=bool)
        self.changed_rows: list[int] = []
        self._order(head)

    def _order(self, head: int) -> None:
        """Orders the side's first `head` rows by lower bound (all, when there are not more) and,
        by upper bound, every row whose upper bound reaches the head's last lower bound: any query
        whose top and changed rows together fit in the head is answered from these alone (the
        pool it takes its threshold from holds at least `top` unchanged rows of the head)."""
        n = len(self.slots)
        self.head = head if head < n else n
        if self.head < n:
            first = np.argpartition(-self.lower, self.head - 1)[:self.head]
            self.by_lower = first[np.lexsort((first, -self.lower[first]))]
            floor = self.lower[self.by_lower[-1]]
            reaching = np.flatnonzero(self.upper >= floor)
        else:
            self.by_lower = np.argsort(-self.lower, kind="stable")
            reaching = np.arange(n)
        self.by_upper = reaching[np.lexsort((reaching, -self.upper[reaching]))]
        self.upper_descending = self.upper[self.by_upper]

    def _bounds(self, slots, qty, cost) -> tuple[np.ndarray, np.ndarray]:
        instrument = self.state.instruments.by_id[self.at_ends[0].instrument_id]  # as it is now
        return self.rule.range_bounds(self.state, instrument, self.at_ends, slots, qty, cost)

    def filled(self, instrument: Instrument, slots: list[int]) -> None:
        """These accounts' positions changed (ADL fills): read them again from the book."""
        book = self.state.books[instrument.instrument_id]
        still_held = []
        for slot in slots:
            row = int(self.row_of_slot[slot])
            book_row = book.row(slot)
            if not self.changed[row]:
                self.changed[row] = True
                self.changed_rows.append(row)
            if book_row is None or np.sign(book.qty[book_row]) != self.side_sign:
                self.alive[row] = False
                continue
            self.qty[row], self.cost[row] = book.qty[book_row], book.cost[book_row]
            still_held.append(row)
        if still_held:  # scored again together
            rows = np.array(still_held, dtype=np.int64)
            self.lower[rows], self.upper[rows] = self._bounds(self.slots[rows], self.qty[rows], self.cost[rows])

    def ranking(self, instrument: Instrument, top: int) -> Ranking:
        """The side's first `top` in exact ADL order at the current mark (within the range)."""
        if top + len(self.changed_rows) > self.head < len(self.slots):
            self._order(max(4 * self.head, top + len(self.changed_rows)))
        changed = np.array(self.changed_rows, dtype=np.int64)
        changed = changed[self.alive[changed]]
        head = self.by_lower[:top + len(self.changed_rows)]
        pool = np.concatenate([self.lower[head[~self.changed[head]]], self.lower[changed]])
        threshold = -np.inf if len(pool) < top else -np.partition(-pool, top - 1)[top - 1]
        reach = int(np.searchsorted(-self.upper_descending, -threshold, side="right"))
        rows = self.by_upper[:reach]
        rows = np.concatenate([rows[~self.changed[rows]], changed[self.upper[changed] >= threshold]])
        slots, qty, cost = self.slots[rows], self.qty[rows], self.cost[rows]
        score, lower, upper = self.rule.scores(self.state, instrument, slots, qty, cost)
        side = SideScores(slots, self.state.accounts.ids[slots], qty, score, lower, upper)
        return top_of(self.state, instrument, side, top)


class SweepSides:
    """The ADL sides of one sweep of x from `start` toward `requested` ticks."""

    def __init__(self, state: ExchangeState, start: int, requested: int):
        self.state = state
        span = requested - start
        self.ends = [start + span * k // SEGMENTS for k in range(SEGMENTS + 1)]
        self.direction = 1 if span > 0 else -1
        self.current: dict[int, tuple[int, SideRange]] = {}  # side sign -> (segment, its range)

    def _segment(self, ticks: int) -> int:
        d = self.direction
        return next(k for k in range(SEGMENTS) if (self.ends[k + 1] - ticks) * d >= 0)

    def ranker(self, instrument: Instrument, side_sign: int):
        """rank(top) -> Ranking for the side at the current mark."""
        segment = self._segment(self.state.mark_ticks(instrument))
        held = self.current.get(side_sign)
        if held is None or held[0] != segment:
            ends = (self.ends[segment], self.ends[segment + 1])
            self.current[side_sign] = held = (segment, SideRange(self.state, instrument, side_sign, ends))
        side_range = held[1]
        return lambda top: side_range.ranking(instrument, top)

    def filled(self, instrument: Instrument, side_sign: int, slots: list[int]) -> None:
        held = self.current.get(side_sign)
        if held is not None:
            held[1].filled(instrument, slots)
