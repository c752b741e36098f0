"""What the store last reported for the persistence gauges, read at each scrape.

One object per server, owned by its Persistence (persistence.py), which sets it
after each acknowledged input and each timed fsync; Metrics (metrics.py) reads
it. Until the store reports, the lag and the journal size read 0 and the free
space NaN (as without a data dir).
"""
from __future__ import annotations

from typing import Callable


class PersistenceReadings:
    def __init__(self) -> None:
        self.lag_inputs = 0     # inputs applied but not yet durable (applied - durable seq)
        self.journal_bytes = 0  # what the journal's segment files take, preallocation included
        # The probe of the data dir's free bytes (FreeSpaceFloor.free_bytes); None: no data dir.
        self.free_bytes_probe: Callable[[], int] | None = None

    def free_bytes(self) -> float:
        """The probe's reading now, or NaN (no data dir, or it is gone)."""
        probe = self.free_bytes_probe
        try:
            return float("nan") if probe is None else probe()
        except OSError:  # the data dir is gone (e.g. a test's): no reading
            return float("nan")
