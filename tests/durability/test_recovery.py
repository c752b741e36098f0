"""Startup from a data dir (service/recovery.py): newest intact snapshot + the journal
after it gives exactly the state before; what cannot be restored exactly is refused."""
from __future__ import annotations

import dataclasses
import logging
import threading

import pytest

from markcap.engine.snapshot import FORMAT_VERSION
from markcap.service.recovery import RecoveryError, seed_fingerprint, snapshot_of
from markcap.service.snapshotter import Snapshotter
from markcap.store import SnapshotFormatError, memory_store, open_store

from .harness import Node, exchange
from .workload import workload

SEED, COUNT = 21, 300
SMALL_SEGMENT = 4096


def open_small(path):
    return open_store(path, segment_bytes=SMALL_SEGMENT)


def snapshotter(node: Node, every_inputs: int = 0, retained: int = 65536) -> Snapshotter:
    return Snapshotter(node.writer, node.engine, node.store, seed_fingerprint(exchange()),
                       every_inputs, 0, retained, on_fatal=lambda error: None)


def test_a_new_data_dir_starts_from_the_config_with_a_base_snapshot(tmp_path):
    store = open_small(tmp_path / "data")
    node = Node(store)
    assert node.engine.applied_seq == 0 and node.restored.snapshot_seq == 0
    assert store.snapshots.seqs() == [0] and store.journal.next_seq == 1
    store.close()


def test_a_restart_replays_the_journal_onto_the_newest_snapshot_exactly(tmp_path):
    inputs, reference = workload(SEED, COUNT)
    store = open_small(tmp_path / "data")
    first = Node(store)
    first.send_all(inputs[:120])
    assert snapshotter(first).take() == 120
    first.send_all(inputs[120:])
    store.close()
    store = open_small(tmp_path / "data")
    node = Node(store)
    assert (node.restored.snapshot_seq, node.restored.replayed) == (120, COUNT - 120)
    assert node.state_hash() == reference.hash_at[COUNT]
    store.close()


def test_a_damaged_newest_snapshot_falls_back_to_the_previous_one_and_more_journal(tmp_path):
    inputs, reference = workload(SEED, COUNT)
    store = open_small(tmp_path / "data")
    first = Node(store)
    first.send_all(inputs[:100])
    snapshotter(first).take()
    first.send_all(inputs[100:200])
    snapshotter(first).take()
    store.close()
    newest = tmp_path / "data" / "snapshots" / "00000000000000000200.snapshot"
    newest.write_bytes(newest.read_bytes()[:-1])
    store = open_small(tmp_path / "data")
    node = Node(store)
    assert (node.restored.snapshot_seq, node.restored.replayed) == (100, 100)
    assert node.state_hash() == reference.hash_at[200]
    assert "is damaged" in store.snapshots.skipped[0]
    store.close()


def test_snapshots_every_n_inputs_prune_old_snapshots_and_journal_segments(tmp_path):
    inputs, reference = workload(SEED, COUNT)
    store = open_small(tmp_path / "data")
    node = Node(store)
    timer = snapshotter(node, every_inputs=50, retained=10)
    node.on_journaled = timer.note_journaled
    timer.start()
    node.send_all(inputs)
    for _ in range(3000):  # the 250th input made a snapshot due; the timer thread takes it
        if (timer.last_seq or 0) >= COUNT - 50:
            break
        threading.Event().wait(0.01)
    timer.stop(final=True)
    older, newest = store.snapshots.seqs()  # only the two newest are kept
    # The timer thread snapshots whatever seq it reaches once one is due, so `older` is not
    # pinned to a multiple of 50; it is at least one due snapshot before the final one.
    assert newest == COUNT and 50 <= older < COUNT
    assert 1 < store.journal.first_seq <= older + 1  # pruned, but no more than the older snapshot needs
    store.close()
    node = Node(open_small(tmp_path / "data"))
    assert node.restored.snapshot_seq == 300 and node.state_hash() == reference.hash_at[COUNT]


def test_a_journal_tail_cut_by_a_crash_is_dropped_and_the_state_is_the_last_good_seq(tmp_path):
    inputs, reference = workload(SEED, COUNT)
    store = open_small(tmp_path / "data")
    Node(store).send_all(inputs[:50])
    store.close()
    newest = sorted((tmp_path / "data" / "journal").glob("*.journal"))[-1]
    newest.write_bytes(newest.read_bytes()[:-3])
    store = open_small(tmp_path / "data")
    node = Node(store)
    assert node.engine.applied_seq == 49 and node.state_hash() == reference.hash_at[49]
    assert "damaged tail" in store.journal.repairs[0]
    node.send_all(inputs[49:60])  # the producer re-sends from applied_seq + 1
    assert node.state_hash() == reference.hash_at[60]
    store.close()


def test_a_replay_that_answers_differently_stops_the_start():
    inputs, _ = workload(SEED, COUNT)
    store = memory_store()
    Node(store).send_all(inputs[:80])
    records = store.journal.records
    index = next(i for i, r in enumerate(records) if r.response and r.seq > 10)
    records[index] = dataclasses.replace(records[index], response=records[index].response + b"\x08\x01")
    with pytest.raises(RecoveryError, match=f"replay diverged at seq {records[index].seq}"):
        Node(store)


def test_another_insurance_fund_in_the_config_is_refused():
    store = memory_store()
    Node(store)
    moved = dataclasses.replace(exchange(), insurance_fund_account_id=99)
    with pytest.raises(RecoveryError, match="insurance fund account 99 with floor 0.0, but the "
                                            "data dir memory holds fund account 0"):
        Node(store, moved)


def test_other_reference_data_in_the_config_is_reported_and_the_data_dir_wins(caplog):
    store = memory_store()
    Node(store)
    config = exchange()
    renamed = dataclasses.replace(config, instruments=tuple(
        dataclasses.replace(i, symbol=i.symbol + "-NEW") for i in config.instruments))
    with caplog.at_level(logging.WARNING, logger="markcap.service"):
        node = Node(store, renamed)
    assert "the data dir's state wins" in caplog.text
    assert [i.symbol for i in node.engine.instruments()] == ["BTC-PERP", "ETH-PERP", "BTC-USD-INV"]


def test_a_journal_without_a_snapshot_to_replay_onto_is_refused():
    inputs, _ = workload(SEED, COUNT)
    store = memory_store()
    Node(store).send_all(inputs[:5])
    store.snapshots.by_seq.clear()
    with pytest.raises(RecoveryError, match="holds seq 1 to 5 but there is no usable snapshot"):
        Node(store)


def test_a_journal_that_starts_after_the_snapshot_is_refused():
    inputs, _ = workload(SEED, COUNT)
    store = memory_store()
    Node(store).send_all(inputs[:30])
    store.journal.prune_before(10)
    with pytest.raises(RecoveryError, match="inputs 1 to 9 are missing"):
        Node(store)


def test_a_snapshot_of_another_format_version_is_refused():
    store = memory_store()
    node = Node(store)
    newer = snapshot_of(node.engine, "seed")
    store.snapshots.save(dataclasses.replace(newer, format_version=FORMAT_VERSION + 1, seq=1))
    with pytest.raises(SnapshotFormatError, match=f"has format version {FORMAT_VERSION + 1}"):
        Node(store)
