"""Engine snapshots (engine/snapshot.py) through a snapshot file: the restored engine
is the same state, in the same slot and row order, and answers every later input
byte for byte as the original does."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from markcap.engine import Engine
from markcap.engine.bankruptcy_index import BankruptcyIndex, BookKeys
from markcap.engine.blockmin import GroupedBlockMin
from markcap.engine.holdings import Holdings
from markcap.engine.idmap import IdMap
from markcap.engine.risk import RiskView
from markcap.engine.snapshot import (FORMAT_VERSION, export_state, import_derived, import_primary,
                                     import_state)
from markcap.service.input_kinds import of_record
from markcap.service.inputs import serialize
from markcap.store.snapshots import SnapshotDirectory

from .harness import exchange
from .workload import workload

SEED, COUNT, SPLIT = 11, 600, 350


def engine_after(inputs) -> Engine:
    engine = Engine(exchange())
    for item in inputs:
        of_record(item.kind).apply(engine, type(item.request).FromString(serialize(item.request)))
    return engine


def through_a_file(engine: Engine, directory, derived: str = "stored") -> Engine:
    """`derived` "stored": the derived structures the snapshot holds; "rebuilt": the snapshot
    claims other derived code, so they are rebuilt from its primary state."""
    snapshots = SnapshotDirectory(directory)
    snapshots.save(export_state(engine))
    snapshot = snapshots.load_newest(FORMAT_VERSION)
    if derived == "rebuilt":
        snapshot = dataclasses.replace(snapshot, meta={**snapshot.meta, "derived_code": "another build"})
    restored = import_primary(snapshot, exchange().retained_outcomes)
    assert import_derived(restored, snapshot) == (derived == "stored")
    return restored


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


@pytest.mark.parametrize("derived", ["stored", "rebuilt"])
def test_a_restored_engine_answers_every_later_input_byte_for_byte(tmp_path, derived):
    inputs, reference = workload(SEED, COUNT)
    restored = through_a_file(engine_after(inputs[:SPLIT]), tmp_path, derived)
    for item in inputs[SPLIT:]:
        request = type(item.request).FromString(serialize(item.request))
        assert serialize(of_record(item.kind).apply(restored, request)) == reference.responses[item.seq]
    assert restored.status().state_hash == reference.hash_at[COUNT]
    assert reference.liquidations and reference.adl_fills  # the stream exercised both


def test_an_engine_snapshot_holds_only_plain_data():
    snapshot = export_state(engine_after(workload(SEED, COUNT)[0][:50]))
    assert snapshot.format_version == FORMAT_VERSION and snapshot.seq == 50
    assert all(array.dtype.kind in "uif" for array in snapshot.arrays.values())
    assert [c["code"] for c in snapshot.meta["currencies"]] == ["USD", "BTC"]


def _index_arrays(engine: Engine) -> list[np.ndarray]:
    index, state = engine.risk.index, engine.state
    arrays = [index.reference, index.sensitivity, index.drift, state.accounts.slot_of._table,
              state.holdings.bit[: state.accounts.count], state.holdings.row[: state.accounts.count],
              engine.risk.negative.sorted()]
    for keys in index.keys.values():
        count = keys.priority.count
        arrays += [keys.priority.values[:count], keys.priority.group[:count], keys.excess,
                   keys.priority.minima(), keys.priority.sizes]
    return arrays


def test_the_stored_derived_structures_are_the_originals_and_a_rebuild_answers_alike(tmp_path):
    inputs, reference = workload(SEED, COUNT)
    original = engine_after(inputs[:SPLIT])
    stored = through_a_file(original, tmp_path / "stored")
    rebuilt = through_a_file(original, tmp_path / "rebuilt", "rebuilt")
    for mine, theirs in zip(_index_arrays(original), _index_arrays(stored), strict=True):
        assert mine.tobytes() == theirs.tobytes()
    assert stored.state.holdings.overflow == original.state.holdings.overflow
    for engine in (stored, rebuilt):
        engine.check_invariants()
        assert engine.status().state_hash == original.status().state_hash == reference.hash_at[SPLIT]
    for instrument_id in original.state.books:  # a dry-run crash on every book: the same answer
        price = original.state.instruments.by_id[instrument_id].mark_price
        tick = original.state.instruments.by_id[instrument_id].tick_size
        for move in (0.5, 1.6):
            target = round(price * move / tick) * tick
            answers = {repr(engine.apply_mark(0, instrument_id, target, dry_run=True))
                       for engine in (original, stored, rebuilt)}
            assert len(answers) == 1, (instrument_id, move)


# Every field of the derived structures a snapshot stores (engine/snapshot.py) or that a new engine
# starts right (caches, the owner's references). A new field fails this test: store it in the
# snapshot (bump FORMAT_VERSION) or show that a fresh one is right, then list it here.
KNOWN_FIELDS = {
    IdMap: {"_bits", "_mask", "_table", "_keys", "_slots", "_live", "_tombs"},
    Holdings: {"bit", "row", "overflow", "overflowing"},
    GroupedBlockMin: {"groups", "values", "group", "block_min", "super_min", "_dirty", "sizes", "count"},
    BookKeys: {"instrument_id", "bit", "priority", "excess"},
    BankruptcyIndex: {"state", "tier_limits", "tiers", "keys", "reference", "sensitivity", "drift",
                      "_features_cache", "_features_at", "_by_bit"},
    RiskView: {"state", "index", "negative", "_caught_up_in_operation", "_fund_equity", "_fund_terms"},
}


def test_the_snapshot_knows_every_field_of_the_derived_structures():
    engine = engine_after(workload(SEED, COUNT)[0][:50])
    index = engine.risk.index
    found = {IdMap: engine.state.accounts.slot_of, Holdings: engine.state.holdings,
             GroupedBlockMin: next(iter(index.keys.values())).priority,
             BookKeys: next(iter(index.keys.values())), BankruptcyIndex: index, RiskView: engine.risk}
    for kind, instance in found.items():
        assert set(vars(instance)) == KNOWN_FIELDS[kind], kind.__name__
