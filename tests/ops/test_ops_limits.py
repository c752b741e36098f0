"""Limits (issue 6 item 5, issue 12 item 5): message size, batch length and open
streams (StreamDeltas and WatchEvents each with their own) are configurable, and
going over one gets RESOURCE_EXHAUSTED naming it; a slow WatchEvents consumer
cannot stall the engine, is cut off with a clear status, and resumes from its
last seq. In-process servers (tests/in_process.py: the same flags through main's
parser and wiring), but for the metrics one."""
from __future__ import annotations

import threading
import time
import urllib.request

import grpc
import pytest
from google.rpc import error_details_pb2
from prometheus_client.parser import text_string_to_metric_families
from grpc_status import rpc_status

from markcap.engine import LimitExceeded
from markcap.service.events import EventLog
from markcap.v1 import risk_engine_pb2 as pb, risk_engine_pb2_grpc as pb_grpc

PERP, ETH, USD = 7, 8, 1
RPC_SECONDS = 10


def _error_info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo:
    status = rpc_status.from_call(error)
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    raise AssertionError(f"no ErrorInfo in {status}")


def _assert_limit(error: grpc.RpcError, name: str, flag: str, limit: int, got: int) -> None:
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, error
    assert name in error.details() and flag in error.details()
    info = _error_info(error)
    assert (info.reason, info.metadata["limit_name"]) == ("LIMIT_EXCEEDED", name)
    assert (info.metadata["limit"], info.metadata["got"]) == (str(limit), str(got))


def _batch(fill_pairs: int, transfers: int, seq: int = 0) -> pb.StreamDeltasRequest:
    """`fill_pairs` zero-sum pairs between accounts 1 and 2, and `transfers` deposits."""
    fills = pb.FillColumns(account_id=[1, 2] * fill_pairs, instrument_id=[PERP] * 2 * fill_pairs,
                           qty=[1, -1] * fill_pairs, price=[100.0] * 2 * fill_pairs)
    deposits = pb.TransferColumns(account_id=[1] * transfers, currency_id=[USD] * transfers,
                                  amount=[10.0] * transfers)
    return pb.StreamDeltasRequest(seq=seq, fills=fills, transfers=deposits)


def _stub(running) -> pb_grpc.RiskEngineServiceStub:
    return pb_grpc.RiskEngineServiceStub(grpc.insecure_channel(running.address))


def _applied_seq(stub) -> int:
    return stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS).applied_seq


def test_a_batch_over_max_batch_length_is_refused_whole(start_in_process_server):
    stub = _stub(start_in_process_server(extra_args=("--max-batch-length", "6")))
    acks = list(stub.StreamDeltas(iter([_batch(2, 2)]), timeout=RPC_SECONDS))  # 4 + 2 = 6
    assert [(a.seq, a.fill_count, a.transfer_count) for a in acks] == [(1, 4, 2)]
    with pytest.raises(grpc.RpcError) as refused:
        list(stub.StreamDeltas(iter([_batch(2, 3, seq=2)]), timeout=RPC_SECONDS))  # 7
    _assert_limit(refused.value, "max_batch_length", "--max-batch-length", 6, 7)
    assert "batch seq 2" in refused.value.details()
    assert _applied_seq(stub) == 1
    account = stub.GetAccount(pb.GetAccountRequest(account_id=1), timeout=RPC_SECONDS).account
    assert [(b.currency_id, b.amount) for b in account.balances] == [(USD, 20.0)]


def test_a_message_over_max_message_bytes_is_refused_naming_the_limit(start_in_process_server):
    stub = _stub(start_in_process_server(extra_args=("--max-message-bytes", "2000")))
    small, large = _batch(10, 0), _batch(100, 0)
    assert small.ByteSize() < 2000 < large.ByteSize()
    assert len(list(stub.StreamDeltas(iter([small]), timeout=RPC_SECONDS))) == 1
    with pytest.raises(grpc.RpcError) as refused:
        list(stub.StreamDeltas(iter([large]), timeout=RPC_SECONDS))
    _assert_limit(refused.value, "max_message_bytes", "--max-message-bytes", 2000,
                  large.ByteSize())
    long_symbol = pb.UpsertInstrumentRequest(instrument=pb.Instrument(
        instrument_id=99, symbol="X" * 3000))
    with pytest.raises(grpc.RpcError) as refused:
        stub.UpsertInstrument(long_symbol, timeout=RPC_SECONDS)
    _assert_limit(refused.value, "max_message_bytes", "--max-message-bytes", 2000,
                  long_symbol.ByteSize())
    assert _applied_seq(stub) == 1
    stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=PERP, price=101.0), timeout=RPC_SECONDS)
    assert _applied_seq(stub) == 2


def test_far_over_max_message_bytes_grpc_itself_refuses(start_in_process_server):
    stub = _stub(start_in_process_server(extra_args=("--max-message-bytes", "2000")))
    huge = pb.UpsertInstrumentRequest(instrument=pb.Instrument(instrument_id=99,
                                                               symbol="X" * (2 << 20)))
    with pytest.raises(grpc.RpcError) as refused:
        stub.UpsertInstrument(huge, timeout=RPC_SECONDS)
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def _watch(stub, from_seq: int = 0):
    call = stub.WatchEvents(pb.WatchEventsRequest(from_seq=from_seq), timeout=30)
    call.initial_metadata()  # subscribed
    return call


def _refused_watch(stub) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as refused:
        next(stub.WatchEvents(pb.WatchEventsRequest(), timeout=10))
    return refused.value


def _deltas(stub, seq: int = 0) -> list:
    return list(stub.StreamDeltas(iter([_batch(1, 0, seq)]), timeout=10))


def test_the_producer_finds_a_stream_slot_with_40_watchers_open(start_in_process_server):
    """Issue 12's row: 40 WatchEvents calls used to take every slot StreamDeltas needed."""
    stub = _stub(start_in_process_server())
    watchers, refused = [], []
    for _ in range(40):
        call = _watch(stub)  # subscribed, or refused (the call is then over)
        (refused if call.done() else watchers).append(call)
    assert [a.seq for a in _deltas(stub)] == [1]  # the producer is served
    assert len(watchers) == 32 and len(refused) == 8  # --max-watch-streams' default
    _assert_limit(refused[0], "max_watch_streams", "--max-watch-streams", 32, 33)
    for watcher in watchers:
        watcher.cancel()


def test_delta_and_watch_streams_have_separate_limits(ops_servers):
    running = ops_servers.start("--listen", "127.0.0.1:0", "--max-watch-streams", "2",
                                "--max-delta-streams", "1", "--metrics-listen", "127.0.0.1:0",
                                metrics=True)
    stub = _stub(running)
    first, second = _watch(stub), _watch(stub)
    _assert_limit(_refused_watch(stub), "max_watch_streams", "--max-watch-streams", 2, 3)
    release = threading.Event()

    def one_then_wait():
        yield _batch(1, 0)
        release.wait(10)
    open_producer = stub.StreamDeltas(one_then_wait(), timeout=20)
    assert next(open_producer).seq == 1  # watchers at their limit: the producer still gets in
    with pytest.raises(grpc.RpcError) as refused:
        _deltas(stub)
    _assert_limit(refused.value, "max_delta_streams", "--max-delta-streams", 1, 2)
    assert _applied_seq(stub) == 1  # unary calls are not streams: still served
    assert _open_streams(running.metrics_url) == (1, 2)
    release.set()
    list(open_producer)
    first.cancel()
    deadline = time.monotonic() + 10
    while True:  # a slot frees once its handler has ended
        try:
            acks, watcher = _deltas(stub), _watch(stub)
            break
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert time.monotonic() < deadline, "an ended stream's slot was never freed"
            time.sleep(0.2)
    assert [a.seq for a in acks] == [2]
    watcher.cancel()
    second.cancel()
    deadline = time.monotonic() + 10
    while _open_streams(running.metrics_url) != (0, 0):  # the gauges follow the slots
        assert time.monotonic() < deadline, _open_streams(running.metrics_url)
        time.sleep(0.1)


def _open_streams(metrics_url: str) -> tuple[float, float]:
    """(markcap_delta_streams_open, markcap_watch_streams_open) from one scrape."""
    with urllib.request.urlopen(metrics_url, timeout=RPC_SECONDS) as response:
        text = response.read().decode()
    samples = {sample.name: sample.value for family in text_string_to_metric_families(text)
               for sample in family.samples}
    return samples["markcap_delta_streams_open"], samples["markcap_watch_streams_open"]


def test_a_slow_watcher_is_cut_off_and_resumes_where_it_stopped(start_in_process_server):
    running = start_in_process_server(extra_args=("--max-watch-backlog", "5"))
    # A tiny HTTP/2 window, so the server cannot push more than a few events ahead of
    # what the client reads: the watcher is really slow.
    slow_channel = grpc.insecure_channel(running.address, options=[
        ("grpc.http2.lookahead_bytes", 1024), ("grpc.http2.bdp_probe", 0)])
    watcher = pb_grpc.RiskEngineServiceStub(slow_channel)
    stub = _stub(running)
    events = _watch(watcher)
    marks = 200
    for number in range(marks):  # the engine carries on while the watcher reads nothing
        stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=ETH, price=3000.0 + number + 1),
                       timeout=RPC_SECONDS)
    assert _applied_seq(stub) == marks
    received = []
    with pytest.raises(grpc.RpcError) as cut_off:
        for event in events:
            received.append(event.seq)
    error = cut_off.value
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "max_watch_backlog 5" in error.details() and "--max-watch-backlog" in error.details()
    resume_seq = received[-1] + 1
    assert f"resume with from_seq {resume_seq}" in error.details()
    assert received == list(range(1, resume_seq)) and resume_seq <= marks
    resumed = _watch(watcher, from_seq=resume_seq)
    received += [next(resumed).seq for _ in range(resume_seq, marks + 1)]
    resumed.cancel()
    assert received == list(range(1, marks + 1))
    slow_channel.close()


# ---- the event log's bound, in-process ---------------------------------------------

def _event(seq: int) -> pb.WatchEventsResponse:
    return pb.WatchEventsResponse(seq=seq, mark=pb.ApplyMarkResponse(seq=seq))


def test_a_reader_that_falls_behind_after_catching_up_is_cut_off():
    log = EventLog(100, max_backlog=3)
    reader = log.follow(0, stopped=lambda: False)
    log.append(_event(1))
    assert next(reader).seq == 1
    for seq in range(2, 6):  # 4 unread: over the bound of 3
        log.append(_event(seq))
    with pytest.raises(LimitExceeded) as cut_off:
        next(reader)
    assert (cut_off.value.limit_name, cut_off.value.limit, cut_off.value.got) == (
        "max_watch_backlog", 3, 4)
    assert "resume with from_seq 2" in str(cut_off.value)


def test_a_reader_within_the_bound_is_not_cut_off():
    log = EventLog(100, max_backlog=3)
    reader = log.follow(0, stopped=lambda: False)
    for seq in range(1, 4):
        log.append(_event(seq))
    assert [next(reader).seq for _ in range(3)] == [1, 2, 3]


def test_replaying_history_is_not_being_slow():
    log = EventLog(100, max_backlog=3)
    for seq in range(1, 21):
        log.append(_event(seq))
    reader = log.follow(1, stopped=lambda: False)
    assert [next(reader).seq for _ in range(20)] == list(range(1, 21))


def _ladder(stub) -> None:
    """Shorts 1..4 of 10 PERP at 100 with 50*k USD each: bankrupt at 105, 110, 115, 120."""
    deposits = pb.TransferColumns(account_id=[0, 9] + [1, 2, 3, 4], currency_id=[USD] * 6,
                                  amount=[1e6, 1e6] + [50.0 * k for k in range(1, 5)])
    fills = pb.FillColumns(account_id=[9, 1, 9, 2, 9, 3, 9, 4], instrument_id=[PERP] * 8,
                           qty=[10, -10] * 4, price=[100.0] * 8)
    list(stub.StreamDeltas(iter([pb.StreamDeltasRequest(transfers=deposits, fills=fills)]),
                           timeout=RPC_SECONDS))


def test_max_sweep_steps_bounds_a_sweep_that_asks_for_more(start_in_process_server):
    stub = _stub(start_in_process_server(extra_args=("--max-sweep-steps", "2")))
    _ladder(stub)
    response = stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=PERP, price=200.0, sweep=True, max_steps=50),
                              timeout=RPC_SECONDS)
    assert [s.applied_price for s in response.steps] == [105.0, 110.0]
    assert response.sweep_stop_reason == pb.SWEEP_STOP_REASON_MAX_STEPS


def test_a_sweep_over_max_mark_items_is_refused_whole(start_in_process_server):
    stub = _stub(start_in_process_server(extra_args=("--max-mark-items", "5")))
    _ladder(stub)
    seq = _applied_seq(stub)
    with pytest.raises(grpc.RpcError) as raised:  # 4 takeovers + 5 steps
        stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=PERP, price=200.0, sweep=True), timeout=RPC_SECONDS)
    _assert_limit(raised.value, "max_mark_items", "--max-mark-items", 5, 6)
    assert _applied_seq(stub) == seq  # nothing applied, no seq used
    ok = stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=PERP, price=200.0, sweep=True, max_steps=2),
                        timeout=RPC_SECONDS)
    assert len(ok.steps) == 2 and len(ok.liquidations) == 2


def test_the_old_shared_stream_limit_is_refused_naming_what_replaced_it(capsys):
    from markcap.service.main import parse_args
    with pytest.raises(SystemExit) as exited:
        parse_args(["--in-memory", "--max-concurrent-streams", "32"])
    assert exited.value.code == 2
    assert "--max-delta-streams" in capsys.readouterr().err
