"""Auto-deleveraging (SPEC 5): ranking, selection, allocation, fills.

The fund's whole position in the marked instrument is closed at the applied
price against the opposite side, ranked by the instrument's `adl_ranking`
(ties: lower account_id first), walking the ranking until the selected
accounts hold at least the fund's quantity.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import contracts
from .state import ExchangeState
from .types import AdlAllocation, AdlFill, AdlRanking, Instrument
from .valuation import equities_of


@dataclass(frozen=True)
class Ranking:
    """One side of an instrument in ADL order: arrays of shape (n,), rank 1 first."""

    slots: np.ndarray       # int64
    account_ids: np.ndarray  # uint64
    qty: np.ndarray          # int64, signed
    scores: np.ndarray       # float64


def scores(state: ExchangeState, instrument: Instrument, slots: np.ndarray, qty: np.ndarray,
           cost: np.ndarray) -> np.ndarray:
    """ADL scores at the current mark, float64 shape (n,), higher = deleveraged first.

    PNL: upnl*sigma (valuation currency). PNL_RATIO_TIMES_LEVERAGE: r = upnl/|K|,
    L = |position value|*sigma/E; r*L if r > 0 else r/L (L = inf when E <= 0).
    """
    sigma = state.sigma(instrument)
    price = instrument.mark_price
    upnl = contracts.upnl(instrument.kind, qty.astype(np.float64), cost, instrument.multiplier, price)
    if instrument.adl_ranking == AdlRanking.PNL:
        return upnl * sigma
    equity = equities_of(state, slots)
    value = np.abs(contracts.position_value(instrument.kind, qty.astype(np.float64),
                                            instrument.multiplier, price)) * sigma
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cost != 0, upnl / np.abs(cost), 0.0)
        leverage = np.where(equity > 0, value / equity, np.inf)
        return np.where(ratio > 0, ratio * leverage, ratio / leverage)


def _side(state: ExchangeState, instrument: Instrument, side_sign: int):
    """(slots, account ids, qty, scores) of the non-fund holders on one side, in book order."""
    slots, qty, cost = state.books[instrument.instrument_id].columns()
    mask = (np.sign(qty) == side_sign) & (slots != state.fund_slot)
    slots, qty, cost = slots[mask], qty[mask], cost[mask]
    return slots, state.accounts.ids[slots], qty, scores(state, instrument, slots, qty, cost)


def rank_side(state: ExchangeState, instrument: Instrument, side_sign: int, top: int | None = None) -> Ranking:
    """Non-fund holders of `instrument` with sign(qty) == side_sign, in ADL order (the first `top` only)."""
    slots, account_ids, qty, score = _side(state, instrument, side_sign)
    if top is not None and top < len(slots):  # partition first: O(n) instead of sorting everyone
        threshold = np.partition(-score, top - 1)[top - 1]
        keep = np.flatnonzero(-score <= threshold)
        slots, account_ids, qty, score = slots[keep], account_ids[keep], qty[keep], score[keep]
    order = np.lexsort((account_ids, -score))[:top]
    return Ranking(slots[order], account_ids[order], qty[order], score[order])


def rank_of(state: ExchangeState, instrument: Instrument, slot: int, side_sign: int) -> tuple[int, int]:
    """(1-based ADL rank of the account in slot, count on its side) without sorting the side."""
    slots, account_ids, _, score = _side(state, instrument, side_sign)
    mine = np.flatnonzero(slots == slot)[0]
    ahead = (score > score[mine]) | ((score == score[mine]) & (account_ids < account_ids[mine]))
    return int(ahead.sum()) + 1, len(slots)


def _ranking_covering(state: ExchangeState, instrument: Instrument, side_sign: int, target: int) -> Ranking:
    """The top of the ranking, long enough that its holdings reach `target` (or the whole side)."""
    top = 64
    while True:
        ranking = rank_side(state, instrument, side_sign, top)
        if np.abs(ranking.qty).sum() >= target or len(ranking.qty) < top:
            return ranking
        top *= 4


def allocate(sizes: list[int], target: int, allocation: AdlAllocation) -> list[int]:
    """Contracts taken from each selected account (ranking order), summing to min(target, sum).

    PRO_RATA: floor(target*s_i/T) each, the rest one by one to the largest
    remainders (exact integers; ties in ranking order). QUEUE: fully in order,
    the last partly.
    """
    total = sum(sizes)
    if total <= target:
        return list(sizes)
    if allocation == AdlAllocation.QUEUE:
        taken, left = [], target
        for size in sizes:
            take = min(size, left)
            taken.append(take)
            left -= take
        return taken
    taken = [target * size // total for size in sizes]
    remainders = [target * size % total for size in sizes]
    rest = target - sum(taken)
    by_remainder = sorted(range(len(sizes)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:rest]:
        taken[i] += 1
    return taken


def deleverage(state: ExchangeState, instrument: Instrument, direction: int) -> tuple[AdlFill, ...]:
    """Closes the fund's position in `instrument` at its mark against the ranked opposite side.

    Does nothing when the move does not harm the fund's position (q_f*d >= 0).
    """
    fund_qty, _ = state.books[instrument.instrument_id].get(state.fund_slot)
    if fund_qty == 0 or fund_qty * direction >= 0:
        return ()
    target = abs(fund_qty)
    ranking = _ranking_covering(state, instrument, -int(np.sign(fund_qty)), target)
    sizes, held = [], 0
    for qty in ranking.qty.tolist():
        if held >= target:
            break
        sizes.append(abs(qty))
        held += abs(qty)
    price = instrument.mark_price
    fills = []
    for rank0, take in enumerate(allocate(sizes, target, instrument.adl_allocation)):
        if take == 0:
            continue
        slot = int(ranking.slots[rank0])
        change = -take if ranking.qty[rank0] > 0 else take
        state.fill(slot, instrument, change, price, "adl")
        state.fill(state.fund_slot, instrument, -change, price, "adl")
        fills.append(AdlFill(int(ranking.account_ids[rank0]), instrument.instrument_id, change, price,
                             rank0 + 1, float(ranking.scores[rank0])))
    return tuple(fills)
