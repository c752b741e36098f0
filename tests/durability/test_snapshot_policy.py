"""The snapshot policy (service/snapshotter.py, work.py): a snapshot is due after F fills of
work journaled since the last one, whatever the number of inputs they came in, after N
inputs, and at once after a restart whose replay already passed a limit."""
from __future__ import annotations

import gc
import threading
import weakref

import pytest

from markcap.service import input_kinds
from markcap.service.recovery import seed_fingerprint
from markcap.service.snapshotter import Snapshotter
from markcap.service.work import MARK_WORK
from markcap.store import Store, memory_store
from markcap.v1 import risk_engine_pb2 as pb

from .harness import Node, exchange
from .workload import workload

WAIT_SECONDS = 30.0


def deltas(fills: int, transfers: int = 0) -> pb.StreamDeltasRequest:
    return pb.StreamDeltasRequest(
        fills=pb.FillColumns(account_id=[1] * fills, instrument_id=[7] * fills, qty=[1] * fills,
                             price=[100.0] * fills),
        transfers=pb.TransferColumns(account_id=[1] * transfers, currency_id=[1] * transfers,
                                     amount=[1.0] * transfers))


def policy(every_fills: int = 0, every_inputs: int = 0, positions: int = 0, **pending) -> Snapshotter:
    """A snapshotter whose thread is never started: only its trigger is exercised (no engine)."""
    return Snapshotter(None, None, memory_store(), "seed", every_inputs, 0, 65536,
                       on_fatal=lambda error: None, every_fills=every_fills,
                       positions=lambda: positions, **pending)


def journal(timer: Snapshotter, kind: input_kinds.InputKind, request, response=None) -> None:
    timer.note_journaled(1, kind, request, response)


def test_work_is_fills_and_transfers_marks_and_their_liquidations_and_currencies_every_position():
    liquidations = [pb.Liquidation(account_id=a) for a in (3, 4)]
    assert input_kinds.DELTAS.work(deltas(4096, 10), None, lambda: 0) == 4106
    mark = pb.ApplyMarkResponse(liquidations=liquidations, adl_fills=[pb.AdlFill()])
    assert input_kinds.MARK.work(pb.ApplyMarkRequest(), mark, lambda: 0) == MARK_WORK + 3
    marks = pb.ApplyMarksResponse(outcomes=[mark, pb.ApplyMarkResponse()])
    assert input_kinds.MARKS.work(pb.ApplyMarksRequest(), marks, lambda: 0) == 2 * MARK_WORK + 3
    assert input_kinds.CURRENCY.work(pb.UpsertCurrencyRequest(), None, lambda: 12_345) \
        == MARK_WORK + 12_345
    assert input_kinds.INSTRUMENT.work(pb.UpsertInstrumentRequest(), None, lambda: 9) == MARK_WORK


def test_a_snapshot_is_due_once_the_work_since_the_last_one_reaches_the_limit():
    timer = policy(every_fills=10_000)
    journal(timer, input_kinds.DELTAS, deltas(4096))
    journal(timer, input_kinds.DELTAS, deltas(4096))
    assert not timer.due and timer.work_since_last == 8192
    for _ in range(17):  # marks without liquidations: 1,700 fills of work
        journal(timer, input_kinds.MARK, pb.ApplyMarkRequest(), pb.ApplyMarkResponse())
    assert not timer.due
    journal(timer, input_kinds.DELTAS, deltas(100, 8))
    assert timer.due and timer.work_since_last == 10_000


def test_few_inputs_of_much_work_are_due_and_many_of_little_are_not():
    heavy = policy(every_fills=100_000, every_inputs=10_000, positions=150_000)
    journal(heavy, input_kinds.CURRENCY, pb.UpsertCurrencyRequest(), pb.UpsertCurrencyResponse())
    assert heavy.due  # one currency upsert re-keys every position on replay
    light = policy(every_fills=100_000, every_inputs=10_000)
    for _ in range(999):
        journal(light, input_kinds.DELTAS, deltas(1))
    assert not light.due


def test_the_input_count_trigger_still_works_alone_and_zero_turns_the_work_trigger_off():
    timer = policy(every_fills=0, every_inputs=3)
    journal(timer, input_kinds.DELTAS, deltas(1_000_000 // 100))
    journal(timer, input_kinds.DELTAS, deltas(1))
    assert not timer.due
    journal(timer, input_kinds.DELTAS, deltas(1))
    assert timer.due


@pytest.mark.timeout(60)
def test_a_restart_that_replayed_more_work_than_the_limit_snapshots_at_once():
    inputs, reference = workload(5, 80)
    store = memory_store()
    first = Node(store)
    first.send_all(inputs)
    restarted = Node(store)  # memory store: the same journal and snapshots, a new engine
    assert restarted.restored.replayed == 80 and restarted.restored.replayed_work > 0
    timer = Snapshotter(restarted.writer, restarted.engine, store, seed_fingerprint(exchange()),
                        0, 0, 65536, on_fatal=lambda error: None, pending=80, every_fills=1,
                        pending_work=restarted.restored.replayed_work)
    timer.start()
    done = threading.Event()
    for _ in range(int(WAIT_SECONDS / 0.01)):
        if timer.last_seq == 80:
            break
        done.wait(0.01)
    timer.stop(final=False)
    assert timer.last_seq == 80 and store.snapshots.seqs()[-1] == 80
    again = Node(store)
    assert again.restored.replayed == 0 and again.state_hash() == reference.hash_at[80]


class GatedSnapshots:
    """A snapshot store whose writes wait for `gate` (a slow disk)."""

    def __init__(self, inner, gate: threading.Event):
        self._inner, self._gate = inner, gate
        self.saving = threading.Event()

    def save(self, snapshot):
        self.saving.set()
        assert self._gate.wait(WAIT_SECONDS)
        return self._inner.save(snapshot)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _wait_for(condition) -> bool:
    for _ in range(int(WAIT_SECONDS / 0.01)):
        if condition():
            return True
        threading.Event().wait(0.01)
    return False


@pytest.mark.timeout(90)
def test_inputs_wait_for_a_slow_snapshot_once_twice_the_limit_lies_past_the_disk():
    """The input that reaches F copies the state (the thread writes it, slowly); inputs go on
    until 2F fills of work lie past the newest snapshot on disk, then the next waits for the
    write: a kill -9 at any moment replays at most 2F plus one input."""
    inputs, reference = workload(7, 200)
    memory = memory_store()
    gate = threading.Event()
    gate.set()  # the base snapshot of a new store is written at once
    store = Store(memory.journal, GatedSnapshots(memory.snapshots, gate), "memory")
    node = Node(store)
    gate.clear()
    store.snapshots.saving.clear()
    limit = 5 * MARK_WORK
    timer = Snapshotter(node.writer, node.engine, store, seed_fingerprint(exchange()), 0, 0,
                        65536, on_fatal=lambda error: None, every_fills=limit)
    node.on_journaled = timer.note_journaled
    timer.start()
    sent, failed = threading.Event(), []
    progress = []  # work counted after each input

    def produce():
        try:
            for item in inputs:
                node.send(item)
                progress.append(timer._work_total)
        except BaseException as error:  # noqa: BLE001 - reported by the test thread
            failed.append(error)
        sent.set()

    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    assert _wait_for(store.snapshots.saving.is_set)  # the copy made at F is being written
    assert _wait_for(lambda: timer.work_past_disk >= 2 * limit)
    stalled = len(progress)
    threading.Event().wait(0.3)
    assert len(progress) == stalled and not sent.is_set()  # the producer waits for the write
    past_disk = timer.work_past_disk
    gate.set()
    assert sent.wait(WAIT_SECONDS) and not failed, failed
    producer.join(WAIT_SECONDS)
    largest = max(b - a for a, b in zip([0] + progress, progress))
    assert 2 * limit <= past_disk < 2 * limit + largest
    assert timer.waited_seconds >= 0.3
    timer.stop(final=True)
    assert Node(store).state_hash() == reference.hash_at[len(inputs)]


class RecordingSnapshots:
    """A snapshot store that keeps a weak reference to each snapshot it was asked to save."""

    def __init__(self, inner):
        self._inner = inner
        self.saved: list = []

    def save(self, snapshot):
        self.saved.append(weakref.ref(snapshot))
        return self._inner.save(snapshot)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def test_the_snapshot_thread_keeps_no_copy_of_the_state_once_it_is_written():
    """A copy is the size of the state (112 MB at exchange-1M): held between snapshots it
    stayed in the server's RSS."""
    inputs, _ = workload(3, 60)
    memory = memory_store()
    store = Store(memory.journal, RecordingSnapshots(memory.snapshots), "memory")
    node = Node(store)
    timer = Snapshotter(node.writer, node.engine, store, seed_fingerprint(exchange()), 0, 0,
                        65536, on_fatal=lambda error: None, every_fills=5 * MARK_WORK)
    node.on_journaled = timer.note_journaled
    timer.start()
    try:
        node.send_all(inputs)
        assert _wait_for(lambda: len(store.snapshots.saved) >= 3 and not timer._writing)
        threading.Event().wait(0.1)  # the thread is back to waiting for the next copy
        gc.collect()
        assert [ref() for ref in store.snapshots.saved] == [None] * len(store.snapshots.saved)
    finally:
        timer.stop(final=False)
