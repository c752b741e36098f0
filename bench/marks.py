"""The mark requests of each benchmark phase, seeded, computed from the current marks.

- first queries: a dry-run normal move on each instrument once, the first query
  each book gets after the load (it recomputes the block minima the load raised);
- normal moves: 0.1% to 0.5% towards the instrument's initial mark, so marks
  stay within ±0.5% of it however many samples run, and nobody is liquidated;
- dry-run jumps: ±20% (random direction) on random instruments, changing nothing;
- jumps: ±20% on every instrument in turn (1, 2, ..., 50, 1, ...); each
  instrument alternates direction, rising first, so each pair of jumps undoes
  most of the move. They are real: they cap at the first bankruptcy price,
  liquidate into the fund and, when the fund is the first to go, deleverage.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .workload import Workload, on_decimal_grid

NORMAL_MOVE_MIN, NORMAL_MOVE_MAX = 0.001, 0.005
JUMP = 0.20


@dataclass(frozen=True)
class MarkRequest:
    instrument_id: int
    price: float
    dry_run: bool = False


class MarkPlan:
    """Produces requests; `observe` feeds back each applied price (a capped jump stops short)."""

    def __init__(self, workload: Workload, seed: int):
        ids = workload.instruments.instrument_id.tolist()
        self.initial = dict(zip(ids, workload.instruments.mark_price.tolist()))
        self.current = dict(self.initial)
        self.tick_exponent = dict(zip(ids, workload.instruments.tick_exponent.tolist()))
        self.instrument_ids = ids
        self.popular = workload.most_popular_instrument_id
        self.rng = np.random.default_rng([seed, 0x6D61726B])  # "mark": apart from the workload's stream
        self.jumps_made: dict[int, int] = {}
        self.jump_turn = 0

    def observe(self, instrument_id: int, applied_price: float) -> None:
        self.current[instrument_id] = applied_price

    def normal(self, instrument_id: int) -> MarkRequest:
        current = self.current[instrument_id]
        towards_initial = -1.0 if current > self.initial[instrument_id] else 1.0
        move = self.rng.uniform(NORMAL_MOVE_MIN, NORMAL_MOVE_MAX)
        return MarkRequest(instrument_id, self._on_grid(instrument_id, current * (1.0 + towards_initial * move)))

    def _on_grid(self, instrument_id: int, price: float) -> float:
        return float(on_decimal_grid(price, self.tick_exponent[instrument_id]))

    def normal_popular(self) -> MarkRequest:
        return self.normal(self.popular)

    def normal_random(self) -> MarkRequest:
        return self.normal(int(self.rng.choice(self.instrument_ids)))

    def each_book_once(self) -> Callable[[], MarkRequest]:
        """Dry-run normal moves on every instrument in id order: each book's first query after the load."""
        turn = iter(sorted(self.instrument_ids))
        return lambda: dataclasses.replace(self.normal(next(turn)), dry_run=True)

    def dry_run_jump(self) -> MarkRequest:
        instrument_id = int(self.rng.choice(self.instrument_ids))
        direction = 1.0 if self.rng.random() < 0.5 else -1.0
        price = self._on_grid(instrument_id, self.current[instrument_id] * (1.0 + direction * JUMP))
        return MarkRequest(instrument_id, price, dry_run=True)

    def jump(self) -> MarkRequest:
        instrument_id = self.instrument_ids[self.jump_turn % len(self.instrument_ids)]
        self.jump_turn += 1
        made = self.jumps_made.get(instrument_id, 0)
        self.jumps_made[instrument_id] = made + 1
        direction = 1.0 if made % 2 == 0 else -1.0
        return MarkRequest(instrument_id,
                           self._on_grid(instrument_id, self.current[instrument_id] * (1.0 + direction * JUMP)))
