"""Fill and transfer batches (SPEC 2): validated whole, then applied in order.

Static checks (column lengths, ids, qty, prices, amounts) run vectorised over
the batch and name the first bad element; checks that depend on running state
(int64 overflow of a quantity, cost or balance) run while applying, inside the caller's
transaction, so a failure anywhere leaves nothing applied.
"""
from __future__ import annotations

import numpy as np

from . import batch
from .runs import groups_of
from .errors import InvalidInput, UnknownId
from .numbers import PRICE_MAX, PRICE_MIN, out_of_range
from .state import ExchangeState
from .types import FillBatch, TransferBatch


def _columns(name: str, columns: dict[str, np.ndarray]) -> None:
    lengths = {key: len(value) for key, value in columns.items() if value is not None}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{key} {length}" for key, length in lengths.items())
        raise InvalidInput(f"{name}: columns of unequal length ({described})",
                           field=name, value=lengths)


def _as_array(values, dtype, field: str) -> np.ndarray:
    try:
        return np.asarray(values, dtype=dtype)
    except (OverflowError, ValueError, TypeError) as error:
        raise InvalidInput(f"{field}: {error}", field=field, value=None) from None


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if len(hits) else None


def _raise_first(checks) -> None:
    """Raises the error of the lowest element index found by any check.

    `checks`: (bad mask over the batch, function index -> exception) pairs.
    """
    problems = [(i, make_error(i)) for mask, make_error in checks
                if (i := _first(mask)) is not None]
    if problems:
        raise min(problems, key=lambda problem: problem[0])[1]


def validate_fills(state: ExchangeState, fills: FillBatch) -> FillBatch:
    """Returns the batch with canonical dtypes, or raises naming the first bad fill."""
    batch = FillBatch(_as_array(fills.account_id, np.uint64, "fills.account_id"),
                      _as_array(fills.instrument_id, np.uint32, "fills.instrument_id"),
                      _as_array(fills.qty, np.int64, "fills.qty"),
                      _as_array(fills.price, np.float64, "fills.price"))
    _columns("fills", vars(batch))
    known = np.fromiter(state.books.keys(), dtype=np.uint32, count=len(state.books))
    instrument_ids, prices = batch.instrument_id, batch.price
    _raise_first([
        (~np.isin(instrument_ids, known), lambda i: UnknownId(
            f"fills[{i}].instrument_id: unknown instrument {int(instrument_ids[i])}", kind="instrument",
            id_value=int(instrument_ids[i]), field=f"fills[{i}].instrument_id")),
        (batch.qty == 0, lambda i: InvalidInput(
            f"fills[{i}].qty is 0: a fill must change the position", field=f"fills[{i}].qty", value=0)),
        (out_of_range(prices), lambda i: InvalidInput(
            f"fills[{i}].price is {float(prices[i])!r}: must be a finite number in [{PRICE_MIN!r}, {PRICE_MAX!r}]",
            field=f"fills[{i}].price", value=float(prices[i]))),
    ])
    batch.ticks, off_grid = _ticks(state, instrument_ids, prices)
    _raise_first([(off_grid, lambda i: InvalidInput(
        state.instruments.grid(state.instruments.by_id[int(instrument_ids[i])]).problem(
            prices[i], f"fills[{i}].price") + f" of instrument {int(instrument_ids[i])}",
        field=f"fills[{i}].price", value=float(prices[i])))])
    return batch


def _ticks(state: ExchangeState, instrument_ids: np.ndarray, prices: np.ndarray):
    """(each price in ticks of its instrument int64, mask of those off the grid) (SPEC 1)."""
    ticks, bad = np.zeros(len(prices), dtype=np.int64), np.zeros(len(prices), dtype=bool)
    for instrument_id, where in groups_of(instrument_ids):
        grid = state.instruments.grid(state.instruments.by_id[instrument_id])
        ticks[where], bad[where] = grid.units_array(prices[where])
    return ticks, bad


def _units(state: ExchangeState, currency_ids: np.ndarray, amounts: np.ndarray):
    """(each amount in minor units of its currency int64, mask of those finer than that) (SPEC 1)."""
    units, bad = np.zeros(len(amounts), dtype=np.int64), np.zeros(len(amounts), dtype=bool)
    for currency_id, where in groups_of(currency_ids):
        units[where], bad[where] = state.currencies.minor_unit(currency_id).units_array(amounts[where])
    return units, bad


def validate_transfers(state: ExchangeState, transfers: TransferBatch) -> TransferBatch:
    """Returns the batch with canonical dtypes, or raises naming the first bad transfer."""
    batch = TransferBatch(_as_array(transfers.account_id, np.uint64, "transfers.account_id"),
                          _as_array(transfers.currency_id, np.uint32, "transfers.currency_id"),
                          _as_array(transfers.amount, np.float64, "transfers.amount"))
    _columns("transfers", vars(batch))
    known = np.fromiter(state.currencies.by_id.keys(), dtype=np.uint32, count=len(state.currencies.by_id))
    currency_ids, amounts = batch.currency_id, batch.amount
    _raise_first([
        (~np.isin(currency_ids, known), lambda i: UnknownId(
            f"transfers[{i}].currency_id: unknown currency {int(currency_ids[i])}", kind="currency",
            id_value=int(currency_ids[i]), field=f"transfers[{i}].currency_id")),
        (~np.isfinite(amounts), lambda i: InvalidInput(
            f"transfers[{i}].amount is {float(amounts[i])!r}: must be finite",
            field=f"transfers[{i}].amount", value=float(amounts[i]))),
    ])
    batch.units, off_unit = _units(state, currency_ids, amounts)
    _raise_first([(off_unit, lambda i: InvalidInput(
        state.currencies.minor_unit(int(currency_ids[i])).problem(amounts[i], f"transfers[{i}].amount"),
        field=f"transfers[{i}].amount", value=float(amounts[i])))])
    return batch


def apply_batch(state: ExchangeState, fills: FillBatch, transfers: TransferBatch) -> None:
    """Applies validated columns: fills in order, then transfers in order, atomically.

    The vectorised path stages everything and commits only when nothing
    overflows; otherwise the exact sequential path runs in an undo transaction
    and raises naming the element that overflows.
    """
    touched = batch.apply_batch_fast(state, fills, transfers)
    if touched is not None:
        state.changes.accounts(touched)
        return
    with state.operation():
        apply_batch_sequential(state, fills, transfers)


def apply_batch_sequential(state: ExchangeState, fills: FillBatch, transfers: TransferBatch) -> None:
    """One element at a time; inside a transaction an overflow reverts the elements before it."""
    instruments = state.instruments.by_id
    ensure = state.accounts.ensure
    for i, (account_id, instrument_id, qty, ticks) in enumerate(zip(
            fills.account_id.tolist(), fills.instrument_id.tolist(), fills.qty.tolist(),
            fills.ticks.tolist())):
        state.fill(ensure(account_id), instruments[instrument_id], qty, ticks, f"fills[{i}]")
    for i, (account_id, currency_id, units) in enumerate(zip(
            transfers.account_id.tolist(), transfers.currency_id.tolist(), transfers.units.tolist())):
        state.transfer(ensure(account_id), currency_id, units, f"transfers[{i}]")
