"""markcap's service stack in-process on a store: restore, single writer, journaled
inputs and the WatchEvents feed, as markcap-server wires them, without gRPC."""
from __future__ import annotations

import dataclasses

from markcap.engine import ExchangeConfig
from markcap.service.config import load_default
from markcap.service.event_feed import EventFeed, JournalHistory
from markcap.service.events import EventLog
from markcap.service.input_kinds import of_record
from markcap.service.inputs import DurableInputs, serialize
from markcap.service.recovery import restore
from markcap.service.writer import SerializedEngine
from markcap.store import FsyncPolicy, Store

from .workload import Input


def exchange(retained_outcomes: int = 65536) -> ExchangeConfig:
    return dataclasses.replace(load_default(), retained_outcomes=retained_outcomes)


class Node:
    """One "process lifetime" on `store`: a new Node on the same store is a restart."""

    def __init__(self, store: Store, config: ExchangeConfig | None = None,
                 policy: FsyncPolicy = FsyncPolicy(), log_capacity: int | None = None,
                 on_fatal=lambda error: None):
        config = config or exchange()
        self.store = store
        self.restored = restore(store, config)
        self.engine = self.restored.engine
        self.writer = SerializedEngine(self.engine)
        self.log = EventLog(log_capacity or config.retained_outcomes,
                            complete_after_seq=self.engine.applied_seq)
        self.on_journaled = lambda seq, *journaled: None  # e.g. a Snapshotter's note_journaled
        self.inputs = DurableInputs(self.writer, store.journal, policy, self.log,
                                    on_journaled=lambda *journaled: self.on_journaled(*journaled),
                                    on_fatal=on_fatal)
        self.feed = EventFeed(self.log, JournalHistory(store.journal,
                                                       lambda: self.inputs.acknowledged_seq))

    def send(self, item: Input):
        """Applies a copy of the input's request (the journal keeps what it was sent)."""
        request = type(item.request).FromString(serialize(item.request))
        return self.inputs.apply(of_record(item.kind), request)

    def send_all(self, items: list[Input]) -> dict[int, bytes]:
        return {item.seq: serialize(self.send(item)) for item in items}

    def state_hash(self) -> str:
        return self.writer.read(lambda engine: engine.status().state_hash)
