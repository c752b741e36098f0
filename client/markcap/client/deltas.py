"""Delta batches for StreamDeltas: fills and transfers as columns.

Columns may be Python sequences or numpy arrays; arrays are handed to the packed
repeated fields through `.tolist()`, which is much faster than element-wise
appends. Lengths are not checked here: the server rejects unequal columns
and names the batch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from markcap.v1 import risk_engine_pb2 as pb


@dataclass
class Fills:
    """Fill i is (account_id[i], instrument_id[i], qty[i], price[i]); qty signed contracts."""

    account_id: Sequence[int]
    instrument_id: Sequence[int]
    qty: Sequence[int]
    price: Sequence[float]

    def __len__(self) -> int:
        return len(self.account_id)


@dataclass
class Transfers:
    """Transfer i is (account_id[i], currency_id[i], amount[i]); amount signed, in that currency."""

    account_id: Sequence[int]
    currency_id: Sequence[int]
    amount: Sequence[float]

    def __len__(self) -> int:
        return len(self.account_id)


@dataclass
class DeltaBatch:
    """One StreamDeltas batch, applied atomically as one seq (0: assigned by the server)."""

    seq: int = 0
    fills: Fills | None = None
    transfers: Transfers | None = None


def batch_request(batch: DeltaBatch) -> pb.StreamDeltasRequest:
    """Builds the StreamDeltasRequest of one batch."""
    request = pb.StreamDeltasRequest(seq=batch.seq)
    if batch.fills is not None:
        _extend_columns(request.fills, batch.fills, ("account_id", "instrument_id", "qty", "price"))
    if batch.transfers is not None:
        _extend_columns(request.transfers, batch.transfers, ("account_id", "currency_id", "amount"))
    return request


def split_batches(fills: Fills | None = None, transfers: Transfers | None = None, *,
                  batch_size: int = 10_000, first_seq: int = 0) -> Iterator[DeltaBatch]:
    """Splits columns of any length into batches of at most `batch_size` rows
    (fills and transfers counted together), for MarkcapClient.stream_deltas.

    Rows keep the order one batch would apply them in: every fill, then every
    transfer; a batch may end its fills and start the transfers. Numpy columns
    are sliced as views, lists as copies. Batch k (0-based) gets seq
    first_seq + k, or 0 (assigned by the server) when first_seq is 0. Each
    batch is atomic on its own, not the whole.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    fill_count = len(fills) if fills is not None else 0
    transfer_count = len(transfers) if transfers is not None else 0
    for index, start in enumerate(range(0, fill_count + transfer_count, batch_size)):
        stop = start + batch_size
        yield DeltaBatch(
            seq=first_seq + index if first_seq else 0,
            fills=_rows(fills, start, min(stop, fill_count)) if start < fill_count else None,
            transfers=(_rows(transfers, max(start - fill_count, 0), stop - fill_count)
                       if transfers is not None and stop > fill_count else None))


def _rows(columns: Fills | Transfers, start: int, stop: int) -> Fills | Transfers:
    """Rows start..stop-1 of every column."""
    return type(columns)(*(column[start:stop] for column in vars(columns).values()))


def _extend_columns(message, columns, names: tuple[str, ...]) -> None:
    for name in names:
        values = getattr(columns, name)
        getattr(message, name).extend(values.tolist() if hasattr(values, "tolist") else values)
