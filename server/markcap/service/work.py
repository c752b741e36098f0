"""What replaying a journaled input costs, in fills: the unit of the snapshot trigger by work.

A delta batch is its fills and transfers; a mark MARK_WORK plus its liquidations,
ADL fills and steps (each about a fill's work or more); a currency upsert
MARK_WORK plus every open position (its replay re-keys them all); an instrument
upsert MARK_WORK. Deterministic (from the input and its answer), so a restart
counts the replayed inputs' work as the live inputs counted it. Each input kind
names its function here (input_kinds.py `work`): (request, response, open
positions now) -> fills.
"""
from __future__ import annotations

from typing import Callable

# A mark's replay without liquidations, in fills' work: at exchange-1M an ApplyMark replays in
# about 0.6 ms, a fill in about 8 us (bench/restart.py, docs/persistence.md).
MARK_WORK = 100


def _mark_work(response) -> int:
    return MARK_WORK + len(response.liquidations) + len(response.adl_fills) + len(response.steps)


def deltas_work(request, response, positions: Callable[[], int]) -> int:
    return len(request.fills.qty) + len(request.transfers.amount)


def mark_work(request, response, positions: Callable[[], int]) -> int:
    return _mark_work(response)


def marks_work(request, response, positions: Callable[[], int]) -> int:
    return sum(_mark_work(outcome) for outcome in response.outcomes) or MARK_WORK


def currency_work(request, response, positions: Callable[[], int]) -> int:
    return MARK_WORK + positions()


def instrument_work(request, response, positions: Callable[[], int]) -> int:
    return MARK_WORK
