"""Vectorised application of a validated batch (the fast path of SPEC 2 batches).

All changes are computed into staging arrays first and committed only when
nothing overflows, so no undo is needed. Fills of one position that repeat in
a batch are applied in rounds (round r takes each position's r-th fill), which
keeps the sequential average-cost semantics while every round is vectorised.
When anything would overflow, nothing is committed and the caller replays the
batch on the exact sequential path, which names the offending element.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import contracts
from .state import ExchangeState
from .types import FillBatch, TransferBatch


@dataclass
class _StagedBook:
    instrument_id: int
    slots: np.ndarray  # int64, distinct holders touched
    rows: np.ndarray   # int64, their current rows (-1: not holding yet)
    qty: np.ndarray    # int64, new quantities
    cost: np.ndarray   # float64, new costs


def _assign_slots(state: ExchangeState, account_ids: list[int]) -> tuple[np.ndarray, list[int]]:
    """Slots of the accounts, new ones numbered on from the table's count in order of first reference."""
    slot_of = state.accounts.slot_of
    new: dict[int, int] = {}
    next_slot = state.accounts.count
    slots = []
    for account_id in account_ids:
        slot = slot_of.get(account_id)
        if slot is None:
            slot = new.get(account_id)
            if slot is None:
                slot = new[account_id] = next_slot
                next_slot += 1
        slots.append(slot)
    return np.array(slots, dtype=np.int64), list(new)


def _occurrence(sorted_keys: np.ndarray) -> np.ndarray:
    """For keys sorted with repeats adjacent: 0 for the first of each run, 1 for the next..."""
    n = len(sorted_keys)
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    return np.arange(n) - run_start


def _stage_instrument(state: ExchangeState, instrument_id: int, slots: np.ndarray, qty_delta: np.ndarray,
                      price: np.ndarray, realised_out: list) -> _StagedBook | None:
    instrument = state.instruments.by_id[instrument_id]
    book = state.books[instrument_id]
    order = np.argsort(slots, kind="stable")
    sorted_slots = slots[order]
    holders, key = np.unique(sorted_slots, return_inverse=True)
    row_of = book.row_of
    rows = np.array([row_of.get(s, -1) for s in holders.tolist()], dtype=np.int64)
    held = rows >= 0
    qty = np.where(held, book.qty[np.where(held, rows, 0)], 0)
    cost = np.where(held, book.cost[np.where(held, rows, 0)], 0.0)
    occurrence = _occurrence(sorted_slots)
    for round_number in range(int(occurrence.max()) + 1):
        in_round = occurrence == round_number
        fills = order[in_round]
        positions = key[in_round]
        new_qty, new_cost, realised, overflow = contracts.apply_fills(
            instrument.kind, instrument.multiplier, qty[positions], cost[positions], qty_delta[fills], price[fills])
        if overflow.any() or not (np.isfinite(new_cost).all() and np.isfinite(realised).all()):
            return None
        qty[positions], cost[positions] = new_qty, new_cost
        realised_out.append((holders[positions], instrument.settlement_currency_id, realised))
    return _StagedBook(instrument_id, holders, rows, qty, cost)


def apply_batch_fast(state: ExchangeState, fills: FillBatch, transfers: TransferBatch) -> np.ndarray | None:
    """Applies validated columns (fills in order, then transfers); returns the touched slots.

    Returns None, with nothing changed, when an overflow needs the exact path.
    """
    slots, new_ids = _assign_slots(state, fills.account_id.tolist() + transfers.account_id.tolist())
    fill_slots, transfer_slots = slots[: len(fills.qty)], slots[len(fills.qty):]
    staged, realised = [], []
    for instrument_id in np.unique(fills.instrument_id).tolist():
        mine = np.flatnonzero(fills.instrument_id == instrument_id)
        book = _stage_instrument(state, instrument_id, fill_slots[mine], fills.qty[mine], fills.price[mine], realised)
        if book is None:
            return None
        staged.append(book)
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
    for holders, currency_id, amounts in realised:  # fills' realised PnL first, then transfers, as in order
        np.add.at(delta, (np.searchsorted(touched, holders), columns[currency_id]), amounts)
    if len(transfer_slots):
        transfer_columns = np.array([columns[c] for c in transfers.currency_id.tolist()], dtype=np.int64)
        np.add.at(delta, (np.searchsorted(touched, transfer_slots), transfer_columns), transfers.amount)


def _commit(state: ExchangeState, new_ids: list[int], touched: np.ndarray, balances: np.ndarray,
            staged: list[_StagedBook]) -> None:
    state.accounts.create_many(new_ids)
    state.accounts.balances[touched] = balances
    for book_changes in staged:
        state.books[book_changes.instrument_id].write_many(
            book_changes.slots, book_changes.rows, book_changes.qty, book_changes.cost)
