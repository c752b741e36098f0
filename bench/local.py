"""The benchmark's engine-only side: the same workload in an in-process Engine,
driven through its public API (markcap.engine), timed per call."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from markcap.engine import Engine, FillBatch, MarkOutcome, TransferBatch
from markcap.service.config import load_config

from .workload import Workload, delta_batches

_NO_FILLS = FillBatch(np.zeros(0, np.uint64), np.zeros(0, np.uint32), np.zeros(0, np.int64),
                      np.zeros(0, np.float64))
_NO_TRANSFERS = TransferBatch(np.zeros(0, np.uint64), np.zeros(0, np.uint32), np.zeros(0, np.float64))


class LocalExchange:
    """An Engine built from the same TOML file the server reads."""

    def __init__(self, config_path: Path):
        self.engine = Engine(load_config(config_path))

    def ingest(self, workload: Workload, batch_size: int) -> tuple[int, float]:
        """Applies the workload batch by batch; returns (fills, seconds spent on fill batches)."""
        fills, seconds = 0, 0.0
        for transfers, batch in delta_batches(workload, batch_size):
            fill_batch = _NO_FILLS if batch is None else FillBatch(
                batch.account_id, batch.instrument_id, batch.qty, batch.price)
            transfer_batch = _NO_TRANSFERS if transfers is None else TransferBatch(
                transfers.account_id, transfers.currency_id, transfers.amount)
            start = time.perf_counter()
            self.engine.apply_deltas(self.engine.applied_seq + 1, fill_batch, transfer_batch)
            if batch is not None:
                seconds += time.perf_counter() - start
                fills += len(batch)
        return fills, seconds

    def apply_mark(self, instrument_id: int, price: float, dry_run: bool) -> tuple[float, MarkOutcome]:
        seq = 0 if dry_run else self.engine.applied_seq + 1
        start = time.perf_counter()
        outcome = self.engine.apply_mark(seq, instrument_id, price, None, dry_run)
        return time.perf_counter() - start, outcome
