"""The event log and the single writer, without a server."""
from __future__ import annotations

import threading

import pytest

from markcap.engine import (CapPolicy, Currency, Engine, ExchangeConfig,
                            FillBatch, Instrument, ContractKind, PreconditionFailed, TransferBatch)
from markcap.service.events import EventLog
from markcap.service.writer import SerializedEngine
from markcap.v1 import risk_engine_pb2 as pb

THREAD_SECONDS = 10


def event(seq: int) -> pb.WatchEventsResponse:
    return pb.WatchEventsResponse(seq=seq, currency=pb.UpsertCurrencyResponse(seq=seq))


def never() -> bool:
    return False


def test_a_full_log_drops_the_oldest_and_refuses_to_start_before_it():
    log = EventLog(capacity=2)
    for seq in (3, 5, 8):
        log.append(event(seq))
    log.close()
    assert [e.seq for e in log.follow(6, never)] == [8]
    assert [e.seq for e in log.follow(4, never)] == [5, 8]  # 4 was never an event
    with pytest.raises(PreconditionFailed, match="oldest retained event has seq 5"):
        log.follow(3, never)


def test_follow_waits_for_live_events_and_ends_on_close():
    log = EventLog(capacity=10)
    log.append(event(1))
    seen = []
    reader = threading.Thread(target=lambda: seen.extend(e.seq for e in log.follow(1, never)))
    reader.start()
    log.append(event(2))
    log.close()
    reader.join(THREAD_SECONDS)
    assert not reader.is_alive()
    assert seen == [1, 2]


def test_follow_ends_when_the_reader_is_stopped():
    log = EventLog(capacity=10)
    stop = threading.Event()
    seen = []
    reader = threading.Thread(target=lambda: seen.extend(e.seq for e in log.follow(0, stop.is_set)))
    reader.start()
    stop.set()
    log.wake()
    reader.join(THREAD_SECONDS)
    assert not reader.is_alive() and seen == []


def test_a_reader_that_falls_behind_the_log_is_told_so():
    log = EventLog(capacity=2)
    log.append(event(1))
    events = log.follow(1, never)
    assert next(events).seq == 1
    for seq in (2, 3, 4):
        log.append(event(seq))
    with pytest.raises(PreconditionFailed, match="fell behind"):
        next(events)


def _engine() -> Engine:
    return Engine(ExchangeConfig(
        currencies=(Currency(1, "USD", 1.0, True, decimals=2), Currency(2, "BTC", 50000.0, decimals=8)),
        instruments=(Instrument(8, "ETH-PERP", ContractKind.LINEAR, 1, 1.0, 3000.0,
                                CapPolicy.NO_CAP, tick_size=0.01),)))


def test_writer_serialises_concurrent_inputs():
    writer = SerializedEngine(_engine())
    transfer = TransferBatch.of([(5, 1, 1.0)])

    def deposit_many():
        for _ in range(200):
            with writer.exclusive() as engine:
                engine.apply_deltas(0, FillBatch.of([]), transfer)

    threads = [threading.Thread(target=deposit_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_SECONDS)
    assert writer.read(lambda engine: engine.applied_seq) == 800
    assert writer.read(lambda engine: engine.account(5).balances) == ((1, 800.0),)
