"""Request messages -> engine inputs. Only message shape is checked here
(column lengths, enum numbers, required sub-messages); values are the engine's job.
Column lengths are checked by the engine's own check (engine/deltas.py), run here on
the packed columns before they become arrays, so a batch of unequal columns is refused
before its seq is looked at, with the words the engine uses."""
from __future__ import annotations

import numpy as np

from markcap.engine import (CurrencyUpdate, FillBatch, InstrumentUpdate, InvalidInput, MarkRequest, Side,
                            TransferBatch)
from markcap.engine.deltas import _columns as check_column_lengths
from markcap.v1 import risk_engine_pb2 as pb

from . import enums

DEFAULT_ADL_QUEUE_LIMIT = 20


def _check_equal_lengths(message, field: str, columns: tuple[str, ...]) -> None:
    check_column_lengths(field, {name: getattr(message, name) for name in columns})


def fill_batch(columns: pb.FillColumns) -> FillBatch:
    """Packed columns -> numpy arrays (np.asarray reads the packed field directly)."""
    _check_equal_lengths(columns, "fills", ("account_id", "instrument_id", "qty", "price"))
    return FillBatch(account_id=np.asarray(columns.account_id, dtype=np.uint64),
                     instrument_id=np.asarray(columns.instrument_id, dtype=np.uint32),
                     qty=np.asarray(columns.qty, dtype=np.int64),
                     price=np.asarray(columns.price, dtype=np.float64))


def transfer_batch(columns: pb.TransferColumns) -> TransferBatch:
    _check_equal_lengths(columns, "transfers", ("account_id", "currency_id", "amount"))
    return TransferBatch(account_id=np.asarray(columns.account_id, dtype=np.uint64),
                         currency_id=np.asarray(columns.currency_id, dtype=np.uint32),
                         amount=np.asarray(columns.amount, dtype=np.float64))


def _require(request, field: str) -> None:
    if not request.HasField(field):
        raise InvalidInput(f"{field} is required", field=field, value=None)


def currency_update(request: pb.UpsertCurrencyRequest) -> CurrencyUpdate:
    _require(request, "currency")
    currency = request.currency
    return CurrencyUpdate(currency_id=currency.currency_id, price=currency.price,
                          code=currency.code or None, valuation=currency.valuation,
                          decimals=_optional(currency, "decimals"))


def _optional(message, field: str):
    return getattr(message, field) if message.HasField(field) else None


def instrument_update(request: pb.UpsertInstrumentRequest) -> InstrumentUpdate:
    """Empty symbol, absent optionals and UNSPECIFIED enums -> None (keep / default)."""
    _require(request, "instrument")
    instrument = request.instrument
    return InstrumentUpdate(
        instrument_id=instrument.instrument_id,
        symbol=instrument.symbol or None,
        kind=enums.CONTRACT_KIND.optional(instrument.kind, "instrument.kind"),
        settlement_currency_id=_optional(instrument, "settlement_currency_id"),
        multiplier=_optional(instrument, "multiplier"),
        tick_size=_optional(instrument, "tick_size"),
        mark_price=_optional(instrument, "mark_price"),
        cap_policy=enums.CAP_POLICY.optional(instrument.cap_policy, "instrument.cap_policy"),
        adl_ranking=enums.ADL_RANKING.optional(instrument.adl_ranking, "instrument.adl_ranking"),
        adl_allocation=enums.ADL_ALLOCATION.optional(instrument.adl_allocation,
                                                     "instrument.adl_allocation"),
    )


def cap_policy(request: pb.ApplyMarkRequest):
    """The override, or None to use the instrument's policy."""
    return enums.CAP_POLICY.optional(request.cap_policy, "cap_policy")


def mark_requests(request: pb.ApplyMarksRequest) -> list[MarkRequest]:
    """Each MarkRequest, its fields named marks[i].* in errors."""
    return [MarkRequest(mark.instrument_id, mark.price,
                        enums.CAP_POLICY.optional(mark.cap_policy, f"marks[{i}].cap_policy"),
                        mark.sweep, mark.max_steps)
            for i, mark in enumerate(request.marks)]


def side(request: pb.GetAdlQueueRequest) -> Side:
    return enums.SIDE.required(request.side, "side")


def adl_queue_limit(request: pb.GetAdlQueueRequest) -> int:
    return request.limit or DEFAULT_ADL_QUEUE_LIMIT
