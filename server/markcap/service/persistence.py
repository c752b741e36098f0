"""Persistence for markcap-server: its options, and the wiring of store -> restored engine
-> journaled inputs -> WatchEvents history -> snapshots and the fsync timer.

main.py calls, in order: `add_arguments`, `Persistence.open` (store opened and
state restored before anything serves), `connect` (the input path and the event
feed around the single writer), `start` (background snapshots and fsyncs),
`describe` (GetStatus.persistence) and, after the server has drained, `close`
(the final snapshot on a graceful stop).
"""
from __future__ import annotations

import argparse
import logging
import math
import os
from pathlib import Path

from markcap.engine import Engine, ExchangeConfig
from markcap.store import FsyncPolicy, Store, StoreError, open_store
from markcap.store.fsync import INTERVAL, IntervalSyncer

from .event_feed import EventFeed, JournalHistory
from .events import EventLog
from .free_space import MIB, FreeSpaceFloor
from .inputs import DurableInputs
from .persistence_readings import PersistenceReadings
from .recovery import Restored, restore, seed_fingerprint
from .snapshotter import Snapshotter
from .writer import SerializedEngine

LOG = logging.getLogger("markcap.service")
DEFAULT_DATA_DIR = Path("markcap-data")
DEFAULT_SNAPSHOT_EVERY_INPUTS = 10_000
DEFAULT_SNAPSHOT_EVERY_FILLS = 60_000  # at most 2F + one input to replay: <= 2 s at 1M (persistence.md)
DEFAULT_SNAPSHOT_EVERY_SECONDS = 300.0
DEFAULT_MIN_FREE_MIB = 64
FATAL_EXIT_CODE = 1
PersistenceError = StoreError  # what `open` raises for a data dir it cannot use


def _fsync_policy(text: str) -> FsyncPolicy:
    try:
        return FsyncPolicy.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _non_negative(kind: type):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = -1
        if not (math.isfinite(value) and value >= 0):
            raise argparse.ArgumentTypeError(f"{text!r} is not a number >= 0")
        return value
    return parse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("persistence (docs/persistence.md)")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--data-dir", type=Path, metavar="DIR",
                       help=f"journal and snapshots, created if missing, one server at a time "
                            f"(default: ./{DEFAULT_DATA_DIR})")
    where.add_argument("--in-memory", action="store_true",
                       help="no persistence: the state is lost when the server stops")
    group.add_argument("--fsync", type=_fsync_policy, default=FsyncPolicy(), metavar="POLICY",
                       help="every-input (default: each input durable before its answer), "
                            "grouped, or interval:MS")
    group.add_argument("--snapshot-every-fills", type=_non_negative(int), metavar="F",
                       default=DEFAULT_SNAPSHOT_EVERY_FILLS,
                       help=f"snapshot after F fills of work journaled (fills and transfers; a "
                            f"mark 100 plus its liquidations and ADL fills; a currency upsert "
                            f"every open position): bounds a restart's replay; 0: never by work "
                            f"(default {DEFAULT_SNAPSHOT_EVERY_FILLS})")
    group.add_argument("--snapshot-every-inputs", type=_non_negative(int), metavar="N",
                       default=DEFAULT_SNAPSHOT_EVERY_INPUTS,
                       help=f"snapshot after N journaled inputs; 0: never by count "
                            f"(default {DEFAULT_SNAPSHOT_EVERY_INPUTS})")
    group.add_argument("--snapshot-every-seconds", type=_non_negative(float), metavar="S",
                       default=DEFAULT_SNAPSHOT_EVERY_SECONDS,
                       help=f"snapshot every S seconds when inputs arrived; 0: never by time "
                            f"(default {DEFAULT_SNAPSHOT_EVERY_SECONDS:g})")
    group.add_argument("--min-free-mib", type=_non_negative(int), metavar="MIB",
                       default=DEFAULT_MIN_FREE_MIB,
                       help=f"refuse inputs (UNAVAILABLE) while the data dir's file system has "
                            f"less than MIB MiB free, serving reads; 0: no floor "
                            f"(default {DEFAULT_MIN_FREE_MIB})")


def _die(error: BaseException) -> None:
    """A journal that cannot be written: stop now, restart from what is durable."""
    LOG.critical("stopping at once: the journal failed (%s); restarting recovers every "
                 "acknowledged input from the data dir", error)
    logging.shutdown()
    os._exit(FATAL_EXIT_CODE)


class Persistence:
    def __init__(self, store: Store | None, restored: Restored, config: ExchangeConfig,
                 args: argparse.Namespace):
        self.store = store
        self.free_space = None if store is None else FreeSpaceFloor(
            Path(store.location), args.min_free_mib * MIB)
        self.engine = restored.engine
        self.readings = PersistenceReadings()  # what the persistence gauges show (metrics.py)
        self._restored = restored
        self._config = config
        self._args = args
        self._inputs: DurableInputs | None = None
        self._snapshotter: Snapshotter | None = None
        self._syncer: IntervalSyncer | None = None

    @classmethod
    def open(cls, args: argparse.Namespace, config: ExchangeConfig) -> "Persistence":
        """Opens the data dir and restores its state (a new one starts from `config`)."""
        if args.in_memory:
            return cls(None, Restored(Engine(config), 0, 0), config, args)
        store = open_store(args.data_dir or DEFAULT_DATA_DIR)
        try:
            return cls(store, restore(store, config), config, args)
        except BaseException:
            store.close()
            raise

    def connect(self, writer: SerializedEngine, log: EventLog) -> tuple[DurableInputs, EventFeed]:
        """The journaled input path and the WatchEvents feed around the writer and its log."""
        journal = self.store.journal if self.store else None
        if self.store:
            self._snapshotter = Snapshotter(
                writer, self.engine, self.store, seed_fingerprint(self._config),
                self._args.snapshot_every_inputs, self._args.snapshot_every_seconds,
                self._config.retained_outcomes, self._fatal, pending=self._restored.replayed,
                every_fills=self._args.snapshot_every_fills,
                pending_work=self._restored.replayed_work,
                positions=self.engine.state.position_count)
        self._inputs = DurableInputs(
            writer, journal, self._args.fsync, log, on_fatal=_die,
            on_journaled=self._snapshotter.note_journaled if self._snapshotter else lambda seq: None,
            on_acknowledged=self._report if journal else lambda: None,
            retained=self._config.retained_outcomes)
        if journal:
            self._inputs.free_space = self.free_space
            self.readings.free_bytes_probe = self.free_space.free_bytes
            self._report()  # the journal as opened, before any input
        history = JournalHistory(journal, lambda: self._inputs.acknowledged_seq) if journal else None
        return self._inputs, EventFeed(log, history)

    def _fatal(self, error: BaseException) -> None:
        self._inputs.fail(error)

    def _report(self) -> None:
        """The persistence gauges' readings: inputs not yet fsynced, the journal's bytes on disk."""
        journal = self.store.journal
        self.readings.lag_inputs = (journal.last_seq or 0) - (journal.synced_seq or 0)
        self.readings.journal_bytes = journal.size_bytes

    def _sync_and_report(self) -> None:
        self.store.journal.sync()
        self._report()

    def start(self) -> None:
        if self._snapshotter:
            self._snapshotter.start()
        if self.store and self._args.fsync.mode == INTERVAL:
            self._syncer = IntervalSyncer(self._sync_and_report, self._args.fsync.interval_ms,
                                          self._fatal)
            self._syncer.start()

    def describe(self) -> str:
        """GetStatus.persistence: where the state lives and what is durable when."""
        if self.store is None:
            return "in-memory (--in-memory): nothing is durable, the state is lost at exit"
        journal, args = self.store.journal, self._args
        return (f"journal at {self.store.location} (fsync {args.fsync}; snapshot every "
                f"{args.snapshot_every_fills} fills of work, {args.snapshot_every_inputs} inputs or "
                f"{args.snapshot_every_seconds:g} s, last at "
                f"seq {self._snapshotter.last_seq if self._snapshotter else None}; journal holds "
                f"seq {journal.first_seq} to {journal.last_seq}; {self.free_space.describe()})")

    def close(self, graceful: bool = True) -> None:
        """Stops the timers; on a graceful stop takes the last snapshot; releases the data dir."""
        if self._syncer:
            self._syncer.stop()
        if self._snapshotter:
            self._snapshotter.stop(final=graceful)
        if self.store:
            self.readings.free_bytes_probe = None
            self.store.close()
