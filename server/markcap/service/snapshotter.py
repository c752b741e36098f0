"""Takes snapshots every N journaled inputs or T seconds, and a last one at shutdown.

The state is copied under the writer's lock (after making the journal durable
up to that seq, so a snapshot is never ahead of the journal) and written to
disk outside it, so inputs wait only for the copy. After each snapshot the two
newest are kept, and journal segments older than both the oldest kept snapshot
and the last `retained` inputs (duplicate answers, WatchEvents) are deleted.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from markcap.store import Store

from .recovery import snapshot_of
from .writer import SerializedEngine

LOG = logging.getLogger("markcap.service")
KEEP_SNAPSHOTS = 2


class Snapshotter:
    def __init__(self, writer: SerializedEngine, store: Store, seed: str, every_inputs: int,
                 every_seconds: float, retained: int,
                 on_fatal: Callable[[BaseException], None], pending: int = 0):
        """`pending`: inputs already past the newest snapshot (replayed at startup)."""
        self._writer, self._store, self._seed = writer, store, seed
        self._every_inputs, self._every_seconds = every_inputs, every_seconds
        self._retained = retained
        self._on_fatal = on_fatal
        self._since_last = pending  # journaled inputs since the last snapshot's copy
        self._due = threading.Event()
        self._stopping = False
        self._taking = threading.Lock()  # one snapshot at a time
        self._thread = threading.Thread(target=self._run, name="snapshotter", daemon=True)
        seqs = store.snapshots.seqs()
        self.last_seq = seqs[-1] if seqs else None

    def note_journaled(self, seq: int) -> None:
        """Called under the writer's lock for each journaled input."""
        self._since_last += 1
        if self._every_inputs and self._since_last >= self._every_inputs:
            self._due.set()

    def start(self) -> None:
        if self._every_inputs or self._every_seconds:
            self._thread.start()

    def stop(self, final: bool) -> None:
        """Stops the timer; `final`: takes a last snapshot (call after inputs have stopped)."""
        self._stopping = True
        self._due.set()
        if self._thread.is_alive():
            self._thread.join()
        if final and self._since_last:
            self.take()

    def _run(self) -> None:
        while True:
            self._due.wait(timeout=self._every_seconds or None)
            self._due.clear()
            if self._stopping:
                return
            if self._since_last:
                self.take()

    def take(self) -> int | None:
        """Snapshots the current state; returns its seq (None if it could not be written)."""
        with self._taking:
            started = time.monotonic()
            with self._writer.exclusive() as engine:
                try:
                    self._store.journal.sync()
                except BaseException as error:  # noqa: BLE001 - the journal is broken: fatal
                    self._on_fatal(error)
                    return None
                snapshot = snapshot_of(engine, self._seed)
                self._since_last = 0
            try:
                self._store.snapshots.save(snapshot)
                self._prune(snapshot.seq)
            except OSError as error:
                LOG.error("snapshot at seq %d not written (%s); the journal still holds every "
                          "input, the next snapshot will try again", snapshot.seq, error)
                return None
            self.last_seq = snapshot.seq
            LOG.info("snapshot at seq %d written in %.3f s", snapshot.seq, time.monotonic() - started)
            return snapshot.seq

    def _prune(self, newest_seq: int) -> None:
        kept = self._store.snapshots.prune(KEEP_SNAPSHOTS)
        keep_from = min(kept[0] + 1, newest_seq + 1 - self._retained)
        dropped = self._store.journal.prune_before(keep_from)
        if dropped:
            LOG.info("journal: %d segment(s) before seq %d deleted", dropped, keep_from)
