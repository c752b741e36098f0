"""Snapshot files: written whole or not at all, read back exactly, damaged ones
passed over, another format version refused by number."""
from __future__ import annotations

import numpy as np
import pytest

from markcap.engine.snapshot import StateSnapshot
from markcap.store import SnapshotFormatError
from markcap.store.memory import MemorySnapshots
from markcap.store.snapshots import PREFIX, SnapshotDirectory, encode

VERSION = 1


def snapshot(seq: int, version: int = VERSION) -> StateSnapshot:
    return StateSnapshot(version, seq, {"note": f"state at {seq}", "floor": 0.1 + 0.2},
                         {"ids": np.arange(seq + 3, dtype=np.uint64),
                          "balances": np.linspace(-1.5, 7.25, 2 * (seq + 3)).reshape(-1, 2),
                          "empty": np.zeros((0, 3), dtype=np.float64)})


def same(a: StateSnapshot, b: StateSnapshot) -> bool:
    return (a.format_version, a.seq, a.meta) == (b.format_version, b.seq, b.meta) \
        and a.arrays.keys() == b.arrays.keys() \
        and all(a.arrays[k].dtype == b.arrays[k].dtype and a.arrays[k].shape == b.arrays[k].shape
                and a.arrays[k].tobytes() == b.arrays[k].tobytes() for k in a.arrays)


@pytest.fixture(params=["file", "memory"])
def snapshots(request, tmp_path):
    return SnapshotDirectory(tmp_path / "snapshots") if request.param == "file" else MemorySnapshots()


def test_the_newest_snapshot_reads_back_exactly(snapshots):
    assert snapshots.load_newest(VERSION) is None
    for seq in (0, 40, 12):
        snapshots.save(snapshot(seq))
    assert snapshots.seqs() == [0, 12, 40]
    assert same(snapshots.load_newest(VERSION), snapshot(40))


def test_pruning_keeps_the_newest(snapshots):
    for seq in (0, 10, 20, 30):
        snapshots.save(snapshot(seq))
    assert snapshots.prune(2) == [20, 30]
    assert snapshots.seqs() == [20, 30]


def test_another_format_version_is_refused_with_both_numbers(snapshots):
    snapshots.save(snapshot(5))
    snapshots.save(snapshot(9, version=VERSION + 1))
    with pytest.raises(SnapshotFormatError) as refused:
        snapshots.load_newest(VERSION)
    assert (refused.value.found, refused.value.expected) == (VERSION + 1, VERSION)
    assert f"has format version {VERSION + 1}" in str(refused.value)
    assert f"reads format version {VERSION} only" in str(refused.value)


def test_the_file_starts_with_magic_and_version_and_has_no_pickle(tmp_path):
    path = SnapshotDirectory(tmp_path).save(snapshot(3))
    data = path.read_bytes()
    assert PREFIX.unpack_from(data)[:2] == (b"MARKCAP-SNAPSHOT", VERSION)
    assert b"numpy" not in data and b"\x80\x04" not in data  # no pickle protocol header
    assert path.name == "00000000000000000003.snapshot"
    assert data == b"".join(bytes(chunk) for chunk in encode(snapshot(3)))


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_a_damaged_newest_snapshot_is_reported_and_the_previous_one_used(tmp_path, damage):
    directory = SnapshotDirectory(tmp_path)
    directory.save(snapshot(10))
    newest = directory.save(snapshot(20))
    data = bytearray(newest.read_bytes())
    if damage == "truncate":
        data = data[:-9]
    elif damage == "flip":
        data[len(data) // 2] ^= 0x10
    else:
        data = bytearray()
    newest.write_bytes(bytes(data))
    assert same(directory.load_newest(VERSION), snapshot(10))
    assert len(directory.skipped) == 1 and "00000000000000000020.snapshot is damaged" in \
        directory.skipped[0]


def test_a_snapshot_cut_short_while_being_written_is_removed_on_open(tmp_path):
    SnapshotDirectory(tmp_path).save(snapshot(1))
    leftover = tmp_path / ".00000000000000000002.snapshot.tmp"
    leftover.write_bytes(b"half a snapshot")
    directory = SnapshotDirectory(tmp_path)
    assert not leftover.exists() and directory.seqs() == [1]
