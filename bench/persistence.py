"""What durability costs: the store choice, each fsync policy, snapshots and restarts.

    .venv/bin/python -m bench.persistence [--quick] [--dir DIR]

1. Store: appending journal records of three sizes (a mark with its answer, a
   delta batch of 100 fills, one of 1,000 fills) to markcap's append-only log
   and to SQLite in WAL mode, each made durable per record (fsync / commit with
   synchronous=FULL), and without waiting for the disk.
2. End to end: a markcap-server per fsync policy (and --in-memory) on
   127.0.0.1:0; one producer streams delta batches of 100 fills, then sends
   unary marks; latency per acknowledged input, p50 and p99.
3. Snapshots and restarts: snapshot write time, restore time and replay rate
   for an exchange of 100,000 accounts.

Seeded, warmed up; prints the configuration. Timings are of this machine and
its disk (DIR, default a temp dir on the same filesystem as the tests).
"""
from __future__ import annotations

import argparse
import os
import platform
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import grpc
import numpy as np

from bench.server import LISTENING_PREFIX, server_command
from bench.stats import Summary, duration
from markcap.engine import Engine, FillBatch, TransferBatch
from markcap.engine.snapshot import FORMAT_VERSION, export_state, import_state
from markcap.service.config import load_default
from markcap.service.input_kinds import of_record
from markcap.store import FsyncPolicy, JournalRecord, RecordKind, open_store
from markcap.store.journal import FileJournal
from markcap.store.snapshots import SnapshotDirectory
from markcap.client.grid import nearest_price
from markcap.v1 import risk_engine_pb2 as pb, risk_engine_pb2_grpc as pb_grpc

SEED = 7
ETH_TICK = 0.01  # ETH-PERP (8) of the default exchange
POLICIES = ("every-input", "grouped", "interval:10")
RECORD_SIZES = {"mark (~0.4 KB)": 400, "batch of 100 fills (~3 KB)": 3_000,
                "batch of 1,000 fills (~30 KB)": 30_000}
START_SECONDS = 30.0


# ---- 1. the store ---------------------------------------------------------------------

def _records(size: int, count: int) -> list[JournalRecord]:
    payload = random.Random(SEED).randbytes(size)
    return [JournalRecord(seq, RecordKind.DELTAS, payload) for seq in range(1, count + 1)]


class LogAppender:
    """markcap's journal: append, then (when durable) fdatasync."""

    def __init__(self, directory: Path, durable: bool):
        self._journal, self._durable = FileJournal(directory), durable
        self._journal.continue_at(1)

    def append(self, record: JournalRecord) -> None:
        self._journal.append(record)
        if self._durable:
            self._journal.sync()

    def close(self) -> None:
        self._journal.close()


class SqliteAppender:
    """SQLite in WAL mode, one INSERT per autocommit transaction; FULL fsyncs the WAL on
    each commit (durable), OFF leaves it to the OS (survives a process crash only)."""

    def __init__(self, directory: Path, durable: bool):
        directory.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(directory / "journal.sqlite", isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'OFF'}")
        self._db.execute("CREATE TABLE journal (seq INTEGER PRIMARY KEY, kind INTEGER, "
                         "request BLOB, response BLOB)")

    def append(self, record: JournalRecord) -> None:
        self._db.execute("INSERT INTO journal VALUES (?, ?, ?, ?)",
                         (record.seq, int(record.kind), record.request, record.response))

    def close(self) -> None:
        self._db.close()


VARIANTS = {"log + fdatasync": (LogAppender, True), "SQLite WAL FULL": (SqliteAppender, True),
            "log, no fsync": (LogAppender, False), "SQLite WAL OFF": (SqliteAppender, False)}


def bench_stores(root: Path, records: list[JournalRecord]) -> dict[str, Summary]:
    """Per-append seconds of each variant, interleaved record by record so that the
    disk's and the machine's noise falls on all of them alike."""
    appenders = {name: kind(root / name.replace(" ", "-").replace(",", ""), durable)
                 for name, (kind, durable) in VARIANTS.items()}
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for record in records:
        for name, appender in appenders.items():
            started = time.perf_counter()
            appender.append(record)
            samples[name].append(time.perf_counter() - started)
    for appender in appenders.values():
        appender.close()
    warm = len(records) // 10
    return {name: Summary.of(values[warm:]) for name, values in samples.items()}


def _cell(summary: Summary) -> str:
    return f"{duration(summary.p50_us)} / {duration(summary.p99_us)}"


def store_table(root: Path, count: int) -> None:
    print(f"\n1. Appending {count} journal records, per record (p50 / p99), variants interleaved")
    print(f"{'record':32} " + " ".join(f"{name:>20}" for name in VARIANTS))
    for name, size in RECORD_SIZES.items():
        results = bench_stores(root / f"store-{size}", _records(size, count))
        print(f"{name:32} " + " ".join(f"{_cell(results[v]):>20}" for v in VARIANTS))


# ---- 2. end to end ----------------------------------------------------------------------

class Server:
    """markcap-server with `args` on 127.0.0.1:0, stopped by its own pid."""

    def __init__(self, workdir: Path, args: list[str]):
        self._stderr = open(workdir / "server.stderr", "w")
        self.process = subprocess.Popen(server_command() + ["--listen", "127.0.0.1:0", *args],
                                        stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in self.process.stdout],
                         daemon=True).start()
        try:
            line = lines.get(timeout=START_SECONDS)
        except queue.Empty:
            line = ""
        if not line.startswith(LISTENING_PREFIX):
            self.stop()
            raise RuntimeError(f"markcap-server did not start within {START_SECONDS:.0f} s")
        self.address = line.removeprefix(LISTENING_PREFIX).strip()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        self._stderr.close()


def _batch(seq: int, rng: random.Random, fills: int) -> pb.StreamDeltasRequest:
    accounts = [rng.randrange(1, 10_000) for _ in range(fills)]
    return pb.StreamDeltasRequest(seq=seq, fills=pb.FillColumns(
        account_id=accounts, instrument_id=[8] * fills,
        qty=[rng.choice((-1, 1)) * rng.randint(1, 5) for _ in range(fills)],
        price=[nearest_price(3000.0 * rng.uniform(0.99, 1.01), ETH_TICK) for _ in range(fills)]))


def _lockstep(stub, requests: list[pb.StreamDeltasRequest]) -> list[float]:
    """Seconds from sending each batch to its ack, one batch in flight at a time."""
    acked = threading.Semaphore(0)
    sent: list[float] = []

    def one_at_a_time():
        for request in requests:
            sent.append(time.perf_counter())
            yield request
            acked.acquire()
    samples = []
    for response in stub.StreamDeltas(one_at_a_time(), timeout=600):
        samples.append(time.perf_counter() - sent[-1])
        acked.release()
    return samples


def end_to_end(workdir: Path, args: list[str], batches: int, marks: int, seed: int) -> dict:
    """Pipelined batches per second; lockstep batch and unary mark latencies (seconds)."""
    rng = random.Random(seed)
    server = Server(workdir, args)
    try:
        stub = pb_grpc.RiskEngineServiceStub(grpc.insecure_channel(server.address))
        requests = [_batch(seq, rng, 100) for seq in range(1, 2 * batches + 1)]
        started = time.perf_counter()
        for _ in stub.StreamDeltas(iter(requests[:batches]), timeout=600):
            pass
        rate = batches / (time.perf_counter() - started)
        batch_samples = _lockstep(stub, requests[batches:])
        mark_samples = []
        for seq in range(2 * batches + 1, 2 * batches + marks + 1):
            request = pb.ApplyMarkRequest(seq=seq, instrument_id=8,
                                          price=nearest_price(3000.0 * rng.uniform(0.995, 1.005),
                                                              ETH_TICK))
            begun = time.perf_counter()
            stub.ApplyMark(request, timeout=60)
            mark_samples.append(time.perf_counter() - begun)
    finally:
        server.stop()
    return {"rate": rate, "batch": batch_samples[batches // 10:], "mark": mark_samples[marks // 10:]}


def end_to_end_table(root: Path, batches: int, marks: int, rounds: int) -> None:
    print(f"\n2. markcap-server end to end, one producer, {rounds} rounds with the policies "
          f"interleaved; per round: {batches} delta batches of 100 fills pipelined on one "
          f"stream, {batches} more one at a time, then {marks} unary marks (NO_CAP instrument)")
    print(f"{'--fsync':16} {'pipelined batches/s':>20} {'batch ack p50 / p99':>22} "
          f"{'mark p50 / p99':>22}   (rates: median of rounds; latencies: all rounds)")
    policies = (*POLICIES, "in-memory")
    results = {policy: {"rate": [], "batch": [], "mark": []} for policy in policies}
    for round_number in range(rounds):
        for index, policy in enumerate(policies):
            args = ["--in-memory"] if policy == "in-memory" else \
                ["--data-dir", str(root / f"e2e-{round_number}-{index}"), "--fsync", policy]
            result = end_to_end(root, args, batches, marks, SEED + round_number)
            results[policy]["rate"].append(result["rate"])
            results[policy]["batch"] += result["batch"]
            results[policy]["mark"] += result["mark"]
    for policy, result in results.items():
        rate = float(np.median(result["rate"]))
        print(f"{policy:16} {rate:20.0f} {_cell(Summary.of(result['batch'])):>22} "
              f"{_cell(Summary.of(result['mark'])):>22}")


# ---- 3. snapshots and restarts -------------------------------------------------------

def _big_engine(accounts: int) -> Engine:
    engine = Engine(load_default())
    rng = np.random.default_rng(SEED)
    ids = np.arange(1, accounts + 1, dtype=np.uint64)
    engine.apply_deltas(0, FillBatch.of([]), TransferBatch(ids, np.ones(accounts, np.uint32),
                                                           np.round(rng.uniform(100, 10_000, accounts))))
    for instrument, price in ((7, 100.0), (8, 3000.0)):
        qty = rng.integers(1, 50, accounts // 2)
        batch = FillBatch(np.concatenate([ids[: accounts // 2], ids[accounts // 2:]]),
                          np.full(accounts, instrument, np.uint32),
                          np.concatenate([qty, -qty]).astype(np.int64),
                          np.full(accounts, price))
        engine.apply_deltas(0, batch, TransferBatch.of([]))
    return engine


def snapshot_table(root: Path, accounts: int, replayed: int) -> None:
    print(f"\n3. Snapshots and restarts, {accounts:,} accounts with 2 positions each")
    engine = _big_engine(accounts)
    directory = SnapshotDirectory(root / "snapshots")
    started = time.perf_counter()
    snapshot = export_state(engine)
    copied = time.perf_counter()
    path = directory.save(snapshot)
    written = time.perf_counter()
    loaded = directory.load_newest(FORMAT_VERSION)
    restored = import_state(loaded, 65536)
    imported = time.perf_counter()
    assert restored.status().state_hash == engine.status().state_hash
    print(f"copy under the writer's lock {duration((copied - started) * 1e6)}, write + fsync "
          f"{duration((written - copied) * 1e6)} ({path.stat().st_size / 1e6:.1f} MB), "
          f"load + import {duration((imported - written) * 1e6)}")
    store = open_store(root / "replay")
    store.journal.continue_at(1)
    rng = random.Random(SEED)
    for seq in range(1, replayed + 1):
        store.journal.append(JournalRecord(seq, RecordKind.DELTAS,
                                           _batch(seq, rng, 100).SerializeToString()))
    store.journal.sync()
    fresh = Engine(load_default())
    started = time.perf_counter()
    for record in store.journal.read(1, replayed):
        kind = of_record(record.kind)
        kind.apply(fresh, kind.request.FromString(record.request))
    elapsed = time.perf_counter() - started
    store.close()
    print(f"replay: {replayed} journaled batches of 100 fills in {elapsed:.2f} s "
          f"({replayed / elapsed:,.0f} inputs/s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.persistence", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (a smoke run)")
    parser.add_argument("--dir", type=Path, help="where to write (default: a temp dir)")
    args = parser.parse_args(argv)
    count, batches, marks, rounds, accounts, replayed = \
        (200, 200, 50, 1, 10_000, 200) if args.quick else (2_000, 1_000, 200, 3, 100_000, 2_000)
    root = Path(tempfile.mkdtemp(prefix="markcap-bench-persistence-", dir=args.dir))
    print(f"markcap persistence benchmark: python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, SQLite {sqlite3.sqlite_version}, dir {root} "
          f"(filesystem of {os.stat(root).st_dev:#x}), seed {SEED}, default fsync "
          f"{FsyncPolicy()}")
    store_table(root, count)
    end_to_end_table(root, batches, marks, rounds)
    snapshot_table(root, accounts, replayed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
