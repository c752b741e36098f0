"""WatchEvents over the journal and the in-memory log: the past from the journal, then live.

A reader keeps one cursor, the next seq it wants. While the in-memory log
holds everything from the cursor on, it reads the log (and waits there for
live events); otherwise it reads journal records up to the last acknowledged
seq, then tries the log again. Every event is delivered once, in seq order,
whichever source it came from: the log's events below the cursor are skipped.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from markcap.engine import PreconditionFailed
from markcap.store import Journal, JournalGap
from markcap.v1 import risk_engine_pb2 as pb

from .events import EventLog
from .input_kinds import of_record


class JournalHistory:
    """Past events from the journal, up to the last acknowledged input."""

    def __init__(self, journal: Journal, acknowledged_seq: Callable[[], int]):
        self._journal = journal
        self._acknowledged_seq = acknowledged_seq

    def check_retained(self, from_seq: int) -> None:
        first = self._journal.first_seq
        if first is not None and from_seq < first:
            raise PreconditionFailed(f"from_seq {from_seq} is no longer retained: the journal "
                                     f"starts at seq {first}")

    def read(self, from_seq: int, stopped: Callable[[], bool]) -> tuple[Iterator, int]:
        """(events with seq from_seq..through, through): through is the last acknowledged seq."""
        through = self._acknowledged_seq()
        return self._events(from_seq, through, stopped), through

    def _events(self, from_seq: int, through: int, stopped: Callable[[], bool]):
        try:
            for record in self._journal.read(from_seq, through):
                if stopped():
                    return
                kind = of_record(record.kind)
                if kind.event is not None:
                    yield kind.event_of(record.seq, kind.response.FromString(record.response))
        except JournalGap as gap:
            raise PreconditionFailed(f"from_seq {from_seq} is no longer retained: {gap}") from gap


class EventFeed:
    """What WatchEvents reads: `follow`, `wake` and `close` like EventLog, with a journal behind it."""

    def __init__(self, log: EventLog, history: JournalHistory | None):
        self._log = log
        self._history = history

    def wake(self) -> None:
        self._log.wake()

    def close(self) -> None:
        self._log.close()

    def follow(self, from_seq: int, stopped: Callable[[], bool]) -> Iterator[pb.WatchEventsResponse]:
        """Events with seq >= from_seq, then live ones; from_seq 0: only new events."""
        if self._history is None or from_seq == 0:
            return self._log.follow(from_seq, stopped)
        self._history.check_retained(from_seq)
        return self._read(from_seq, stopped)

    def _read(self, next_seq: int, stopped: Callable[[], bool]):
        while not stopped():
            if self._log.retains_from(next_seq):
                try:
                    for event in self._log.follow(next_seq, stopped):
                        yield event
                        next_seq = event.seq + 1
                    return
                except PreconditionFailed:
                    continue  # fell behind the log: the journal still has what was dropped
            events, through = self._history.read(next_seq, stopped)
            for event in events:
                yield event
                next_seq = event.seq + 1
            next_seq = max(next_seq, through + 1)
