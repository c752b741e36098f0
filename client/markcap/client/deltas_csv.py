"""Fills and transfers from CSV, for `markcap load`.

Format:
  - A header row is required; its columns, in any order, are exactly
    type,account_id,instrument,currency,qty,price,amount
  - `type` is `fill` or `transfer`.
  - A fill uses account_id, instrument (id or symbol), qty (signed whole
    contracts, not 0) and price (> 0); a transfer uses account_id, currency
    (id or code) and amount (signed, in that currency). The other columns of
    the row must be empty.
  - Blank lines and lines starting with `#` are skipped.
Every row is checked before anything is sent; the first bad row is reported
as FILE:LINE: problem, and nothing is sent. Consecutive rows are packed into
batches of up to --batch-size fills+transfers (default 4096), one seq each;
within a batch the server applies the fills first, then the transfers (the
end state is the same: both only add to positions and balances).
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from typing import Iterable, Mapping

from .deltas import DeltaBatch, Fills, Transfers

COLUMNS = ("type", "account_id", "instrument", "currency", "qty", "price", "amount")
_FIELDS_USED = {"fill": {"account_id", "instrument", "qty", "price"},
                "transfer": {"account_id", "currency", "amount"}}
_UINT64_MAX = 2**64 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class CsvError(ValueError):
    """A bad line of a deltas CSV file."""

    def __init__(self, file_name: str, line: int, problem: str):
        super().__init__(f"{file_name}:{line}: {problem}")
        self.file_name, self.line, self.problem = file_name, line, problem


@dataclass(frozen=True)
class FillRow:
    account_id: int
    instrument_id: int
    qty: int
    price: float


@dataclass(frozen=True)
class TransferRow:
    account_id: int
    currency_id: int
    amount: float


class IdLookup:
    """Resolves an id or a name (symbol, code) to a known id of one kind."""

    def __init__(self, kind: str, ids_by_name: Mapping[str, int]):
        self.kind = kind
        self._ids_by_name = dict(ids_by_name)
        self._ids = set(ids_by_name.values())

    def resolve(self, text: str) -> int:
        if text in self._ids_by_name:
            return self._ids_by_name[text]
        if text.isdigit() and int(text) in self._ids:
            return int(text)
        raise ValueError(f"unknown {self.kind} {text!r}")


def read_deltas(lines: Iterable[str], file_name: str, instruments: IdLookup,
                currencies: IdLookup) -> list[FillRow | TransferRow]:
    """Parses and checks every row; raises CsvError at the first bad one."""
    header: dict[str, int] | None = None
    rows: list[FillRow | TransferRow] = []
    for line_number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in next(csv.reader([line]))]
        try:
            if header is None:
                header = _read_header(cells)
            else:
                rows.append(_read_row(cells, header, instruments, currencies))
        except ValueError as problem:
            raise CsvError(file_name, line_number, str(problem)) from None
    if header is None:
        raise CsvError(file_name, 1, f"header row required: {','.join(COLUMNS)}")
    return rows


def unbalanced_instruments(rows: list[FillRow | TransferRow]) -> dict[int, int]:
    """Instruments whose fills do not net to zero, with their net quantity: every contract
    bought is sold by someone, so a complete fill record of an exchange nets to zero."""
    net: dict[int, int] = {}
    for row in rows:
        if isinstance(row, FillRow):
            net[row.instrument_id] = net.get(row.instrument_id, 0) + row.qty
    return {instrument_id: qty for instrument_id, qty in sorted(net.items()) if qty}


def pack_batches(rows: list[FillRow | TransferRow], batch_size: int,
                 first_seq: int = 0) -> list[DeltaBatch]:
    """Consecutive rows in batches of at most batch_size; seqs first_seq, first_seq+1,
    ... (all 0, i.e. assigned by the server, when first_seq is 0)."""
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    return [_batch(rows[start:start + batch_size], first_seq + index if first_seq else 0)
            for index, start in enumerate(range(0, len(rows), batch_size))]


def _batch(rows: list[FillRow | TransferRow], seq: int) -> DeltaBatch:
    fills = [row for row in rows if isinstance(row, FillRow)]
    transfers = [row for row in rows if isinstance(row, TransferRow)]
    return DeltaBatch(
        seq=seq,
        fills=Fills([f.account_id for f in fills], [f.instrument_id for f in fills],
                    [f.qty for f in fills], [f.price for f in fills]) if fills else None,
        transfers=Transfers([t.account_id for t in transfers], [t.currency_id for t in transfers],
                            [t.amount for t in transfers]) if transfers else None)


def _read_header(cells: list[str]) -> dict[str, int]:
    names = [cell.lower() for cell in cells]
    for name in names:
        if name not in COLUMNS:
            raise ValueError(f"unknown column {name!r}: expected {','.join(COLUMNS)}")
        if names.count(name) > 1:
            raise ValueError(f"column {name!r} appears twice")
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        raise ValueError(f"header row lacks column(s) {', '.join(missing)}: "
                         f"expected {','.join(COLUMNS)}")
    return {name: index for index, name in enumerate(names)}


def _read_row(cells: list[str], header: dict[str, int], instruments: IdLookup,
              currencies: IdLookup) -> FillRow | TransferRow:
    if len(cells) != len(header):
        raise ValueError(f"expected {len(header)} fields, got {len(cells)}")
    field = {name: cells[index] for name, index in header.items()}
    kind = field["type"].lower()
    if kind not in _FIELDS_USED:
        raise ValueError(f"type {field['type']!r} is neither 'fill' nor 'transfer'")
    for name in COLUMNS[1:]:
        if field[name] and name not in _FIELDS_USED[kind]:
            raise ValueError(f"a {kind} takes no {name} (got {field[name]!r})")
    account_id = _whole_number(field, "account_id", 0, _UINT64_MAX)
    if kind == "fill":
        return FillRow(account_id, instruments.resolve(_required(field, "instrument")),
                       _nonzero_qty(field), _positive_price(field))
    return TransferRow(account_id, currencies.resolve(_required(field, "currency")),
                       _finite(field, "amount"))


def _required(field: dict[str, str], name: str) -> str:
    if not field[name]:
        raise ValueError(f"{name} is empty")
    return field[name]


def _whole_number(field: dict[str, str], name: str, low: int, high: int) -> int:
    text = _required(field, name)
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a whole number") from None
    if not low <= value <= high:
        raise ValueError(f"{name} {text!r} is out of range [{low}, {high}]")
    return value


def _nonzero_qty(field: dict[str, str]) -> int:
    qty = _whole_number(field, "qty", _INT64_MIN, _INT64_MAX)
    if qty == 0:
        raise ValueError("qty is 0: a fill must change the position")
    return qty


def _finite(field: dict[str, str], name: str) -> float:
    text = _required(field, name)
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} {text!r} is not finite")
    return value


def _positive_price(field: dict[str, str]) -> float:
    price = _finite(field, "price")
    if price <= 0:
        raise ValueError(f"price {field['price']!r} is not > 0")
    return price
