"""Concrete inputs of a stream, and how each is fed to the engine and to the reference."""
from __future__ import annotations

from dataclasses import dataclass

from markcap.engine import Engine
from markcap.engine.types import (
    AdlAllocation, AdlRanking, CapPolicy, CurrencyUpdate, FillBatch, InstrumentUpdate, TransferBatch,
)

from reference.exchange import ReferenceExchange


@dataclass(frozen=True)
class DeltasInput:
    """One batch: fills (account_id, instrument_id, qty, price), transfers (account_id, currency_id, amount)."""

    fills: tuple[tuple[int, int, int, float], ...]
    transfers: tuple[tuple[int, int, float], ...] = ()


@dataclass(frozen=True)
class MarkInput:
    instrument_id: int
    price: float
    cap_policy: CapPolicy | None = None


@dataclass(frozen=True)
class CurrencyInput:
    currency_id: int
    price: float


@dataclass(frozen=True)
class PolicyInput:
    """An instrument upsert changing only policies (None keeps the current one)."""

    instrument_id: int
    cap_policy: CapPolicy | None
    adl_ranking: AdlRanking | None
    adl_allocation: AdlAllocation | None


Input = DeltasInput | MarkInput | CurrencyInput | PolicyInput


def apply_to_engine(engine: Engine, step: Input):
    """Applies `step` at the next seq; returns the engine's outcome."""
    seq = engine.applied_seq + 1
    if isinstance(step, DeltasInput):
        return engine.apply_deltas(seq, FillBatch.of(list(step.fills)),
                                   TransferBatch.of(list(step.transfers)))
    if isinstance(step, MarkInput):
        return engine.apply_mark(seq, step.instrument_id, step.price, step.cap_policy)
    if isinstance(step, CurrencyInput):
        return engine.upsert_currency(seq, CurrencyUpdate(step.currency_id, step.price))
    return engine.upsert_instrument(seq, InstrumentUpdate(
        step.instrument_id, cap_policy=step.cap_policy, adl_ranking=step.adl_ranking,
        adl_allocation=step.adl_allocation))


def apply_to_reference(reference: ReferenceExchange, step: Input):
    """Applies `step` to the reference; returns its outcome (None for deltas and upserts)."""
    if isinstance(step, DeltasInput):
        for account_id, instrument_id, qty, price in step.fills:
            reference.apply_fill(account_id, instrument_id, qty, price)
        for account_id, currency_id, amount in step.transfers:
            reference.apply_transfer(account_id, currency_id, amount)
        return None
    if isinstance(step, MarkInput):
        return reference.apply_mark(step.instrument_id, step.price, step.cap_policy)
    if isinstance(step, CurrencyInput):
        return reference.set_currency_price(step.currency_id, step.price)
    reference.set_instrument_policies(step.instrument_id, cap_policy=step.cap_policy,
                                      adl_ranking=step.adl_ranking,
                                      adl_allocation=step.adl_allocation)
    return None


def account_ids(step: Input) -> set[int]:
    """Accounts a step references (created on first reference)."""
    if isinstance(step, DeltasInput):
        return {row[0] for row in step.fills} | {row[0] for row in step.transfers}
    return set()
