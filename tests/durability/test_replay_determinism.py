"""Determinism (SPEC 7): replaying a journal twice into fresh engines gives
byte-identical ApplyMark (and every other) responses, equal to those the
journal recorded when the inputs were first applied, and the same state."""
from __future__ import annotations

from markcap.engine import Engine
from markcap.service.input_kinds import of_record
from markcap.service.inputs import serialize
from markcap.store import FsyncPolicy, RecordKind, open_store

from .harness import Node, exchange
from .workload import workload

SEED, COUNT = 33, 1000


def replay(journal, last_seq: int) -> tuple[dict[int, bytes], str]:
    """Every journaled input into a fresh engine: (serialized responses by seq, state hash)."""
    engine = Engine(exchange())
    responses = {}
    for record in journal.read(1, last_seq):
        kind = of_record(record.kind)
        responses[record.seq] = serialize(kind.apply(engine, kind.request.FromString(record.request)))
    return responses, engine.status().state_hash


def test_replaying_a_journal_twice_gives_byte_identical_mark_responses(tmp_path):
    inputs, reference = workload(SEED, COUNT)
    store = open_store(tmp_path / "data")
    live = Node(store, policy=FsyncPolicy.parse("interval:1000")).send_all(inputs)  # no fsync wait
    journal = store.journal
    first, first_hash = replay(journal, COUNT)
    second, second_hash = replay(journal, COUNT)
    marks = [r.seq for r in journal.read(1, COUNT) if r.kind is RecordKind.MARK]
    assert len(marks) > 200
    for seq in marks:
        assert first[seq] == second[seq] == journal.get(seq).response == live[seq]
    assert first == second == live == reference.responses
    assert first_hash == second_hash == reference.hash_at[COUNT]
    store.close()
