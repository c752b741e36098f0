"""Auto-deleveraging (SPEC 5): ranking, selection, allocation, fills.

The fund's whole position in the marked instrument is closed at the applied
price against the opposite side, ranked by the instrument's `adl_ranking`
(ties: lower account_id first), walking the ranking until the selected
accounts hold at least the fund's quantity. Float scores narrow the ranking, with
bounds that contain the exact scores; the order is decided by exact scores wherever
bounds overlap. Rankings and allocations are dispatch tables: a value without a
rule is an error, never a default.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import contracts
from .bankruptcy import ROUNDING
from .state import ExchangeState
from .types import AdlAllocation, AdlFill, AdlRanking, Instrument
from .valuation import ERROR_BOUND, AccountPositions, exact_equity


@dataclass(frozen=True)
class Ranking:
    """One side of an instrument in ADL order: arrays of shape (n,), rank 1 first."""

    slots: np.ndarray       # int64
    account_ids: np.ndarray  # uint64
    qty: np.ndarray          # int64, signed
    scores: np.ndarray       # float64 (the double nearest to each exact score)


INFINITE = (1, Fraction(0))  # the exact key of an infinite score (leverage without equity, positive PnL)


@dataclass(frozen=True)
class SideScores:
    """Float scores of one side's holders with bounds that contain the exact ones, (n,) each."""

    slots: np.ndarray
    account_ids: np.ndarray
    qty: np.ndarray
    scores: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def _pnl_scores(state, instrument, slots, qty, cost):
    """PNL: upnl*sigma (valuation currency); error within ERROR_BOUND of the position's terms."""
    sigma = state.sigma(instrument)
    qty_f = qty.astype(np.float64)
    upnl = contracts.upnl(instrument.kind, qty_f, cost, instrument.multiplier, instrument.mark_price)
    value = contracts.position_value(instrument.kind, qty_f, instrument.multiplier, instrument.mark_price)
    score = upnl * sigma
    error = ERROR_BOUND * (np.abs(value) + np.abs(cost)) * sigma + ROUNDING * np.abs(score)
    return score, score - error, score + error


def _pnl_exact(state, instrument, slot, qty, cost):
    """Exact PNL key: the numerator of upnl in minor units over the kernel's denominator (b for
    LINEAR, b*n for INVERSE), an integer: sigma, the unit and that denominator are positive and
    the same for every holder of the instrument at one mark, so keys order as the scores do."""
    kernel = contracts.kernel(instrument.kind)
    return (0, kernel.upnl_parts(state.terms(instrument), qty, cost, state.mark_ticks(instrument))[0])


def _ratio_scores(state, instrument, slots, qty, cost):
    """PNL_RATIO_TIMES_LEVERAGE: r = upnl/|K|, L = |position value|*sigma/E; r*L if r > 0 else r/L
    (L = inf when E <= 0). Rows whose float error cannot be bounded tightly get (-inf, inf)."""
    sigma = state.sigma(instrument)
    qty_f = qty.astype(np.float64)
    upnl = contracts.upnl(instrument.kind, qty_f, cost, instrument.multiplier, instrument.mark_price)
    value = np.abs(contracts.position_value(instrument.kind, qty_f, instrument.multiplier,
                                            instrument.mark_price))
    local = AccountPositions(state, slots)
    equity = local.equity_at_marks()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cost != 0, upnl / np.abs(cost), 0.0)
        leverage = np.where(equity > 0, value * sigma / equity, np.inf)
        score = np.where(ratio > 0, ratio * leverage, ratio / leverage)
        relative = (ERROR_BOUND * (value + np.abs(cost)) / np.abs(upnl)
                    + ERROR_BOUND * local.magnitude() / np.abs(equity) + 2.0**-48)
    certain = (relative < 0.01) & (cost != 0)
    infinite = certain & (equity < 0) & (ratio > 0)
    finite = certain & (equity > 0)
    with np.errstate(invalid="ignore"):  # inf - inf where not finite: replaced just below
        error = np.where(finite, np.abs(score) * relative, np.inf)
        lower = np.where(infinite, np.inf, np.where(finite, score - error, -np.inf))
        upper = np.where(infinite, np.inf, np.where(finite, score + error, np.inf))
    return score, lower, upper


def _ratio_exact(state, instrument, slot, qty, cost):
    kernel = contracts.kernel(instrument.kind)
    terms, ticks = state.terms(instrument), state.mark_ticks(instrument)
    if cost == 0:
        return (0, Fraction(0))
    upnl = kernel.upnl_units(terms, qty, cost, ticks)
    ratio = upnl / abs(cost)
    equity = exact_equity(state, slot)
    if equity <= 0:
        return INFINITE if ratio > 0 else (0, Fraction(0))
    settlement = state.currencies.by_id[instrument.settlement_currency_id]
    value = abs(kernel.value_units(terms, qty, ticks)) * state.currencies.exact_prices[settlement.currency_id] \
        / 10**settlement.decimals
    if value == 0:
        return (0, Fraction(0)) if ratio <= 0 else INFINITE
    leverage = value / equity
    return (0, ratio * leverage if ratio > 0 else ratio / leverage)


def _pnl_range_bounds(state, instrument, at_ends, slots, qty, cost):
    """Bounds of each PNL score over every mark between the two `at_ends` (instruments at the
    range's end marks): upnl is linear in p (LINEAR) or in 1/p (INVERSE), so a score lies
    between its values at the ends, and the ends' float bounds hold it."""
    (_, low_a, high_a), (_, low_b, high_b) = (_pnl_scores(state, end, slots, qty, cost) for end in at_ends)
    return np.minimum(low_a, low_b), np.maximum(high_a, high_b)


RANGE_SLACK = 2.0**-44  # relative widening of interval products for their own roundings (a few 2^-53)


def _ratio_range_bounds(state, instrument, at_ends, slots, qty, cost):
    """Bounds of each PNL_RATIO_TIMES_LEVERAGE score over every mark between the two `at_ends`.

    The score is not monotone in the mark, but each of its factors is: over the range, upnl
    (so r = upnl/|K|), the position's |value| and the equity E = E_now + sigma*(upnl - upnl_now)
    each move one way, so each lies between its values at the ends (widened by its float
    error). Where r and E keep one sign over the range, interval arithmetic bounds r*L or r/L;
    elsewhere the bounds are (-inf, inf) and the row is always scored at the mark."""
    sigma = state.sigma(instrument)
    kind, multiplier = instrument.kind, instrument.multiplier
    qty_f, size = qty.astype(np.float64), np.abs(cost)
    local = AccountPositions(state, slots)
    equity_now, magnitude = local.equity_at_marks(), local.magnitude()
    upnl_now = contracts.upnl(kind, qty_f, cost, multiplier, instrument.mark_price)
    value_now = np.abs(contracts.position_value(kind, qty_f, multiplier, instrument.mark_price))
    upnls, values, equities, errors = [], [], [], []
    for end in at_ends:
        upnl = contracts.upnl(kind, qty_f, cost, multiplier, end.mark_price)
        value = np.abs(contracts.position_value(kind, qty_f, multiplier, end.mark_price))
        upnls.append(upnl)
        values.append(value)
        equities.append(equity_now + sigma * (upnl - upnl_now))
        errors.append(ERROR_BOUND * (value + value_now + 2 * size))
    term_error = np.maximum(*errors)  # of each upnl and value
    equity_error = 2 * (ERROR_BOUND * magnitude + sigma * term_error)
    u_low, u_high = np.minimum(*upnls) - term_error, np.maximum(*upnls) + term_error
    v_low, v_high = np.minimum(*values) - term_error, np.maximum(*values) + term_error
    e_low, e_high = np.minimum(*equities) - equity_error, np.maximum(*equities) + equity_error
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r_low, r_high = u_low / size, u_high / size
        gains = (size > 0) & (r_low > 0) & (e_low > 0) & (v_low > 0)
        losses = (size > 0) & (r_high < 0) & (e_low > 0) & (v_low > 0)
        infinite = (size > 0) & (r_low > 0) & (e_high < 0)
        lower = np.where(gains, r_low * v_low * sigma / e_high,
                         np.where(losses, r_low * e_high / (v_low * sigma), -np.inf))
        upper = np.where(gains, r_high * v_high * sigma / e_low,
                         np.where(losses, r_high * e_low / (v_high * sigma), np.inf))
        bounded = gains | losses
        lower = np.where(bounded, lower - np.abs(lower) * RANGE_SLACK, lower)
        upper = np.where(bounded, upper + np.abs(upper) * RANGE_SLACK, upper)
    lower = np.where(infinite, np.inf, np.where(np.isnan(lower), -np.inf, lower))
    upper = np.where(infinite, np.inf, np.where(np.isnan(upper), np.inf, upper))
    return lower, upper


@dataclass(frozen=True)
class RankingRule:
    """One ranking of SPEC 5.3: float scores with bounds at the mark, the exact key that decides,
    and bounds that hold each score over a range of marks (all else fixed), for a sweep."""

    scores: object
    exact: object
    range_bounds: object


RANKINGS = {AdlRanking.PNL: RankingRule(_pnl_scores, _pnl_exact, _pnl_range_bounds),
            AdlRanking.PNL_RATIO_TIMES_LEVERAGE: RankingRule(_ratio_scores, _ratio_exact, _ratio_range_bounds)}


def ranking_rule(ranking: AdlRanking) -> RankingRule:
    try:
        return RANKINGS[ranking]
    except KeyError:
        raise ValueError(f"no ADL ranking rule for {ranking!r}") from None


def _side(state: ExchangeState, instrument: Instrument, side_sign: int) -> SideScores:
    """The non-fund holders on one side, in book order, with their float scores and bounds."""
    slots, qty, cost = state.books[instrument.instrument_id].columns()
    mask = (np.sign(qty) == side_sign) & (slots != state.fund_slot)
    rows = np.flatnonzero(mask)  # take by index: a boolean index over a large book is several times slower
    slots, qty, cost = slots.take(rows), qty.take(rows), cost.take(rows)
    score, lower, upper = ranking_rule(instrument.adl_ranking).scores(state, instrument, slots, qty, cost)
    return SideScores(slots, state.accounts.ids[slots], qty, score, lower, upper)


def _exact_key(state: ExchangeState, instrument: Instrument, slot: int, qty: int):
    _, cost = state.books[instrument.instrument_id].get(slot)
    return ranking_rule(instrument.adl_ranking).exact(state, instrument, slot, qty, cost)


def _exact_order(state: ExchangeState, instrument: Instrument, side: SideScores,
                 rows: np.ndarray) -> np.ndarray:
    """`rows` in exact ADL order (score descending, then account_id). Rows are sorted by float
    score; only runs whose bounds overlap a neighbour's are compared exactly."""
    rows = rows[np.lexsort((side.account_ids[rows], -side.scores[rows]))]
    if len(rows) < 2:
        return rows
    lower, upper = side.lower[rows], side.upper[rows]
    breaks = np.flatnonzero(upper[1:] < np.minimum.accumulate(lower)[:-1]) + 1
    starts, ends = np.r_[0, breaks], np.r_[breaks, len(rows)]
    overlapping = np.flatnonzero(ends - starts > 1)  # runs of one row are in order already
    if len(overlapping):
        rows = rows.copy()
    for start, end in zip(starts[overlapping].tolist(), ends[overlapping].tolist()):
        run = rows[start:end]
        keys = [_exact_key(state, instrument, int(side.slots[i]), int(side.qty[i])) for i in run.tolist()]
        order = sorted(range(len(run)), key=lambda k: ((-keys[k][0], -keys[k][1]),
                                                       int(side.account_ids[run[k]])))
        rows[start:end] = run[order]
    return rows


def _ranking(state, instrument, side: SideScores, rows: np.ndarray) -> Ranking:
    """The ranked rows, with float score estimates (`exact_score` gives a reported one)."""
    return Ranking(side.slots[rows], side.account_ids[rows], side.qty[rows], side.scores[rows].copy())


def exact_score(state: ExchangeState, instrument: Instrument, slot: int, qty: int) -> float:
    """The double nearest to the account's exact ADL score (valuation currency for PNL)."""
    if instrument.adl_ranking == AdlRanking.PNL:  # upnl valued, in integers: one correctly rounded division
        _, cost = state.books[instrument.instrument_id].get(slot)
        n, d = contracts.kernel(instrument.kind).upnl_parts(state.terms(instrument), qty, cost,
                                                            state.mark_ticks(instrument))
        settlement = state.currencies.by_id[instrument.settlement_currency_id]
        price = state.currencies.exact_prices[settlement.currency_id]
        return (n * price.numerator) / (d * price.denominator * 10**settlement.decimals)
    category, value = _exact_key(state, instrument, slot, qty)
    return float("inf") if category else float(value)


def rank_side(state: ExchangeState, instrument: Instrument, side_sign: int, top: int | None = None) -> Ranking:
    """Non-fund holders of `instrument` with sign(qty) == side_sign, in exact ADL order (the first
    `top` only). Only rows that can be in the top `top` are ranked: those whose upper bound
    reaches the top-th largest lower bound."""
    return top_of(state, instrument, _side(state, instrument, side_sign), top)


def top_of(state: ExchangeState, instrument: Instrument, side: SideScores, top: int | None) -> Ranking:
    """The first `top` of `side` (all: None) in exact ADL order; `side` may be any set of the side's
    holders that includes its exact top `top`."""
    rows = np.arange(len(side.slots))
    if top is not None and top < len(rows):
        threshold = -np.partition(-side.lower, top - 1)[top - 1]
        rows = np.flatnonzero(side.upper >= threshold)
    rows = _exact_order(state, instrument, side, rows)[:top]
    return _ranking(state, instrument, side, rows)


def rank_of(state: ExchangeState, instrument: Instrument, slot: int, side_sign: int) -> tuple[int, int]:
    """(1-based ADL rank of the account in slot, count on its side) without sorting the side."""
    side = _side(state, instrument, side_sign)
    mine = int(np.flatnonzero(side.slots == slot)[0])
    certainly_ahead = side.lower > side.upper[mine]
    open_ = ~certainly_ahead & (side.upper >= side.lower[mine])
    open_[mine] = False
    ahead = int(certainly_ahead.sum())
    if open_.any():
        my_key = (_exact_key(state, instrument, slot, int(side.qty[mine])), -int(side.account_ids[mine]))
        for i in np.flatnonzero(open_).tolist():
            key = (_exact_key(state, instrument, int(side.slots[i]), int(side.qty[i])), -int(side.account_ids[i]))
            ahead += key > my_key
    return ahead + 1, len(side.slots)


def _ranking_covering(rank, target: int) -> Ranking:
    """The top of the ranking (`rank(top)`), long enough that its holdings reach `target` (or the
    whole side)."""
    top = 64
    while True:
        ranking = rank(top)
        if np.abs(ranking.qty).sum() >= target or len(ranking.qty) < top:
            return ranking
        top *= 4


def _queue(sizes: list[int], target: int) -> list[int]:
    """QUEUE: each account closed fully in ranking order, the last one partly."""
    taken, left = [], target
    for size in sizes:
        take = min(size, left)
        taken.append(take)
        left -= take
    return taken


def _pro_rata(sizes: list[int], target: int) -> list[int]:
    """PRO_RATA: floor(target*s_i/T) each, the rest one by one to the largest remainders (exact
    integers; ties in ranking order)."""
    total = sum(sizes)
    taken = [target * size // total for size in sizes]
    remainders = [target * size % total for size in sizes]
    rest = target - sum(taken)
    by_remainder = sorted(range(len(sizes)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:rest]:
        taken[i] += 1
    return taken


ALLOCATIONS = {AdlAllocation.PRO_RATA: _pro_rata, AdlAllocation.QUEUE: _queue}


def allocate(sizes: list[int], target: int, allocation: AdlAllocation) -> list[int]:
    """Contracts taken from each selected account (ranking order), summing to min(target, sum)."""
    try:
        rule = ALLOCATIONS[allocation]
    except KeyError:
        raise ValueError(f"no ADL allocation rule for {allocation!r}") from None
    if sum(sizes) <= target:
        return list(sizes)
    return rule(sizes, target)


def deleverage(state: ExchangeState, instrument: Instrument, direction: int, sides=None,
               ledger=None) -> tuple[AdlFill, ...]:
    """Closes the fund's position in `instrument` at its mark against the ranked opposite side.

    Does nothing when the move does not harm the fund's position (q_f*d >= 0). A sweep passes its
    `sides` (adl_window.SweepSides), which rank from scores kept for its range of marks, and its
    `ledger` (sweep_ledger.py), which holds the fund's account while the sweep runs.
    """
    fund_qty, _ = (state.books[instrument.instrument_id].get(state.fund_slot) if ledger is None
                   else ledger.position(instrument.instrument_id))
    if fund_qty == 0 or fund_qty * direction >= 0:
        return ()
    target = abs(fund_qty)
    side_sign = -int(np.sign(fund_qty))
    rank = None if sides is None else sides.ranker(instrument, side_sign)
    if rank is None:
        def rank(top):
            return rank_side(state, instrument, side_sign, top)
    ranking = _ranking_covering(rank, target)
    sizes, held = [], 0
    for qty in ranking.qty.tolist():
        if held >= target:
            break
        sizes.append(abs(qty))
        held += abs(qty)
    price, ticks = instrument.mark_price, state.mark_ticks(instrument)
    score_before = [exact_score(state, instrument, int(ranking.slots[i]), int(ranking.qty[i]))
                    for i in range(len(sizes))]  # at p*, before any fill moves an equity
    fills = []
    for rank0, take in enumerate(allocate(sizes, target, instrument.adl_allocation)):
        if take == 0:
            continue
        slot = int(ranking.slots[rank0])
        change = -take if ranking.qty[rank0] > 0 else take
        if ledger is None:
            state.fill(slot, instrument, change, ticks, "adl")
            state.fill(state.fund_slot, instrument, -change, ticks, "adl")
        else:
            ledger.adl_fill(slot, instrument, change, ticks)
        fills.append(AdlFill(int(ranking.account_ids[rank0]), instrument.instrument_id, change, price,
                             rank0 + 1, score_before[rank0]))
    if sides is not None:
        sides.filled(instrument, side_sign, [int(ranking.slots[i]) for i in range(len(sizes))])
    return tuple(fills)
