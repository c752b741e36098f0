"""MarkcapClient against a real markcap server (in-process) on the default exchange."""
from __future__ import annotations

import grpc
import numpy as np
import pytest

from markcap.client import DeltaBatch, Fills, MarkcapClient, MarkcapError, Transfers
from markcap.v1 import risk_engine_pb2 as pb

BTC_PERP, ETH_PERP, USD = 7, 8, 1


@pytest.fixture
def client(in_process_server):
    with MarkcapClient(in_process_server.address, timeout=10.0) as markcap:
        yield markcap


def _book(client: MarkcapClient) -> None:
    """Account 1 short 10 @100 with 250 USD against account 2 long 10 @100 with 1000 USD."""
    acknowledgement = client.send_deltas(
        fills=Fills([1, 2], [BTC_PERP, BTC_PERP], [-10, 10], [100.0, 100.0]),
        transfers=Transfers([1, 2], [USD, USD], [250.0, 1000.0]))
    assert (acknowledgement.seq, acknowledgement.fill_count,
            acknowledgement.transfer_count, acknowledgement.duplicate) == (1, 2, 2, False)


def test_reference_data_of_the_default_exchange(client):
    instruments = {i.instrument_id: i for i in client.list_instruments().instruments}
    assert {i: instruments[i].symbol for i in instruments} == {
        7: "BTC-PERP", 8: "ETH-PERP", 9: "BTC-USD-INV"}
    assert instruments[9].kind == pb.CONTRACT_KIND_INVERSE
    assert instruments[8].cap_policy == pb.CAP_POLICY_NO_CAP
    currencies = {c.code: c for c in client.list_currencies().currencies}
    assert currencies["USD"].valuation and currencies["BTC"].price == 50000.0
    assert client.get_status().applied_seq == 0


def test_sent_deltas_show_in_the_account(client):
    _book(client)
    account = client.get_account(1).account
    [position] = account.positions
    assert (position.instrument_id, position.qty, position.entry_price) == (BTC_PERP, -10, 100.0)
    assert position.bankruptcy_price == pytest.approx(125.0)  # 250 + 1000 - 10p = 0
    assert [(b.currency_id, b.amount) for b in account.balances] == [(USD, 250.0)]
    assert account.equity == pytest.approx(250.0)


def test_streamed_numpy_batches_and_a_duplicate(client):
    def batch(seq: int, account: int) -> DeltaBatch:
        return DeltaBatch(seq=seq, fills=Fills(
            np.array([account, account + 1], dtype=np.uint64), np.full(2, ETH_PERP, np.uint32),
            np.array([3, -3], dtype=np.int64), np.array([3000.0, 3000.0])))

    acknowledgements = list(client.stream_deltas([batch(1, 10), batch(2, 20), batch(3, 30)]))
    assert [(a.seq, a.fill_count, a.duplicate) for a in acknowledgements] == [
        (1, 2, False), (2, 2, False), (3, 2, False)]
    again = client.send_deltas(fills=batch(2, 20).fills, seq=2)
    assert (again.seq, again.duplicate) == (2, True)
    assert client.get_status().applied_seq == 3
    assert client.get_account(21).account.positions[0].qty == -3


def test_a_rejected_batch_ends_the_stream_and_earlier_ones_stay(client):
    good = DeltaBatch(fills=Fills([1, 2], [BTC_PERP, BTC_PERP], [1, -1], [100.0, 100.0]))
    bad = DeltaBatch(fills=Fills([3, 4], [BTC_PERP, 4242], [1, -1], [100.0, 100.0]))
    acknowledged = []
    with pytest.raises(MarkcapError) as raised:
        for acknowledgement in client.stream_deltas([good, bad]):
            acknowledged.append(acknowledgement.seq)
    assert acknowledged == [1]
    assert raised.value.code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND)
    assert "4242" in raised.value.message
    assert client.get_status().applied_seq == 1


@pytest.mark.parametrize("call, code, mentioned", [
    (lambda c: c.get_account(999), grpc.StatusCode.NOT_FOUND, "999"),
    (lambda c: c.get_bankruptcy_band(4242), grpc.StatusCode.NOT_FOUND, "4242"),
    (lambda c: c.apply_mark(4242, 100.0), grpc.StatusCode.NOT_FOUND, "4242"),
    (lambda c: c.apply_mark(BTC_PERP, -5.0), grpc.StatusCode.INVALID_ARGUMENT, "-5"),
    (lambda c: c.apply_mark(BTC_PERP, 110.0, seq=7), grpc.StatusCode.FAILED_PRECONDITION,
     "expected seq 1"),
    (lambda c: c.get_adl_queue(BTC_PERP, 0), grpc.StatusCode.INVALID_ARGUMENT, "side"),
])
def test_errors_map_to_status_codes(client, call, code, mentioned):
    with pytest.raises(MarkcapError) as raised:
        call(client)
    assert raised.value.code == code
    assert mentioned in raised.value.message
    assert str(raised.value) == f"{code.name}: {raised.value.message}"
    assert client.get_status().applied_seq == 0


def test_a_dry_run_changes_nothing(client):
    _book(client)
    before = client.get_status()
    dry = client.apply_mark(BTC_PERP, 150.0, dry_run=True)
    assert (dry.dry_run, dry.seq, dry.applied_price, dry.capped) == (True, 0, 125.0, True)
    after = client.get_status()
    assert (after.applied_seq, after.state_hash) == (before.applied_seq, before.state_hash)
    assert client.get_account(1).account.positions[0].qty == -10


def test_a_repeated_mark_seq_returns_the_original_outcome(client):
    _book(client)
    first = client.apply_mark(BTC_PERP, 110.0, seq=2)
    again = client.apply_mark(BTC_PERP, 110.0, seq=2)
    assert again == first
    with pytest.raises(MarkcapError) as refused:  # the same seq with other content
        client.apply_mark(BTC_PERP, 999.0, seq=2)
    assert refused.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert "seq 2 was already applied as a mark update" in refused.value.message
    assert client.list_instruments().instruments[0].mark_price == 110.0


def test_watch_events_replays_marks_from_a_seq(client):
    _book(client)
    client.apply_mark(BTC_PERP, 110.0)
    client.upsert_currency(2, price=40000.0)
    events = client.watch_events(from_seq=1, timeout=10.0)
    first, second = next(events), next(events)
    events.close()
    assert (first.seq, first.mark.applied_price) == (2, 110.0)
    assert second.seq == 3 and second.HasField("currency")


def test_upserts_with_short_enum_names(client):
    created = client.upsert_instrument(
        11, symbol="SOL-PERP", kind="LINEAR", settlement_currency_id=USD, multiplier=1.0,
        tick_size=0.01, mark_price=20.0, cap_policy="NO_CAP", adl_allocation="QUEUE", seq=1)
    assert created.seq == 1
    assert created.instrument.cap_policy == pb.CAP_POLICY_NO_CAP
    assert created.instrument.adl_allocation == pb.ADL_ALLOCATION_QUEUE
    assert created.instrument.adl_ranking == pb.ADL_RANKING_PNL
    assert created.instrument.tick_size == 0.01
    client.upsert_currency(3, code="ETH", price=3000.0, decimals=8)
    assert {c.code for c in client.list_currencies().currencies} == {"USD", "BTC", "ETH"}


def test_adl_queue_and_fund(client):
    _book(client)
    queue = client.get_adl_queue(BTC_PERP, "LONG", limit=5)
    assert [(e.account_id, e.qty, e.rank) for e in queue.entries] == [(2, 10, 1)]
    fund = client.get_insurance_fund()
    assert (fund.account.account_id, fund.floor, fund.deficit) == (0, 0.0, 0.0)


def test_over_a_unix_socket(start_in_process_server):
    running = start_in_process_server(unix_socket=True)
    assert running.address.startswith("unix:")
    with MarkcapClient(running.address) as client:
        assert client.get_status().instrument_count == 3
