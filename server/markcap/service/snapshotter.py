"""Takes snapshots every F fills of work, N journaled inputs or T seconds, and a last one at
shutdown.

A restart replays what was journaled after the newest snapshot on disk, so the
replay is bounded by the work journaled since it, counted in fills (work.py):

- when F fills of work (or N inputs) have been journaled since the last copy and
  no snapshot is being written, the input that crossed the limit copies the state
  at once, under the writer's lock it already holds (after making the journal
  durable up to that seq, so a snapshot is never ahead of the journal); the
  snapshotter thread writes the copy to disk outside the lock;
- back-pressure: once 2F fills of work lie past the newest snapshot on disk while
  one is being written, inputs wait for that write. So a kill -9 at any moment
  leaves at most 2F fills of work plus one input to replay.

The time trigger copies from the thread. After each snapshot the two newest are
kept, and journal segments older than both the oldest kept snapshot and the
last `retained` inputs (duplicate answers, WatchEvents) are deleted.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from markcap.engine import Engine
from markcap.engine.snapshot import StateSnapshot
from markcap.store import Store

from .input_kinds import InputKind
from .recovery import snapshot_of
from .writer import SerializedEngine

LOG = logging.getLogger("markcap.service")
_LIBC = ctypes.util.find_library("c")
_MALLOC_TRIM = getattr(ctypes.CDLL(_LIBC), "malloc_trim", None) if _LIBC else None


def _release_free_memory() -> None:
    """Gives the heap a freed copy leaves back to the system (glibc keeps it otherwise: a
    copy the size of the state would stay in the server's RSS between snapshots)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
KEEP_SNAPSHOTS = 2


@dataclass(frozen=True)
class _Copy:
    snapshot: StateSnapshot
    work_mark: int       # the work counter at the copy
    started: float       # monotonic seconds when the copy began


class Snapshotter:
    def __init__(self, writer: SerializedEngine, engine: Engine | None, store: Store, seed: str,
                 every_inputs: int, every_seconds: float, retained: int,
                 on_fatal: Callable[[BaseException], None], pending: int = 0,
                 every_fills: int = 0, pending_work: int = 0,
                 positions: Callable[[], int] = lambda: 0):
        """`engine`: the Engine the writer serves (through its wrappers, e.g. metrics), whose
        state a snapshot copies under the writer's lock (None: one that never copies, for tests
        of its trigger); `pending`, `pending_work`: inputs and their work already past the
        newest snapshot (replayed at startup); `every_fills`: 0, never by work (and no
        back-pressure); `positions`: the engine's open positions (called under the writer's
        lock, for a currency upsert's work)."""
        self._writer, self._engine, self._store, self._seed = writer, engine, store, seed
        self._every_inputs, self._every_seconds = every_inputs, every_seconds
        self._every_fills, self._positions = every_fills, positions
        self._retained = retained
        self._on_fatal = on_fatal
        self._since_last = pending  # journaled inputs since the last copy
        self.work_since_last = pending_work  # their work, in fills (work.py)
        self._work_total = pending_work  # work counted since this process started, replay included
        self._durable_mark = 0  # _work_total at the copy of the newest snapshot on disk
        self._writing = False  # a copy is being written
        self._handed: _Copy | None = None  # a copy an input made, for the thread to write
        self._written = threading.Condition()  # guards the three above; notified when a write ends
        self.waited_seconds = 0.0  # inputs' total wait for snapshot writes (back-pressure)
        self._due = threading.Event()
        self._stopping = False
        self._taking = threading.Lock()  # one snapshot written at a time
        self._thread = threading.Thread(target=self._run, name="snapshotter", daemon=True)
        seqs = store.snapshots.seqs()
        self.last_seq = seqs[-1] if seqs else None

    @property
    def work_past_disk(self) -> int:
        """Work journaled after the newest snapshot on disk: what a restart now would replay."""
        return self._work_total - self._durable_mark

    def note_journaled(self, seq: int, kind: InputKind, request, response) -> None:
        """Called under the writer's lock for each journaled input (see the module's docstring)."""
        work = kind.work(request, response, self._positions)
        self._since_last += 1
        self.work_since_last += work
        self._work_total += work
        if self._every_fills and self._writing and self.work_past_disk >= 2 * self._every_fills:
            self._wait_for_write()
        if self._over_a_limit() and self._thread.is_alive() and not self._writing:
            self._writer.held()  # asserts that the lock is held
            copy = self._copy_locked()
            if copy is not None:
                with self._written:
                    self._writing, self._handed = True, copy
                self._due.set()

    @property
    def due(self) -> bool:
        """Whether a limit is passed since the last copy (the next input copies, once no snapshot
        is being written)."""
        return self._over_a_limit()

    def _over_a_limit(self) -> bool:
        return bool((self._every_inputs and self._since_last >= self._every_inputs)
                    or (self._every_fills and self.work_since_last >= self._every_fills))

    def _wait_for_write(self) -> None:
        started = time.monotonic()
        with self._written:
            while self._writing and not self._stopping:
                self._written.wait(timeout=1.0)
        self.waited_seconds += time.monotonic() - started

    def start(self) -> None:
        """Starts the thread; a snapshot is due at once if the replay already passed a limit."""
        if self._every_inputs or self._every_seconds or self._every_fills:
            if self._over_a_limit():
                self._due.set()
            self._thread.start()

    def stop(self, final: bool) -> None:
        """Stops the thread (after writing a copy handed to it); `final`: takes a last snapshot
        (call after inputs have stopped)."""
        self._stopping = True
        with self._written:
            self._written.notify_all()
        self._due.set()
        if self._thread.is_alive():
            self._thread.join()
        if final and self._since_last:
            self.take()

    def _run(self) -> None:
        while True:
            self._due.wait(timeout=self._every_seconds or None)
            self._due.clear()
            with self._written:
                handed, self._handed = self._handed, None
            if handed is not None:
                self._write(handed)
                handed = None  # the copy is the size of the state: not kept while waiting
                _release_free_memory()
            elif self._stopping:
                return
            elif self._since_last:  # the time trigger, or a limit passed by the replay
                self.take()
            if self._stopping and self._handed is None:
                return

    def take(self) -> int | None:
        """Snapshots the current state; returns its seq (None if it could not be written)."""
        with self._writer.exclusive():
            copy = self._copy_locked()
            if copy is None:
                return None
            with self._written:
                self._writing = True
        seq = self._write(copy)
        del copy
        _release_free_memory()
        return seq

    def _copy_locked(self) -> _Copy | None:
        """A copy of the state, the journal made durable first (None: the journal failed: fatal)."""
        started = time.monotonic()
        try:
            self._store.journal.sync()
        except BaseException as error:  # noqa: BLE001 - the journal is broken: fatal
            self._on_fatal(error)
            return None
        snapshot = snapshot_of(self._engine, self._seed)
        self._since_last = self.work_since_last = 0
        return _Copy(snapshot, self._work_total, started)

    def _write(self, copy: _Copy) -> int | None:
        written = False
        try:
            with self._taking:
                copied = time.monotonic()
                self._store.snapshots.save(copy.snapshot)
                self._prune(copy.snapshot.seq)
                written = True
        except OSError as error:
            LOG.error("snapshot at seq %d not written (%s); the journal still holds every "
                      "input, the next snapshot will try again", copy.snapshot.seq, error)
            return None
        finally:
            with self._written:
                self._writing = False
                if written:
                    self._durable_mark = max(self._durable_mark, copy.work_mark)
                self._written.notify_all()
        self.last_seq = copy.snapshot.seq
        LOG.info("snapshot at seq %d written in %.3f s (copied in %.3f s)", copy.snapshot.seq,
                 time.monotonic() - copy.started, copied - copy.started)
        return copy.snapshot.seq

    def _prune(self, newest_seq: int) -> None:
        kept = self._store.snapshots.prune(KEEP_SNAPSHOTS)
        keep_from = min(kept[0] + 1, newest_seq + 1 - self._retained)
        dropped = self._store.journal.prune_before(keep_from)
        if dropped:
            LOG.info("journal: %d segment(s) before seq %d deleted", dropped, keep_from)
