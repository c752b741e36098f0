"""Vectorised application of a validated batch (the fast path of SPEC 2 batches).

All changes are computed into staging arrays first and committed only when
nothing overflows, so no undo is needed. Positions of all books are staged
together; fills of one position that repeat in a batch are applied in rounds
(round r takes each position's r-th fill), which keeps the sequential
average-cost semantics while every round is vectorised.
Arithmetic is the kernels' exact integer rules (contracts.py) on int64 columns;
the rounding residue of the whole batch is computed once per currency, so the
result equals the sequential path's to the unit. When an int64 could overflow,
nothing is committed and the caller replays the batch on the sequential path
(Python integers), which names the offending element or applies it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import contracts
from .runs import groups_of, occurrence, run_bounds
from .state import ExchangeState
from .types import ContractKind, FillBatch, TransferBatch


@dataclass
class _StagedPositions:
    """Every position a batch's fills touch, sorted by (book, account), with their new values."""

    bits: np.ndarray   # int64, book of each position (ascending)
    slots: np.ndarray  # int64, holder
    rows: np.ndarray   # int64, current row in the book (-1: not holding yet)
    qty: np.ndarray    # int64, new quantities
    cost: np.ndarray   # int64, new costs in minor units

    def by_book(self):
        """(bit, slice) of each book's run of positions."""
        starts, ends = run_bounds(self.bits)
        return [(int(self.bits[a]), slice(a, b)) for a, b in zip(starts.tolist(), ends.tolist())]


def _assign_slots(state: ExchangeState, account_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Slots of the accounts (uint64 (n,)), new ones numbered on from the table's count in order
    of first reference; returns (slots int64, the new ids in that order)."""
    slots = state.accounts.slots_of(account_ids)
    unknown = np.flatnonzero(slots < 0)
    if len(unknown) == 0:
        return slots, np.zeros(0, dtype=np.uint64)
    new_ids, first, inverse = np.unique(account_ids[unknown], return_index=True, return_inverse=True)
    by_first_reference = np.argsort(first)
    number = np.empty(len(new_ids), dtype=np.int64)
    number[by_first_reference] = np.arange(len(new_ids))
    slots[unknown] = state.accounts.count + number[inverse]
    return slots, new_ids[by_first_reference]


def _book_terms(state: ExchangeState):
    """Per book bit: instrument ids sorted with their bits, each bit's linear flag, exact constant
    (numerator, denominator as int64) and settlement currency's balance column; None when a
    constant is too large for int64 arithmetic (the exact path handles those)."""
    instruments = [state.instruments.by_id[i] for i in state.instrument_of_bit]
    ids = np.array(state.instrument_of_bit, dtype=np.int64)
    order = np.argsort(ids)
    constants = [state.terms(x).constant for x in instruments]
    if any(c.numerator >= contracts.SAFE or c.denominator >= contracts.SAFE for c in constants):
        return None
    linear = np.array([x.kind == ContractKind.LINEAR for x in instruments])
    numerator = np.array([c.numerator for c in constants], dtype=np.int64)
    denominator = np.array([c.denominator for c in constants], dtype=np.int64)
    column = np.array([state.currencies.column[x.settlement_currency_id] for x in instruments], dtype=np.int64)
    return ids[order], order, linear, numerator, denominator, column


def _fill_round(linear, numerator, denominator, qty, cost, dq, ticks):
    """One round of fills on distinct positions, each kind through its kernel; None on overflow.
    Returns (qty, cost, realised, booked value change), int64 arrays."""
    new_qty, new_cost, realised = qty.copy(), cost.copy(), np.zeros(len(qty), dtype=np.int64)
    booked = np.zeros(len(qty), dtype=np.int64)
    for kernel, mask in ((contracts.Linear, linear), (contracts.Inverse, ~linear)):
        if not mask.any():
            continue
        result = kernel.fill_arrays(numerator[mask], denominator[mask], qty[mask], cost[mask], dq[mask],
                                    ticks[mask])
        if result is None:
            return None
        new_qty[mask], new_cost[mask], realised[mask] = result
        booked[mask] = kernel.booked_value_change(cost[mask], new_cost[mask], realised[mask])
    return new_qty, new_cost, realised, booked


def _stage_fills(state: ExchangeState, slots: np.ndarray, fills: FillBatch, realised_out: list,
                 booked_out: dict):
    """New (qty, cost) of every position the fills touch, all books at once; None on overflow.

    Fills of one position are applied in rounds (round r takes each position's
    r-th fill), in batch order, so the sequential average-cost rule holds.
    `booked_out` gathers each settlement column's booked value change (Python ints).
    """
    if len(fills.qty) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _StagedPositions(empty, empty, empty, empty, empty)
    terms = _book_terms(state)
    if terms is None:
        return None
    sorted_ids, bit_of_sorted, linear, numerator, denominator, column = terms
    bits = bit_of_sorted[np.searchsorted(sorted_ids, fills.instrument_id.astype(np.int64))]
    key = (bits << 40) | slots  # slots < 2**40: one int64 orders by (book, account)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    first, ends = run_bounds(sorted_key)
    position_of = np.repeat(np.arange(len(first)), ends - first)  # per sorted fill
    held_bits, held_slots = bits[order[first]], slots[order[first]]
    rows = state.holdings.rows_in_books(held_slots, held_bits)
    qty = np.zeros(len(first), dtype=np.int64)
    cost = np.zeros(len(first), dtype=np.int64)
    staged = _StagedPositions(held_bits, held_slots, rows, qty, cost)
    for bit, run in staged.by_book():
        book = state.books[state.instrument_of_bit[bit]]
        held = rows[run] >= 0
        qty[run][held] = book.qty[rows[run][held]]
        cost[run][held] = book.cost_units[rows[run][held]]
    linear, numerator, denominator = linear[held_bits], numerator[held_bits], denominator[held_bits]
    column = column[held_bits]
    rounds = occurrence(sorted_key)
    for round_number in range(int(rounds.max()) + 1):
        in_round = rounds == round_number
        fill = order[in_round]
        position = position_of[in_round]
        result = _fill_round(linear[position], numerator[position], denominator[position], qty[position],
                             cost[position], fills.qty[fill], fills.ticks[fill])
        if result is None:
            return None
        qty[position], cost[position], realised, booked = result
        realised_out.append((held_slots[position], column[position], realised))
        for currency_column in np.unique(column[position]).tolist():
            mine = column[position] == currency_column
            booked_out[currency_column] = (booked_out.get(currency_column, 0)
                                           + contracts.exact_dot(booked[mine], np.ones(int(mine.sum()), np.int64)))
    return staged


def _exact_changes(state: ExchangeState, fills: FillBatch) -> dict[int, Fraction]:
    """Sum of the fills' exact value changes per settlement currency column (contracts.py). Fills
    of one instrument at one price are netted first: fills in opposite pairs cancel there, so a
    zero-sum batch needs no fraction at all."""
    exact: dict[int, Fraction] = {}
    if len(fills.qty) == 0:
        return exact
    instrument_ids = fills.instrument_id.astype(np.int64)
    order = np.lexsort((fills.ticks, instrument_ids))
    keys_changed = np.r_[True, (np.diff(instrument_ids[order]) != 0) | (np.diff(fills.ticks[order]) != 0)]
    starts = np.flatnonzero(keys_changed)
    if float(np.abs(fills.qty.astype(np.float64)).sum()) < contracts.SAFE:
        net = np.add.reduceat(fills.qty[order], starts)
    else:  # too large for an int64 sum: Python integers
        bounds = np.r_[starts, len(order)].tolist()
        net = [sum(fills.qty[order[a:b]].tolist()) for a, b in zip(bounds, bounds[1:])]
        net = np.array([q if q else 0 for q in net], dtype=object)
    for i in np.flatnonzero(net != 0).tolist():
        first = order[starts[i]]
        instrument = state.instruments.by_id[int(instrument_ids[first])]
        change = contracts.kernel(instrument.kind).exact_value_change(
            state.terms(instrument), int(net[i]), int(fills.ticks[first]))
        column = state.currencies.column[instrument.settlement_currency_id]
        exact[column] = exact.get(column, Fraction(0)) + change
    return exact


def apply_batch_fast(state: ExchangeState, fills: FillBatch, transfers: TransferBatch) -> np.ndarray | None:
    """Applies validated columns (fills in order, then transfers); returns the touched slots.

    Returns None, with nothing changed, when an overflow needs the exact path.
    """
    slots, new_ids = _assign_slots(state, np.concatenate([fills.account_id, transfers.account_id]))
    fill_slots, transfer_slots = slots[: len(fills.qty)], slots[len(fills.qty):]
    realised: list = []
    booked: dict[int, int] = {}
    staged = _stage_fills(state, fill_slots, fills, realised, booked)
    open_interest = None if staged is None else _open_interest_after(state, staged)
    if open_interest is None:
        return None
    residue, paid = _residues(state, _exact_changes(state, fills), booked)
    if paid:  # whole units of residue go to the fund's balance
        realised.append((np.full(len(paid), state.fund_slot), np.array(list(paid), dtype=np.int64),
                         np.array(list(paid.values()), dtype=np.int64)))
        slots = np.append(slots, state.fund_slot)
    touched = np.unique(slots)
    balances = _staged_balances(state, touched, len(new_ids), realised, transfer_slots, transfers)
    if balances is None:
        return None
    _commit(state, new_ids, touched, balances, staged, open_interest)
    state.residue.update(residue)
    return touched


def _open_interest_after(state: ExchangeState, staged: _StagedPositions) -> dict[int, tuple[int, int]] | None:
    """Each touched book's (long, short) totals after the batch, or None when one goes beyond
    int64 (the sequential path then names the fill that takes it there)."""
    totals = {}
    for bit, run in staged.by_book():
        book = state.books[state.instrument_of_bit[bit]]
        totals[bit] = book.open_interest_after(staged.rows[run], staged.qty[run])
        if max(totals[bit]) > contracts.INT64_MAX:
            return None
    return totals


def _residues(state: ExchangeState, exact: dict[int, Fraction], booked: dict[int, int]):
    """Each currency's residue after the batch and the whole units paid to the fund (by column)."""
    currency_of = {column: currency_id for currency_id, column in state.currencies.column.items()}
    residue, paid = {}, {}
    for column in sorted(set(exact) | set(booked)):
        currency_id = currency_of[column]
        owed = state.residue.get(currency_id, Fraction(0)) + exact.get(column, 0) - booked.get(column, 0)
        whole = math.floor(owed)
        residue[currency_id] = owed - whole
        if whole:
            paid[column] = whole
    return residue, paid


def _staged_balances(state, touched, new_count, realised, transfer_slots, transfers):
    """New balances of the touched accounts in minor units (rows follow `touched`), or None when
    an int64 could overflow."""
    columns = state.currencies.column
    existing = state.accounts.count
    start = np.zeros((len(touched), len(state.currencies.prices)), dtype=np.int64)
    old = touched < existing
    start[old] = state.accounts.units[touched[old]]
    magnitude = np.abs(start.astype(np.float64))
    delta = np.zeros_like(start)
    amounts = [amount for _, _, amount in realised] + [transfers.units]
    if sum(float(np.abs(a.astype(np.float64)).sum()) for a in amounts) + float(magnitude.max(initial=0)) \
            >= contracts.SAFE:
        return None
    _accumulate(delta, touched, columns, realised, transfer_slots, transfers)
    return start + delta


def _accumulate(delta, touched, columns, realised, transfer_slots, transfers) -> None:
    for holders, balance_columns, amounts in realised:  # fills' realised PnL first, then transfers, as in order
        np.add.at(delta, (np.searchsorted(touched, holders), balance_columns), amounts)
    if len(transfer_slots):
        transfer_columns = np.array([columns[c] for c in transfers.currency_id.tolist()], dtype=np.int64)
        np.add.at(delta, (np.searchsorted(touched, transfer_slots), transfer_columns), transfers.units)


def _commit(state: ExchangeState, new_ids: np.ndarray, touched: np.ndarray, balances: np.ndarray,
            staged: _StagedPositions, open_interest: dict[int, tuple[int, int]]) -> None:
    state.accounts.create_many(new_ids)
    state.accounts.write_many(touched, balances)
    appended = []
    for bit, run in staged.by_book():
        slots, rows = state.books[state.instrument_of_bit[bit]].write_many(
            staged.slots[run], staged.rows[run], staged.qty[run], staged.cost[run], record_holdings=False,
            open_interest=open_interest[bit])
        appended.append((slots, np.full(len(slots), bit, dtype=np.int64), rows))
    if appended:  # every book's new rows in one call
        state.holdings.add_many(*(np.concatenate(column) for column in zip(*appended)))
