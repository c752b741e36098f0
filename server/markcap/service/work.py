"""What replaying a journaled input costs, in fills: the unit of the snapshot trigger by work.

A delta batch is its fills and transfers; a mark MARK_WORK plus its liquidations,
ADL fills and steps (each about a fill's work or more); a currency upsert
MARK_WORK plus every open position (its replay re-keys them all); an instrument
upsert MARK_WORK. Deterministic (from the input and its answer), so a restart
counts the replayed inputs' work as the live inputs counted it.
"""
from __future__ import annotations

from typing import Callable

from markcap.store import RecordKind

# A mark's replay without liquidations, in fills' work: at exchange-1M an ApplyMark replays in
# about 0.6 ms, a fill in about 8 us (bench/restart.py, docs/persistence.md).
MARK_WORK = 100


def _mark_work(response) -> int:
    return MARK_WORK + len(response.liquidations) + len(response.adl_fills) + len(response.steps)


def input_work(kind: RecordKind, request, response, positions: Callable[[], int]) -> int:
    """What replaying one journaled input costs, in fills; `positions`: the open positions now."""
    if kind is RecordKind.DELTAS:
        return len(request.fills.qty) + len(request.transfers.amount)
    if kind is RecordKind.MARK:
        return _mark_work(response)
    if kind is RecordKind.MARKS:
        return sum(_mark_work(outcome) for outcome in response.outcomes) or MARK_WORK
    if kind is RecordKind.CURRENCY:
        return MARK_WORK + positions()
    if kind is RecordKind.INSTRUMENT:
        return MARK_WORK
    raise ValueError(f"no work known for journaled {kind!r}")
