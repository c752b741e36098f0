"""Retry policy: only UNAVAILABLE, only calls that cannot apply anything twice."""
from __future__ import annotations

import time

import grpc
import pytest

from markcap.client import DeltaBatch, Fills, MarkcapClient, MarkcapError, RetryPolicy

FAST = RetryPolicy(attempts=3, initial_backoff=0.01, multiplier=2.0)
FILLS = Fills([1], [7], [2], [100.0])


@pytest.fixture
def counted(nobody_listening, counting_interceptor):
    """A client whose every attempt is counted, against a target nobody listens on."""
    counter = counting_interceptor
    channel = grpc.intercept_channel(grpc.insecure_channel(nobody_listening), counter)
    with MarkcapClient(nobody_listening, channel=channel, retry=FAST, timeout=5.0) as client:
        yield client, counter.methods
    channel.close()


def _unavailable(call) -> MarkcapError:
    with pytest.raises(MarkcapError) as raised:
        call()
    assert raised.value.code == grpc.StatusCode.UNAVAILABLE
    return raised.value


@pytest.mark.parametrize("query", [
    lambda c: c.get_status(), lambda c: c.list_instruments(), lambda c: c.list_currencies(),
    lambda c: c.get_account(1), lambda c: c.get_insurance_fund(),
    lambda c: c.get_bankruptcy_band(7), lambda c: c.get_adl_queue(7, "LONG"),
])
def test_queries_retry_then_raise_unavailable(counted, query):
    client, attempts = counted
    _unavailable(lambda: query(client))
    assert len(attempts) == FAST.attempts


@pytest.mark.parametrize("unsequenced_input", [
    lambda c: c.apply_mark(7, 120.0),
    lambda c: c.upsert_currency(2, price=40000.0),
    lambda c: c.upsert_instrument(7, symbol="BTC-PERP2"),
    lambda c: c.send_deltas(fills=FILLS),
])
def test_inputs_with_seq_zero_are_never_retried(counted, unsequenced_input):
    client, attempts = counted
    _unavailable(lambda: unsequenced_input(client))
    assert len(attempts) == 1


@pytest.mark.parametrize("sequenced_input", [
    lambda c: c.apply_mark(7, 120.0, seq=5),
    lambda c: c.upsert_currency(2, price=40000.0, seq=5),
    lambda c: c.upsert_instrument(7, symbol="BTC-PERP2", seq=5),
    lambda c: c.send_deltas(fills=FILLS, seq=5),
    lambda c: c.apply_mark(7, 120.0, dry_run=True),
])
def test_inputs_with_explicit_seq_or_dry_run_are_retried(counted, sequenced_input):
    client, attempts = counted
    _unavailable(lambda: sequenced_input(client))
    assert len(attempts) == FAST.attempts


def test_a_delta_stream_is_not_retried(counted):
    client, attempts = counted
    _unavailable(lambda: list(client.stream_deltas([DeltaBatch(seq=3, fills=FILLS)])))
    assert attempts == ["StreamDeltas"]


def test_retries_stop_at_the_call_deadline(nobody_listening, counting_interceptor):
    counter = counting_interceptor
    channel = grpc.intercept_channel(grpc.insecure_channel(nobody_listening), counter)
    patient = RetryPolicy(attempts=1000, initial_backoff=0.05, multiplier=1.0)
    client = MarkcapClient(channel=channel, retry=patient)
    started = time.monotonic()
    _unavailable(lambda: client.get_status(timeout=0.4))
    assert time.monotonic() - started < 2.0
    assert 2 <= len(counter.methods) < 20
    channel.close()


def test_own_channel_to_nobody_raises_unavailable(nobody_listening):
    with MarkcapClient(nobody_listening, retry=FAST) as client:
        error = _unavailable(client.get_status)
    assert str(error).startswith("UNAVAILABLE: ")


def test_a_query_succeeds_after_an_outage(scripted_server):
    servicer, target = scripted_server
    servicer.unavailable_left = 2
    with MarkcapClient(target, retry=FAST) as client:
        assert client.get_status().applied_seq == 41
    assert servicer.calls == ["GetStatus"] * 3


def test_a_sequenced_mark_succeeds_after_an_outage(scripted_server):
    servicer, target = scripted_server
    servicer.unavailable_left = 1
    with MarkcapClient(target, retry=FAST) as client:
        assert client.apply_mark(7, 120.0, seq=9).seq == 9
    assert servicer.calls == ["ApplyMark"] * 2


def test_an_unsequenced_mark_is_not_repeated_by_the_server(scripted_server):
    servicer, target = scripted_server
    servicer.unavailable_left = 1
    with MarkcapClient(target, retry=FAST) as client:
        _unavailable(lambda: client.apply_mark(7, 120.0))
    assert servicer.calls == ["ApplyMark"]


def test_a_sequenced_batch_is_resent_after_an_outage(scripted_server):
    servicer, target = scripted_server
    servicer.unavailable_left = 1
    with MarkcapClient(target, retry=FAST) as client:
        acknowledgement = client.send_deltas(fills=FILLS, seq=4)
    assert (acknowledgement.seq, acknowledgement.fill_count) == (4, 1)
    assert servicer.calls == ["StreamDeltas"] * 2


def test_other_errors_are_not_retried(scripted_server):
    servicer, target = scripted_server
    with MarkcapClient(target, retry=FAST) as client:
        with pytest.raises(MarkcapError) as raised:
            client.get_account(13)
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert servicer.calls == ["GetAccount"]


def test_backoff_grows_and_is_bounded():
    policy = RetryPolicy(initial_backoff=0.1, multiplier=2.0, max_backoff=0.3)
    assert [policy.backoff(n) for n in (1, 2, 3, 4)] == [0.1, 0.2, 0.3, 0.3]
