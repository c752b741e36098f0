"""Issue 12, item 7: disk space. Temp files are removed on start and after a failed
write; below the free-space floor inputs are refused with UNAVAILABLE before anything
is written while reads are served (the probe injected, the real disk never filled);
`markcap_journal_size_bytes` is what the journal takes on disk; and a restart on a disk
below the floor serves reads instead of exiting at the first input."""
from __future__ import annotations

import argparse
import errno
import math
import os

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from markcap.service import input_kinds, metrics
from markcap.service.events import EventLog
from markcap.service.free_space import DiskSpaceLow, FreeSpaceFloor
from markcap.service.inputs import serialize
from markcap.service.persistence import DEFAULT_MIN_FREE_MIB, Persistence
from markcap.service.snapshotter import Snapshotter
from markcap.service.writer import SerializedEngine
from markcap.store import FsyncPolicy, open_store, sync_files
from markcap.v1 import risk_engine_pb2 as pb

from .harness import Node, exchange

RPC_SECONDS = 10
MIB = 1024 * 1024


def deposit(seq: int) -> pb.StreamDeltasRequest:
    return pb.StreamDeltasRequest(seq=seq, transfers=pb.TransferColumns(
        account_id=[seq], currency_id=[1], amount=[100_00]))


def send(node, kind, request):
    return node.inputs.apply(kind, type(request).FromString(serialize(request)))


def data_files(data_dir) -> dict:
    """Each file's size, but the lock's: it holds the owner's pid, whose digits vary."""
    return {p: p.stat().st_size for p in data_dir.rglob("*") if p.is_file() and p.name != "LOCK"}


def temp_files(data_dir):
    return sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*.tmp"))


class FailingOs:
    """`os` for sync_files whose write fails with ENOSPC after `good` calls."""

    def __init__(self, good: int = 1):
        self.good = good

    def write(self, fd, data):
        if self.good <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.good -= 1
        return os.write(fd, data[:64])  # a short write, as a nearly full disk gives

    def __getattr__(self, name):
        return getattr(os, name)


# ---- temp files -----------------------------------------------------------------------

def test_a_failed_snapshot_write_leaves_no_temp_file(tmp_path, monkeypatch):
    store = open_store(tmp_path / "data")
    node = Node(store)
    send(node, input_kinds.DELTAS, deposit(1))
    snapshotter = Snapshotter(node.writer, node.engine, store, "seed", 0, 0, 16,
                              on_fatal=pytest.fail)
    monkeypatch.setattr(sync_files, "os", FailingOs(good=1))
    assert snapshotter.take() is None  # logged; the journal still holds every input
    assert temp_files(tmp_path / "data") == []
    assert store.snapshots.seqs() == [0]
    monkeypatch.undo()
    assert snapshotter.take() == 1
    assert store.snapshots.seqs() == [0, 1] and temp_files(tmp_path / "data") == []


def test_temp_files_are_removed_when_the_store_opens(tmp_path):
    data_dir = tmp_path / "data"
    open_store(data_dir).close()
    leftovers = [data_dir / "snapshots" / f".{n:020d}.snapshot.tmp" for n in (103, 123)]
    leftovers += [data_dir / "journal" / ".00000000000000000001.journal.tmp", data_dir / ".x.tmp"]
    for path in leftovers:
        path.write_bytes(b"\0" * 4096)
    store = open_store(data_dir)
    assert temp_files(data_dir) == []
    store.close()


# ---- the free-space floor ------------------------------------------------------------------

class Probe:
    def __init__(self, free: int):
        self.free = free
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.free


def guarded_node(data_dir, probe, floor=DEFAULT_MIN_FREE_MIB * MIB):
    store = open_store(data_dir)
    node = Node(store)
    node.inputs.free_space = FreeSpaceFloor(data_dir, floor, probe)
    return node


def test_below_the_floor_inputs_are_refused_before_anything_is_written_and_reads_go_on(tmp_path):
    probe = Probe(free=10 * 1024 * MIB)
    node = guarded_node(tmp_path / "data", probe)
    send(node, input_kinds.DELTAS, deposit(1))
    mark = pb.ApplyMarkRequest(seq=2, instrument_id=8, price=3100.0)
    original = send(node, input_kinds.MARK, mark)
    probe.free = DEFAULT_MIN_FREE_MIB * MIB - 1
    journal = node.store.journal
    before = (journal.last_seq, journal.size_bytes, node.state_hash())
    for kind, request in [(input_kinds.DELTAS, deposit(3)),
                          (input_kinds.MARK, pb.ApplyMarkRequest(seq=3, instrument_id=8, price=3200.0)),
                          (input_kinds.CURRENCY, pb.UpsertCurrencyRequest(
                              seq=0, currency=pb.Currency(currency_id=2, price=51000.0)))]:
        with pytest.raises(DiskSpaceLow) as refused:
            send(node, kind, request)
        assert f"{DEFAULT_MIN_FREE_MIB} MiB" in str(refused.value)
        assert str(tmp_path / "data") in str(refused.value)
    assert (journal.last_seq, journal.size_bytes, node.state_hash()) == before
    # Reads, dry runs and duplicates write nothing: they are still answered.
    assert node.writer.read(lambda engine: engine.account(1)).account_id == 1
    assert send(node, input_kinds.MARK, pb.ApplyMarkRequest(instrument_id=8, price=1.0,
                                                           dry_run=True)).dry_run
    assert serialize(send(node, input_kinds.MARK, mark)) == serialize(original)
    assert send(node, input_kinds.DELTAS, deposit(1)).duplicate
    # Space is back: inputs are taken again.
    probe.free = DEFAULT_MIN_FREE_MIB * MIB
    assert send(node, input_kinds.DELTAS, deposit(3)).seq == 3


def test_a_floor_of_zero_turns_the_check_off(tmp_path):
    probe = Probe(free=0)
    node = guarded_node(tmp_path / "data", probe, floor=0)
    assert send(node, input_kinds.DELTAS, deposit(1)).seq == 1
    assert probe.calls == 0


def test_the_default_probe_reads_the_data_dirs_file_system(tmp_path):
    floor = FreeSpaceFloor(tmp_path, MIB)
    statvfs = os.statvfs(tmp_path)
    assert abs(floor.free_bytes() - statvfs.f_bavail * statvfs.f_frsize) < 256 * MIB


# ---- the journal size metric -----------------------------------------------------------------

def persistence_args(data_dir, **overrides) -> argparse.Namespace:
    values = dict(in_memory=False, data_dir=data_dir, fsync=FsyncPolicy(),
                  snapshot_every_inputs=0, snapshot_every_seconds=0.0, snapshot_every_fills=0,
                  min_free_mib=DEFAULT_MIN_FREE_MIB)
    values.update(overrides)
    return argparse.Namespace(**values)


def on_disk(data_dir) -> int:
    return sum(path.stat().st_size for path in (data_dir / "journal").glob("*.journal"))


def gauge(durable: Persistence, name: str = "markcap_journal_size_bytes") -> float:
    """The gauge as a scrape of this server's metrics reads it."""
    return metrics.Metrics(durable.readings).registry.get_sample_value(name)


def run_persistence(data_dir):
    durable = Persistence.open(persistence_args(data_dir), exchange())
    writer = SerializedEngine(durable.engine)
    inputs, _ = durable.connect(writer, EventLog(16))
    return durable, inputs


def test_the_journal_size_gauge_is_what_the_journal_takes_on_disk(tmp_path):
    data_dir = tmp_path / "data"
    durable, inputs = run_persistence(data_dir)
    try:
        for seq in range(1, 6):
            inputs.apply(input_kinds.DELTAS, deposit(seq))
        assert on_disk(data_dir) > MIB  # preallocated ahead of the writer
        assert gauge(durable) == on_disk(data_dir)
    finally:
        durable.close(graceful=False)
    durable, inputs = run_persistence(data_dir)  # a restart: right before any input
    try:
        assert gauge(durable) == on_disk(data_dir)
        inputs.apply(input_kinds.DELTAS, deposit(6))
        assert gauge(durable) == on_disk(data_dir)
        free = gauge(durable, "markcap_data_dir_free_bytes")
        assert abs(free - durable.free_space.free_bytes()) < 256 * MIB
    finally:
        durable.close(graceful=False)
    assert math.isnan(gauge(durable, "markcap_data_dir_free_bytes"))


# ---- a real server ---------------------------------------------------------------------------

def test_a_restart_below_the_floor_serves_reads_and_refuses_inputs_with_unavailable(
        start_server, tmp_path):
    data_dir = tmp_path / "data"
    server = start_server(extra_args=("--data-dir", str(data_dir)))
    stub = server.stub()
    list(stub.StreamDeltas(iter([deposit(1), deposit(2)]), timeout=RPC_SECONDS))
    assert server.stop() == 0
    files_before = data_files(data_dir)
    # A floor beyond any disk: what a restart on a full disk sees.
    server = start_server(extra_args=("--data-dir", str(data_dir), "--min-free-mib", str(2**40)))
    stub = server.stub()
    for _ in range(3):
        with pytest.raises(grpc.RpcError) as refused:
            list(stub.StreamDeltas(iter([deposit(3)]), timeout=RPC_SECONDS))
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "free" in refused.value.details() and "MiB" in refused.value.details()
        with pytest.raises(grpc.RpcError) as refused:
            stub.ApplyMark(pb.ApplyMarkRequest(seq=3, instrument_id=8, price=3100.0),
                           timeout=RPC_SECONDS)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    info = error_details_pb2.ErrorInfo()
    rpc_status.from_call(refused.value).details[0].Unpack(info)
    assert info.reason == "DISK_SPACE_LOW"
    assert int(info.metadata["floor_bytes"]) == 2**40 * MIB
    status = stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS)
    assert status.applied_seq == 2 and "inputs refused" in status.persistence
    assert stub.GetAccount(pb.GetAccountRequest(account_id=2), timeout=RPC_SECONDS).account.account_id == 2
    health = health_pb2_grpc.HealthStub(server.channel()).Check(
        health_pb2.HealthCheckRequest(), timeout=RPC_SECONDS)
    assert health.status == health_pb2.HealthCheckResponse.SERVING
    assert server.process.poll() is None
    assert server.stop() == 0
    assert data_files(data_dir) == files_before
