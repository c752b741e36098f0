"""WatchEvents over the journal (service/event_feed.py): the past from the journal,
then live, with no event lost or repeated at the switch, across restarts."""
from __future__ import annotations

import threading

import pytest

from markcap.engine import PreconditionFailed
from markcap.service.inputs import serialize
from markcap.service.recovery import seed_fingerprint, snapshot_of
from markcap.store import memory_store
from markcap.v1 import risk_engine_pb2 as pb

from .harness import Node, exchange
from .workload import workload

SEED, COUNT, BEFORE_RESTART = 9, 400, 150
THREAD_SECONDS = 30


def events_of(reference, through_seq: int, from_seq: int = 1) -> list[bytes]:
    return [event for event in reference.events
            if from_seq <= pb.WatchEventsResponse.FromString(event).seq <= through_seq]


class Watcher:
    """Follows the feed on a thread until told to stop, recording serialized events."""

    def __init__(self, feed, from_seq: int, slow: threading.Event | None = None):
        self.seen: list[bytes] = []
        self.done = threading.Event()
        self._slow = slow
        self._events = feed.follow(from_seq, self.done.is_set)
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _run(self):
        for event in self._events:
            self.seen.append(serialize(event))
            if self._slow is not None:
                self._slow.wait(0.001)

    def stop(self, log):
        self.done.set()
        log.wake()
        self._thread.join(THREAD_SECONDS)
        assert not self._thread.is_alive()


def wait_for(predicate, what: str):
    deadline = threading.Event()
    for _ in range(THREAD_SECONDS * 100):
        if predicate():
            return
        deadline.wait(0.01)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("from_seq", [1, 2, 77, BEFORE_RESTART + 1])
def test_history_from_the_journal_then_live_events_each_once_in_order(from_seq):
    inputs, reference = workload(SEED, COUNT)
    store = memory_store()
    Node(store).send_all(inputs[:BEFORE_RESTART])
    node = Node(store)  # a restart: the in-memory log starts empty at seq 150
    watcher = Watcher(node.feed, from_seq)
    node.send_all(inputs[BEFORE_RESTART:])  # live, while the watcher reads history
    expected = events_of(reference, COUNT, from_seq)
    wait_for(lambda: len(watcher.seen) >= len(expected), "every event")
    watcher.stop(node.log)
    assert watcher.seen == expected


def test_a_watcher_that_falls_behind_the_memory_log_carries_on_from_the_journal():
    inputs, reference = workload(SEED, COUNT)
    store = memory_store()
    node = Node(store, log_capacity=3)
    watcher = Watcher(node.feed, 1, slow=threading.Event())
    node.send_all(inputs)
    expected = events_of(reference, COUNT)
    wait_for(lambda: len(watcher.seen) >= len(expected), "every event")
    watcher.stop(node.log)
    assert watcher.seen == expected


def test_from_seq_0_gives_only_new_events():
    inputs, reference = workload(SEED, COUNT)
    store = memory_store()
    Node(store).send_all(inputs[:BEFORE_RESTART])
    node = Node(store)
    watcher = Watcher(node.feed, 0)
    node.send_all(inputs[BEFORE_RESTART:])
    expected = events_of(reference, COUNT, BEFORE_RESTART + 1)
    wait_for(lambda: len(watcher.seen) >= len(expected), "the new events")
    watcher.stop(node.log)
    assert watcher.seen == expected


def test_from_seq_older_than_the_journal_is_refused_with_where_it_starts():
    inputs, _ = workload(SEED, COUNT)
    store = memory_store()
    first = Node(store)
    first.send_all(inputs[:BEFORE_RESTART])
    store.snapshots.save(snapshot_of(first.engine, seed_fingerprint(exchange())))
    store.journal.prune_before(100)
    node = Node(store)
    with pytest.raises(PreconditionFailed, match="from_seq 99 is no longer retained: the journal "
                                                 "starts at seq 100"):
        node.feed.follow(99, lambda: False)
