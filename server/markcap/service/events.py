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

from markcap.engine import LimitExceeded, PreconditionFailed
from markcap.v1 import risk_engine_pb2 as pb

# A reader re-checks `stopped()` at least this often, even if nobody wakes it.
_POLL_SECONDS = 1.0


class EventLog:
    def __init__(self, capacity: int, max_backlog: int | None = None, complete_after_seq: int = 0):
        """`max_backlog`: events a caught-up reader may fall behind (None: up to `capacity`).
        `complete_after_seq`: the log starts empty at this seq (a restored state's); earlier
        events are not in it."""
        if capacity <= 0:
            raise ValueError(f"event log capacity must be > 0, got {capacity}")
        self._max_backlog = max_backlog
        self._events: deque[pb.WatchEventsResponse] = deque(maxlen=capacity)
        self._appended = 0  # events ever appended; the next one's ordinal
        # Events up to this seq may be missing: dropped, or from before the log started.
        self._evicted_through_seq = complete_after_seq
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

    def retains_from(self, seq: int) -> bool:
        """Whether every event with seq >= `seq` that was appended is still in the log."""
        with self._changed:
            return seq > self._evicted_through_seq

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
        caught_up = False
        while True:
            caught_up = self._check_backlog(cursor, caught_up)
            batch = self._wait_from(cursor, stopped)
            if not batch:
                return
            for event in batch:
                if event.seq >= from_seq:
                    yield event
            cursor += len(batch)

    def _check_backlog(self, cursor: int, caught_up: bool) -> bool:
        """Cuts off a slow reader: one that has caught up once (replaying history does
        not count) and is now more than max_backlog events behind the newest. The
        writer never waits for readers; this bounds what one reader leaves unread.
        Returns whether the reader has caught up."""
        with self._changed:
            backlog = self._appended - cursor
            if self._max_backlog is None or backlog <= self._max_backlog:
                return True
            if not caught_up or cursor < self._first_ordinal():
                return caught_up  # still replaying, or evicted: _wait_from says so
            resume_seq = self._events[cursor - self._first_ordinal()].seq
            raise LimitExceeded(
                f"WatchEvents consumer too slow: {backlog} events behind the newest, over "
                f"max_watch_backlog {self._max_backlog} (--max-watch-backlog); every event "
                f"before seq {resume_seq} was delivered: resume with from_seq {resume_seq}",
                limit_name="max_watch_backlog", limit=self._max_backlog, got=backlog)

    def _first_ordinal(self) -> int:
        return self._appended - len(self._events)

    def _start(self, from_seq: int) -> int:
        with self._changed:
            if from_seq == 0:
                return self._appended
            if from_seq <= self._evicted_through_seq:
                oldest = self._events[0].seq if self._events else self._evicted_through_seq + 1
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
