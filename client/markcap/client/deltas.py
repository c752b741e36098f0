"""Delta batches for StreamDeltas: fills and transfers as columns.

Columns may be Python sequences or numpy arrays; arrays are handed to the packed
repeated fields through `.tolist()`, which is much faster than element-wise
appends. Lengths are not checked here: the server rejects unequal columns
and names the batch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

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


def _extend_columns(message, columns, names: tuple[str, ...]) -> None:
    for name in names:
        values = getattr(columns, name)
        getattr(message, name).extend(values.tolist() if hasattr(values, "tolist") else values)
