"""Vectorised application of a validated batch (the fast path of SPEC 2 batches).

All changes are computed into staging arrays first and committed only when
nothing overflows, so no undo is needed. Positions of all books are staged
together; fills of one position that repeat in a batch are applied in rounds
(round r takes each position's r-th fill), which keeps the sequential
average-cost semantics while every round is vectorised.
When anything would overflow, nothing is committed and the caller replays the
batch on the exact sequential path, which names the offending element.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import contracts
from .runs import occurrence, run_bounds
from .state import ExchangeState
from .types import ContractKind, FillBatch, TransferBatch


@dataclass
class _StagedPositions:
    """Every position a batch's fills touch, sorted by (book, account), with their new values."""

    bits: np.ndarray   # int64, book of each position (ascending)
    slots: np.ndarray  # int64, holder
    rows: np.ndarray   # int64, current row in the book (-1: not holding yet)
    qty: np.ndarray    # int64, new quantities
    cost: np.ndarray   # float64, new costs

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
    """Per book bit: instrument ids sorted with their bits, and each bit's linear flag,
    multiplier and settlement currency's balance column."""
    instruments = [state.instruments.by_id[i] for i in state.instrument_of_bit]
    ids = np.array(state.instrument_of_bit, dtype=np.int64)
    order = np.argsort(ids)
    linear = np.array([x.kind == ContractKind.LINEAR for x in instruments])
    multiplier = np.array([x.multiplier for x in instruments], dtype=np.float64)
    column = np.array([state.currencies.column[x.settlement_currency_id] for x in instruments], dtype=np.int64)
    return ids[order], order, linear, multiplier, column


def _stage_fills(state: ExchangeState, slots: np.ndarray, fills: FillBatch, realised_out: list):
    """New (qty, cost) of every position the fills touch, all books at once; None on overflow.

    Fills of one position are applied in rounds (round r takes each position's
    r-th fill), in batch order, so the sequential average-cost rule holds.
    """
    if len(fills.qty) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _StagedPositions(empty, empty, empty, empty, np.zeros(0))
    sorted_ids, bit_of_sorted, linear, multiplier, column = _book_terms(state)
    bits = bit_of_sorted[np.searchsorted(sorted_ids, fills.instrument_id.astype(np.int64))]
    key = (bits << 40) | slots  # slots < 2**40: one int64 orders by (book, account)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    first, ends = run_bounds(sorted_key)
    position_of = np.repeat(np.arange(len(first)), ends - first)  # per sorted fill
    held_bits, held_slots = bits[order[first]], slots[order[first]]
    rows = state.holdings.rows_in_books(held_slots, held_bits)
    qty = np.zeros(len(first), dtype=np.int64)
    cost = np.zeros(len(first))
    staged = _StagedPositions(held_bits, held_slots, rows, qty, cost)
    for bit, run in staged.by_book():
        book = state.books[state.instrument_of_bit[bit]]
        held = rows[run] >= 0
        qty[run][held] = book.qty[rows[run][held]]
        cost[run][held] = book.cost[rows[run][held]]
    linear, multiplier, column = linear[held_bits], multiplier[held_bits], column[held_bits]
    rounds = occurrence(sorted_key)
    for round_number in range(int(rounds.max()) + 1):
        in_round = rounds == round_number
        fill = order[in_round]
        position = position_of[in_round]
        new_qty, new_cost, realised, overflow = contracts.apply_fills(
            linear[position], multiplier[position], qty[position], cost[position],
            fills.qty[fill], fills.price[fill])
        if overflow.any() or not (np.isfinite(new_cost).all() and np.isfinite(realised).all()):
            return None
        qty[position], cost[position] = new_qty, new_cost
        realised_out.append((held_slots[position], column[position], realised))
    return staged


def apply_batch_fast(state: ExchangeState, fills: FillBatch, transfers: TransferBatch) -> np.ndarray | None:
    """Applies validated columns (fills in order, then transfers); returns the touched slots.

    Returns None, with nothing changed, when an overflow needs the exact path.
    """
    slots, new_ids = _assign_slots(state, np.concatenate([fills.account_id, transfers.account_id]))
    fill_slots, transfer_slots = slots[: len(fills.qty)], slots[len(fills.qty):]
    realised: list = []
    staged = _stage_fills(state, fill_slots, fills, realised)
    if staged is None:
        return None
    touched = np.unique(slots)
    balances = _staged_balances(state, touched, len(new_ids), realised, transfer_slots, transfers)
    if balances is None:
        return None
    _commit(state, new_ids, touched, balances, staged)
    return touched


def _staged_balances(state, touched, new_count, realised, transfer_slots, transfers):
    """New balances of the touched accounts (rows follow `touched`), or None on overflow."""
    columns = state.currencies.column
    existing = state.accounts.count
    start = np.zeros((len(touched), len(state.currencies.prices)))
    old = touched < existing
    start[old] = state.accounts.balances[touched[old]]
    delta = np.zeros_like(start)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow shows up as non-finite below
        _accumulate(delta, touched, columns, realised, transfer_slots, transfers)
        new = start + delta
    return new if np.isfinite(new).all() else None


def _accumulate(delta, touched, columns, realised, transfer_slots, transfers) -> None:
    for holders, balance_columns, amounts in realised:  # fills' realised PnL first, then transfers, as in order
        np.add.at(delta, (np.searchsorted(touched, holders), balance_columns), amounts)
    if len(transfer_slots):
        transfer_columns = np.array([columns[c] for c in transfers.currency_id.tolist()], dtype=np.int64)
        np.add.at(delta, (np.searchsorted(touched, transfer_slots), transfer_columns), transfers.amount)


def _commit(state: ExchangeState, new_ids: np.ndarray, touched: np.ndarray, balances: np.ndarray,
            staged: _StagedPositions) -> None:
    state.accounts.create_many(new_ids)
    state.accounts.balances[touched] = balances
    appended = []
    for bit, run in staged.by_book():
        slots, rows = state.books[state.instrument_of_bit[bit]].write_many(
            staged.slots[run], staged.rows[run], staged.qty[run], staged.cost[run], record_holdings=False)
        appended.append((slots, np.full(len(slots), bit, dtype=np.int64), rows))
    if appended:  # every book's new rows in one call
        state.holdings.add_many(*(np.concatenate(column) for column in zip(*appended)))
