"""The journaled input path (service/inputs.py) on the in-memory store: what is
journaled, when it is fsynced, how duplicates are answered across restarts, and
what a journal failure does."""
from __future__ import annotations

import pytest

from markcap.engine import DuplicateTooOld, PreconditionFailed, UnknownId
from markcap.service import input_kinds
from markcap.service.events import EventLog
from markcap.service.inputs import DurableInputs, PersistenceFailed, serialize
from markcap.service.read_ahead import ReadAhead
from markcap.service.writer import SerializedEngine
from markcap.store import FsyncPolicy, RecordKind, memory_store
from markcap.v1 import risk_engine_pb2 as pb

from .harness import Node, exchange
from .workload import Input, workload

SEED, COUNT = 5, 120


def mark(seq: int, price: float, **fields) -> Input:
    return Input(RecordKind.MARK, pb.ApplyMarkRequest(seq=seq, instrument_id=8, price=price,
                                                      **fields))


def test_applied_inputs_are_journaled_as_sent_with_the_answers_to_keep():
    inputs, reference = workload(SEED, COUNT)
    store = memory_store()
    node = Node(store)
    answers = node.send_all(inputs)
    records = store.journal.records
    assert [r.seq for r in records] == list(range(1, COUNT + 1))
    for item, record in zip(inputs, records):
        assert (record.kind, record.request) == (item.kind, serialize(item.request))
        kept = answers[item.seq] if item.kind is not RecordKind.DELTAS else b""
        assert record.response == kept == (reference.responses[item.seq] if kept else b"")


def test_rejected_inputs_dry_runs_and_duplicates_are_not_journaled():
    store = memory_store()
    node = Node(store)
    node.send(mark(1, 3100.0))
    with pytest.raises(UnknownId):
        node.send(Input(RecordKind.MARK, pb.ApplyMarkRequest(seq=2, instrument_id=99, price=1.0)))
    node.send(mark(2, 3300.0, dry_run=True))
    node.send(mark(1, 3100.0))
    assert [r.seq for r in store.journal.records] == [1]


def test_an_auto_assigned_seq_is_journaled_as_assigned():
    store = memory_store()
    node = Node(store)
    node.send(mark(0, 3100.0))
    assert store.journal.records[0].seq == 1
    assert pb.ApplyMarkRequest.FromString(store.journal.records[0].request).seq == 1


def test_a_duplicate_is_answered_from_the_journal_after_a_restart_however_old():
    store = memory_store()
    config = exchange(retained_outcomes=2)
    first = Node(store, config)
    original = first.send(mark(1, 3100.0))
    for seq in range(2, 6):
        first.send(mark(seq, 3100.0 + seq))
    with pytest.raises(DuplicateTooOld):  # what the engine alone would say
        first.engine.apply_mark(1, 8, 1.0)
    restarted = Node(store, config)
    again = restarted.send(mark(1, 3100.0))
    assert serialize(again) == serialize(original)
    with pytest.raises(PreconditionFailed, match="seq 1 was already applied as a mark update "
                                                 "and this request's content differs"):
        restarted.send(mark(1, 1.0))
    with pytest.raises(PreconditionFailed, match="seq 2 was already applied as a mark update, "
                                                 "not a currency upsert"):
        restarted.send(Input(RecordKind.CURRENCY, pb.UpsertCurrencyRequest(
            seq=2, currency=pb.Currency(currency_id=2, price=1.0))))
    assert store.journal.last_seq == 5


def test_without_a_journal_duplicates_are_the_engines_business():
    engine_writer = SerializedEngine(Node(memory_store(), exchange(2)).engine)
    inputs = DurableInputs(engine_writer, None, FsyncPolicy(), EventLog(4))
    for seq in range(1, 5):
        inputs.apply(input_kinds.MARK, mark(seq, 3000.0 + seq).request)
    with pytest.raises(DuplicateTooOld):
        inputs.apply(input_kinds.MARK, mark(1, 3001.0).request)


@pytest.mark.parametrize("policy, syncs", [("every-input", 4), ("interval:50", 0)])
def test_every_input_is_fsynced_before_its_answer_unless_by_interval(policy, syncs):
    store = memory_store()
    node = Node(store, policy=FsyncPolicy.parse(policy))
    for seq in range(1, 5):
        node.send(mark(seq, 3000.0 + seq))
        if syncs:
            assert store.journal.synced_seq == seq
    assert store.journal.syncs == syncs


def test_grouped_batches_are_fsynced_before_they_are_acknowledged():
    inputs, reference = workload(SEED, COUNT)
    batches = [item for item in inputs if item.kind is RecordKind.DELTAS][:40]
    store = memory_store()
    node = Node(store, policy=FsyncPolicy.parse("grouped"))
    requests = [pb.StreamDeltasRequest.FromString(serialize(item.request)) for item in batches]
    for index, request in enumerate(requests):
        request.seq = index + 1
    acknowledged = 0
    for number, request, response in node.inputs.stream_deltas(iter(requests)):
        assert number == response.seq == acknowledged + 1
        assert store.journal.synced_seq >= response.seq
        acknowledged += 1
    assert acknowledged == 40 and 1 <= store.journal.syncs <= 40


def test_a_rejected_batch_in_a_group_ends_the_stream_after_the_good_ones():
    store = memory_store()
    node = Node(store, policy=FsyncPolicy.parse("grouped"))
    good = pb.StreamDeltasRequest(seq=1, transfers=pb.TransferColumns(
        account_id=[3], currency_id=[1], amount=[10.0]))
    bad = pb.StreamDeltasRequest(seq=2, transfers=pb.TransferColumns(
        account_id=[3], currency_id=[77], amount=[10.0]))
    results = list(node.inputs.stream_deltas(iter([good, bad, good])))
    assert [number for number, _, _ in results] == [1, 2]
    assert results[0][2].seq == 1 and isinstance(results[1][2], UnknownId)
    assert store.journal.last_seq == 1 and store.journal.synced_seq == 1


def test_read_ahead_hands_over_everything_in_order_in_bounded_groups():
    with ReadAhead(iter(range(500)), 7) as ahead:
        groups = list(ahead.groups())
    assert [item for group in groups for item in group] == list(range(500))
    assert all(1 <= len(group) <= 7 for group in groups)


def test_read_ahead_passes_on_the_streams_error_after_what_came_before():
    def failing():
        yield from (1, 2, 3)
        raise RuntimeError("stream broke")

    received = []
    with pytest.raises(RuntimeError, match="stream broke"):
        with ReadAhead(failing(), 64) as ahead:
            for group in ahead.groups():
                received.extend(group)
    assert received == [1, 2, 3]


class BrokenJournal:
    """A journal whose disk is gone: every append fails."""

    def __init__(self, journal):
        self._journal = journal

    def __getattr__(self, name):
        return getattr(self._journal, name)

    def append(self, record):
        raise OSError(28, "No space left on device")


def test_a_journal_failure_is_fatal_and_nothing_more_is_accepted():
    store = memory_store()
    Node(store)  # creates the base snapshot
    store.journal = BrokenJournal(store.journal)
    fatal = []
    node = Node(store, on_fatal=fatal.append)
    with pytest.raises(PersistenceFailed, match="No space left on device"):
        node.send(mark(1, 3100.0))
    assert len(fatal) == 1 and isinstance(fatal[0], OSError)
    with pytest.raises(PersistenceFailed, match="restart markcap-server"):
        node.send(mark(2, 3200.0))
    assert node.inputs.acknowledged_seq == 0
    node.log.close()
    assert list(node.log.follow(1, lambda: False)) == []  # watchers never saw it
