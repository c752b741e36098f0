"""When journal writes are made durable (fsync policy), and the timer for `interval:MS`.

- `every-input` (default): each input is fsynced before it is acknowledged.
  An acknowledged input survives a crash of markcap, of the OS and a power cut.
- `grouped`: the delta batches a producer has already sent on a stream are
  applied, then fsynced together, then acknowledged together. Marks and upserts
  are fsynced one by one. As safe as every-input; fewer fsyncs when the
  producer pipelines.
- `interval:MS`: inputs are written to the OS before they are acknowledged and
  fsynced at most MS milliseconds later. An acknowledged input survives a crash
  of markcap (kill -9), but an OS crash or power cut can lose the last MS ms.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

LOG = logging.getLogger("markcap.store")
EVERY_INPUT, GROUPED, INTERVAL = "every-input", "grouped", "interval"


@dataclass(frozen=True)
class FsyncPolicy:
    mode: str = EVERY_INPUT
    interval_ms: int = 0

    @classmethod
    def parse(cls, text: str) -> "FsyncPolicy":
        """'every-input', 'grouped' or 'interval:MS' (MS a whole number of milliseconds > 0)."""
        if text in (EVERY_INPUT, GROUPED):
            return cls(text)
        name, _, milliseconds = text.partition(":")
        if name == INTERVAL and milliseconds.isdigit() and int(milliseconds) > 0:
            return cls(INTERVAL, int(milliseconds))
        raise ValueError(f"fsync policy {text!r}: expected every-input, grouped or interval:MS "
                         f"with MS a whole number of milliseconds > 0")

    def __str__(self) -> str:
        return f"{INTERVAL}:{self.interval_ms}" if self.mode == INTERVAL else self.mode

    @property
    def syncs_before_ack(self) -> bool:
        return self.mode != INTERVAL


class IntervalSyncer:
    """Calls `sync` every `interval_ms` until stopped; an error goes to `on_error`."""

    def __init__(self, sync: Callable[[], None], interval_ms: int,
                 on_error: Callable[[BaseException], None]):
        self._sync, self._seconds, self._on_error = sync, interval_ms / 1000.0, on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="journal-fsync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._seconds):
            try:
                self._sync()
            except BaseException as error:  # noqa: BLE001 - reported, then fatal
                self._on_error(error)
                return
