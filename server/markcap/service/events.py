"""A bounded in-memory log of WatchEvents messages, followed by any number of readers.

Events are appended in seq order by the single writer. A reader starts at a
seq, gets the retained events from there, then waits for live ones until the
log is closed (server stopping) or its `stopped()` says the client has gone.
"""
from __future__ import annotations

import itertools
import threading
from collections import deque
from typing import Callable, Iterator

from markcap.engine import PreconditionFailed
from markcap.v1 import risk_engine_pb2 as pb

# A reader re-checks `stopped()` at least this often, even if nobody wakes it.
_POLL_SECONDS = 1.0


class EventLog:
    def __init__(self, capacity: int):
        if capacity <= 0:
            raise ValueError(f"event log capacity must be > 0, got {capacity}")
        self._events: deque[pb.WatchEventsResponse] = deque(maxlen=capacity)
        self._appended = 0  # events ever appended; the next one's ordinal
        self._evicted_through_seq = 0  # highest seq dropped from the log (0: none)
        self._closed = False
        self._changed = threading.Condition()

    def append(self, event: pb.WatchEventsResponse) -> None:
        with self._changed:
            if len(self._events) == self._events.maxlen:
                self._evicted_through_seq = self._events[0].seq
            self._events.append(event)
            self._appended += 1
            self._changed.notify_all()

    def close(self) -> None:
        """Ends every reader's stream (after it has read what is already logged)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wake(self) -> None:
        """Makes readers re-check `stopped()` now (e.g. from a gRPC cancel callback)."""
        with self._changed:
            self._changed.notify_all()

    def follow(self, from_seq: int, stopped: Callable[[], bool]) -> Iterator[pb.WatchEventsResponse]:
        """Events with seq >= from_seq, then live ones; from_seq 0: only new events.

        The start position is taken now, not at the first next(): every event
        appended after this call returns is delivered.
        """
        cursor = self._start(from_seq)
        return self._read(cursor, from_seq, stopped)

    def _read(self, cursor: int, from_seq: int, stopped: Callable[[], bool]):
        while True:
            batch = self._wait_from(cursor, stopped)
            if not batch:
                return
            for event in batch:
                if event.seq >= from_seq:
                    yield event
            cursor += len(batch)

    def _first_ordinal(self) -> int:
        return self._appended - len(self._events)

    def _start(self, from_seq: int) -> int:
        with self._changed:
            if from_seq == 0:
                return self._appended
            if from_seq <= self._evicted_through_seq:
                oldest = self._events[0].seq
                raise PreconditionFailed(
                    f"from_seq {from_seq} is no longer retained: events up to seq "
                    f"{self._evicted_through_seq} were dropped; the oldest retained event "
                    f"has seq {oldest}")
            skipped = sum(1 for event in self._events if event.seq < from_seq)
            return self._first_ordinal() + skipped

    def _wait_from(self, cursor: int, stopped: Callable[[], bool]) -> list[pb.WatchEventsResponse]:
        """Events from ordinal `cursor` on, waiting for some; [] when the stream should end."""
        with self._changed:
            while cursor >= self._appended and not self._closed and not stopped():
                self._changed.wait(_POLL_SECONDS)
            if cursor >= self._appended or stopped():
                return []
            if cursor < self._first_ordinal():
                raise PreconditionFailed(
                    f"reader fell behind: events it had not read were dropped; resume with "
                    f"from_seq {self._events[0].seq} or later")
            return list(itertools.islice(self._events, cursor - self._first_ordinal(), None))
