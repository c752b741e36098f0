"""Malformed request messages (issue 12 item 2): bytes that do not parse as the
method's request get INVALID_ARGUMENT naming the method, never INTERNAL; nothing is
applied; the log gets one line per method per second, not a traceback per call.

The fuzz here sends a few thousand messages (tests/service/fuzz_requests.py);
`make fuzz` sends 100,000 (MARKCAP_FUZZ_MESSAGES, MARKCAP_FUZZ_SEED).
"""
from __future__ import annotations

import logging
import os
import random
import re
import time

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from markcap.service.malformed import RateLimitedLog
from markcap.v1 import risk_engine_pb2 as pb

from fuzz_requests import BIDI, SERVICE, Fuzzer, mutate, parse_fields, valid_requests

FUZZ_MESSAGES = int(os.environ.get("MARKCAP_FUZZ_MESSAGES", "5000"))
FUZZ_SEED = int(os.environ.get("MARKCAP_FUZZ_SEED", "12"))
FUZZ_SECONDS = float(os.environ.get("MARKCAP_FUZZ_SECONDS", "600"))
RPC_SECONDS = 10
GARBAGE = b"\xff\xff\xff"
EVERY_METHOD = sorted(valid_requests())


def _raw(channel, method: str, kind: str):
    make = {"unary": channel.unary_unary, "server_stream": channel.unary_stream,
            "client_stream": channel.stream_unary, "bidi": channel.stream_stream}[kind]
    return make(method, request_serializer=None, response_deserializer=None)


def _refusal(channel, method: str, data: bytes = GARBAGE) -> grpc.RpcError:
    kind = valid_requests()[method][0]
    call = _raw(channel, method, kind)
    with pytest.raises(grpc.RpcError) as raised:
        if kind == "unary":
            call(data, timeout=RPC_SECONDS)
        elif kind == BIDI:
            list(call(iter([data]), timeout=RPC_SECONDS))
        else:
            list(call(data, timeout=RPC_SECONDS))
    return raised.value


@pytest.mark.parametrize("method", EVERY_METHOD)
def test_malformed_bytes_get_invalid_argument_naming_the_method(start_module_in_process_server,
                                                                 method):
    running = start_module_in_process_server()
    channel = running.channel()
    error = _refusal(channel, method)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, (error.code(), error.details())
    assert method in error.details(), error.details()
    assert "malformed" in error.details()


def test_the_refusal_carries_error_info_and_applies_nothing(in_process_server):
    stub = in_process_server.stub()
    before = stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS)
    error = _refusal(in_process_server.channel(), SERVICE + "ApplyMark")
    status = rpc_status.from_call(error)
    [packed] = status.details
    info = error_details_pb2.ErrorInfo()
    assert packed.Unpack(info)
    assert (info.reason, info.metadata["method"]) == ("MALFORMED_REQUEST",
                                                      SERVICE + "ApplyMark")
    after = stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS)
    assert (after.applied_seq, after.state_hash) == (before.applied_seq, before.state_hash)


@pytest.mark.parametrize("persistence", ["in-memory", "grouped"])
def test_a_malformed_message_ends_the_stream_and_keeps_the_batches_before_it(
        start_in_process_server, tmp_path, persistence):
    args = []
    if persistence == "grouped":  # the stream is read ahead on a thread of its own
        args = ["--data-dir", str(tmp_path / "data"), "--fsync", "grouped"]
    server = start_in_process_server(extra_args=args)
    stub = server.stub()
    good = pb.StreamDeltasRequest(transfers=pb.TransferColumns(account_id=[1], currency_id=[1],
                                                               amount=[5.0]))
    call = _raw(server.channel(), SERVICE + "StreamDeltas", BIDI)
    acks = []
    with pytest.raises(grpc.RpcError) as raised:
        for ack in call(iter([good.SerializeToString(), GARBAGE, good.SerializeToString()]),
                        timeout=RPC_SECONDS):
            acks.append(pb.StreamDeltasResponse.FromString(ack))
    assert [a.seq for a in acks] == [1]
    error = raised.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
    assert "StreamDeltas" in error.details() and "message 2" in error.details()
    assert stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS).applied_seq == 1


def test_malformed_messages_are_logged_once_a_second_per_method_without_tracebacks(server):
    channel = server.channel()
    for _ in range(50):
        _refusal(channel, SERVICE + "GetAccount")
    for _ in range(20):
        _refusal(channel, SERVICE + "StreamDeltas")
    time.sleep(1.2)
    _refusal(channel, SERVICE + "GetAccount")  # its line reports those held back
    log = server.stderr_text()
    assert "Traceback" not in log and "Exception deserializing" not in log, log[-3000:]
    lines = [line for line in log.splitlines() if "malformed" in line]
    get_account = [line for line in lines if "GetAccount" in line]
    assert 2 <= len(get_account) <= 10, lines  # 51 calls in a few seconds
    assert 1 <= len([line for line in lines if "StreamDeltas" in line]) <= 10, lines
    held_back = [int(n) for line in get_account for n in re.findall(r"(\d+) more", line)]
    assert sum(held_back) + len(get_account) == 51, get_account


def test_the_mutations_are_what_they_claim():
    rng = random.Random(1)
    valid = pb.StreamDeltasRequest(fills=pb.FillColumns(account_id=[1, 2], instrument_id=[7, 7],
                                                        qty=[1, -1], price=[1.0, 1.0]))
    data = valid.SerializeToString()
    assert parse_fields(data) is not None
    outcomes = {"parses": 0, "fails": 0}
    for _ in range(2000):
        try:
            pb.StreamDeltasRequest.FromString(mutate(rng, data))
            outcomes["parses"] += 1
        except Exception:  # noqa: BLE001 - DecodeError, counted
            outcomes["fails"] += 1
    assert outcomes["fails"] > 500 and outcomes["parses"] > 200, outcomes


def test_fuzz_every_rpc_no_internal_and_no_state_change_when_refused(server):
    fuzzer = Fuzzer(server.address)
    try:
        tally = fuzzer.run(FUZZ_MESSAGES, FUZZ_SEED, max_seconds=FUZZ_SECONDS)
    finally:
        fuzzer.close()
    print(f"fuzz: {tally.sent} messages, seed {FUZZ_SEED}: {dict(tally.codes)}")
    assert tally.sent == FUZZ_MESSAGES
    assert tally.internal == [], tally.internal[:5]
    assert tally.refused_changed_state == [], tally.refused_changed_state[:5]
    assert tally.codes["INVALID_ARGUMENT"] > FUZZ_MESSAGES // 3
    methods = {method for method, _ in tally.by_method}
    assert len(methods) == len(EVERY_METHOD), methods
    assert server.process.poll() is None  # no crash
    assert server.stop() == 0
    assert "Traceback" not in server.stderr_text()


def test_the_rate_limited_log_holds_back_and_counts(caplog):
    now = [100.0]
    log = RateLimitedLog(interval=1.0, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="markcap.service"):
        assert log.warning("/a", "first")
        assert not log.warning("/a", "second")
        assert log.warning("/b", "other method")  # its own budget
        now[0] += 0.5
        assert not log.warning("/a", "third")
        now[0] += 0.6
        assert log.warning("/a", "fourth")
    assert [r.getMessage() for r in caplog.records] == [
        "first", "other method", "fourth (2 more since the last line)"]
