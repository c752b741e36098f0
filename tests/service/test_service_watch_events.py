"""WatchEvents (SPEC 6): applied ApplyMark and UpsertCurrency outcomes from a seq
on, then live; the same bytes ApplyMark answered; nothing for dry runs,
duplicates, deltas or instrument upserts; streams end with OK when the process
stops on SIGTERM. In-process servers, but for that last test."""
from __future__ import annotations

import signal

import grpc
import pytest

from markcap.v1 import risk_engine_pb2 as pb

ETH, BTC, PERP = 8, 2, 7
RPC_SECONDS = 10
EXIT_SECONDS = 20
SMALL_LOG_CONFIG = """
retained_outcomes = 2

[[currencies]]
currency_id = 1
code = "USD"
decimals = 2
valuation = true

[[instruments]]
instrument_id = 8
symbol = "ETH-PERP"
kind = "LINEAR"
settlement_currency_id = 1
multiplier = 1.0
tick_size = 0.01
mark_price = 3000.0
"""


def mark(stub, price: float, **fields) -> pb.ApplyMarkResponse:
    return stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=ETH, price=price, **fields),
                          timeout=RPC_SECONDS)


def btc_price(stub, price: float) -> pb.UpsertCurrencyResponse:
    return stub.UpsertCurrency(pb.UpsertCurrencyRequest(
        currency=pb.Currency(currency_id=BTC, price=price)), timeout=RPC_SECONDS)


def watch(stub, from_seq: int):
    """Opens the stream and waits until the server has subscribed it."""
    call = stub.WatchEvents(pb.WatchEventsRequest(from_seq=from_seq), timeout=RPC_SECONDS)
    call.initial_metadata()
    return call


def test_replays_retained_events_from_seq_then_follows_live_ones(in_process_server):
    stub = in_process_server.stub()
    first = mark(stub, 3100.0)                                  # seq 1
    list(stub.StreamDeltas(iter([pb.StreamDeltasRequest()])))  # seq 2: not an event
    currency = btc_price(stub, 51000.0)                         # seq 3
    stub.UpsertInstrument(pb.UpsertInstrumentRequest(           # seq 4: not an event
        instrument=pb.Instrument(instrument_id=ETH, symbol="ETH-2")))
    events = watch(stub, from_seq=1)
    assert next(events).SerializeToString() == pb.WatchEventsResponse(
        seq=1, mark=first).SerializeToString()
    assert next(events) == pb.WatchEventsResponse(seq=3, currency=currency)
    mark(stub, 3300.0, dry_run=True)                            # not logged
    mark(stub, 3100.0, seq=1)                                   # duplicate: not logged
    live = mark(stub, 3200.0)                                   # seq 5
    assert live.seq == 5
    assert next(events) == pb.WatchEventsResponse(seq=5, mark=live)
    events.cancel()


def test_from_seq_skips_earlier_events(in_process_server):
    stub = in_process_server.stub()
    mark(stub, 3100.0)
    second = mark(stub, 3050.0)
    events = watch(stub, from_seq=2)
    assert next(events) == pb.WatchEventsResponse(seq=2, mark=second)
    later = btc_price(stub, 49000.0)
    assert next(events) == pb.WatchEventsResponse(seq=3, currency=later)
    events.cancel()


def test_from_seq_0_gives_only_new_events(in_process_server):
    stub = in_process_server.stub()
    mark(stub, 3100.0)
    events = watch(stub, from_seq=0)
    live = mark(stub, 3150.0)
    assert next(events) == pb.WatchEventsResponse(seq=2, mark=live)
    events.cancel()


def test_future_from_seq_waits_for_that_seq(in_process_server):
    stub = in_process_server.stub()
    events = watch(stub, from_seq=2)
    mark(stub, 3100.0)
    wanted = mark(stub, 3200.0)
    assert next(events) == pb.WatchEventsResponse(seq=2, mark=wanted)
    events.cancel()


def test_from_seq_older_than_retained_is_failed_precondition(start_in_process_server):
    stub = start_in_process_server(config_text=SMALL_LOG_CONFIG).stub()
    for price in (3100.0, 3200.0, 3300.0):
        mark(stub, price)
    with pytest.raises(grpc.RpcError) as raised:
        next(stub.WatchEvents(pb.WatchEventsRequest(from_seq=1), timeout=RPC_SECONDS))
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "from_seq 1" in raised.value.details()
    assert "oldest retained event has seq 2" in raised.value.details()
    retained = watch(stub, from_seq=2)
    assert [next(retained).seq, next(retained).seq] == [2, 3]
    retained.cancel()


def test_sigterm_ends_watch_streams_and_the_server_exits_0(server):
    stub = server.stub()
    first = mark(stub, 3100.0)
    events = watch(stub, from_seq=1)
    assert next(events).mark == first
    server.process.send_signal(signal.SIGTERM)
    assert list(events) == []  # ends with OK status, no error
    assert events.code() == grpc.StatusCode.OK
    assert server.process.wait(timeout=EXIT_SECONDS) == 0
