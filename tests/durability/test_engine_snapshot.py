"""Engine snapshots (engine/snapshot.py) through a snapshot file: the restored engine
is the same state, in the same slot and row order, and answers every later input
byte for byte as the original does."""
from __future__ import annotations

import numpy as np

from markcap.engine import Engine
from markcap.engine.snapshot import FORMAT_VERSION, export_state, import_state
from markcap.service.inputs import apply_request, serialize
from markcap.store.snapshots import SnapshotDirectory

from .harness import exchange
from .workload import workload

SEED, COUNT, SPLIT = 11, 600, 350


def engine_after(inputs) -> Engine:
    engine = Engine(exchange())
    for item in inputs:
        apply_request(engine, item.kind, type(item.request).FromString(serialize(item.request)))
    return engine


def through_a_file(engine: Engine, directory) -> Engine:
    snapshots = SnapshotDirectory(directory)
    snapshots.save(export_state(engine))
    return import_state(snapshots.load_newest(FORMAT_VERSION), exchange().retained_outcomes)


def test_a_restored_engine_has_the_same_state_in_the_same_order(tmp_path):
    inputs, reference = workload(SEED, COUNT)
    original = engine_after(inputs[:SPLIT])
    restored = through_a_file(original, tmp_path)
    assert restored.status() == original.status()
    assert restored.status().state_hash == reference.hash_at[SPLIT]
    accounts, again = original.state.accounts, restored.state.accounts
    assert np.array_equal(accounts.ids[: accounts.count], again.ids[: again.count])
    assert np.array_equal(accounts.balances[: accounts.count], again.balances[: again.count])
    for instrument_id, book in original.state.books.items():
        for column, restored_column in zip(book.columns(), restored.state.books[instrument_id].columns()):
            assert column.tobytes() == restored_column.tobytes()
    restored.check_invariants()


def test_a_restored_engine_answers_every_later_input_byte_for_byte(tmp_path):
    inputs, reference = workload(SEED, COUNT)
    restored = through_a_file(engine_after(inputs[:SPLIT]), tmp_path)
    for item in inputs[SPLIT:]:
        request = type(item.request).FromString(serialize(item.request))
        assert serialize(apply_request(restored, item.kind, request)) == reference.responses[item.seq]
    assert restored.status().state_hash == reference.hash_at[COUNT]
    assert reference.liquidations and reference.adl_fills  # the stream exercised both


def test_an_engine_snapshot_holds_only_plain_data():
    snapshot = export_state(engine_after(workload(SEED, COUNT)[0][:50]))
    assert snapshot.format_version == FORMAT_VERSION and snapshot.seq == 50
    assert all(array.dtype.kind in "uif" for array in snapshot.arrays.values())
    assert [c["code"] for c in snapshot.meta["currencies"]] == ["USD", "BTC"]
