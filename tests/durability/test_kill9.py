"""(a) kill -9 at random points while a producer streams batches and marks: after
each restart on the same data dir, GetStatus.applied_seq is at least the last
acknowledged seq, the state hash is the uninterrupted run's at that seq, the
producer resumes from there, and the end state, every answer and every
WatchEvents event equal those of the uninterrupted run.

Seeded: MARKCAP_DURABILITY_SEED picks the inputs, kill points and fsync
policies; MARKCAP_DURABILITY_KILLS (default 20) the number of kills. `make
soak-durability` runs many more.
"""
from __future__ import annotations

import os
import random
import signal
import threading

import pytest

from markcap.service.inputs import serialize
from markcap.store import RecordKind
from markcap.v1 import risk_engine_pb2 as pb

from .producer import Producer
from .workload import workload

KILLS = int(os.environ.get("MARKCAP_DURABILITY_KILLS", "20"))
SEED = int(os.environ.get("MARKCAP_DURABILITY_SEED", "20261121"))
INPUTS_PER_KILL = 120
POLICIES = ("every-input", "grouped", "interval:5")
SNAPSHOT_EVERY_INPUTS = 40  # often, so that kills also land while a snapshot is written
SNAPSHOT_EVERY_FILLS = 400  # the work trigger too (a mark counts 100), with its back-pressure
RPC_SECONDS = 10
EXIT_SECONDS = 20


def start(start_server, data_dir, policy: str):
    return start_server(extra_args=("--data-dir", str(data_dir), "--fsync", policy,
                                    "--snapshot-every-inputs", str(SNAPSHOT_EVERY_INPUTS),
                                    "--snapshot-every-fills", str(SNAPSHOT_EVERY_FILLS)))


def status(server) -> pb.GetStatusResponse:
    return server.stub().GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS)


def check_duplicates(server, inputs, reference, applied_seq: int) -> None:
    """Re-sent inputs at or below applied_seq get their original answers."""
    stub = server.stub()
    marks = [item for item in inputs[:applied_seq] if item.kind is RecordKind.MARK]
    if marks:
        again = stub.ApplyMark(marks[-1].request, timeout=RPC_SECONDS)
        assert serialize(again) == reference.responses[marks[-1].seq]
    batches = [item for item in inputs[:applied_seq] if item.kind is RecordKind.DELTAS]
    acks = list(stub.StreamDeltas(iter([batches[-1].request]), timeout=RPC_SECONDS))
    assert [(a.seq, a.duplicate) for a in acks] == [(batches[-1].seq, True)]


class Killer:
    """SIGKILLs the server `delay` seconds after the `budget`-th acknowledgement."""

    def __init__(self, pid: int, budget: int, delay: float):
        self._pid, self._budget, self._delay = pid, budget, delay
        self._acks = 0
        self.timer: threading.Timer | None = None

    def on_ack(self, seq: int) -> None:
        self._acks += 1
        if self._acks == self._budget:
            self.timer = threading.Timer(self._delay, os.kill, (self._pid, signal.SIGKILL))
            self.timer.start()


def collect_events(server, count: int) -> list[bytes]:
    stream = server.stub().WatchEvents(pb.WatchEventsRequest(from_seq=1), timeout=60)
    events = [serialize(next(stream)) for _ in range(count)]
    stream.cancel()
    return events


@pytest.mark.timeout(max(600, 30 * KILLS))  # CI's 20 kills: 30-50 s on 2 busy cores
def test_kill_9_at_random_points_loses_no_acknowledged_input(start_server, tmp_path):
    count = INPUTS_PER_KILL * (KILLS + 1)
    inputs, reference = workload(SEED, count)
    rng = random.Random(SEED)
    data_dir = tmp_path / "data"
    server = start(start_server, data_dir, rng.choice(POLICIES))
    next_seq, kills, from_snapshots = 1, 0, 0
    while True:
        killer = Killer(server.pid, rng.randint(1, INPUTS_PER_KILL), rng.uniform(0, 0.004)) \
            if kills < KILLS else None
        producer = Producer(server.stub(), inputs, reference,
                            killer.on_ack if killer else lambda seq: None)
        finished = producer.send_from(next_seq)
        if killer is None or killer.timer is None:
            assert finished, "the server failed without being killed:\n" + server.stderr_text()
            break
        killer.timer.join()
        assert server.process.wait(timeout=EXIT_SECONDS) == -signal.SIGKILL
        kills += 1
        server = start(start_server, data_dir, rng.choice(POLICIES))
        restored = status(server)
        assert restored.applied_seq >= producer.acknowledged, "an acknowledged input was lost"
        assert restored.state_hash == reference.hash_at[restored.applied_seq]
        from_snapshots += "then 0 journaled" not in server.stderr_text() and \
            "snapshot at seq 0," not in server.stderr_text()
        check_duplicates(server, inputs, reference, restored.applied_seq)
        next_seq = restored.applied_seq + 1
    final = status(server)
    assert (final.applied_seq, final.state_hash) == (count, reference.hash_at[count])
    assert kills == KILLS and from_snapshots > 0
    assert collect_events(server, len(reference.events)) == reference.events
    assert server.stop() == 0  # SIGTERM: the last snapshot, at the last seq
    assert (data_dir / "snapshots" / f"{count:020d}.snapshot").exists()
    server = start(start_server, data_dir, "every-input")
    assert status(server).state_hash == reference.hash_at[count]
    assert f"snapshot at seq {count}, then 0 journaled input(s) replayed" in server.stderr_text()
