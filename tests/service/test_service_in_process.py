"""The in-process server of tests/in_process.py (the scenario tests' and most API
tests' server) answers as a markcap-server process does: the same session gets the same
answers and state hash from both, refusals the same code, message and details; a config
file loads the same; it serves health and reflection, refuses a bad config, and stops
within the process's grace, ending open watch streams.
"""
from __future__ import annotations

import time

import grpc
import pytest
from google.protobuf import json_format
from google.rpc import error_details_pb2  # noqa: F401 - the details' types, to unpack them
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status

from in_process import STOP_SECONDS, InProcessServerError
from markcap.v1 import risk_engine_pb2 as pb, risk_engine_pb2_grpc as pb_grpc

RPC_SECONDS = 10
PERP, ETH, USD = 7, 8, 1
# SPEC 3 seed example 2 (examples/seed2.csv): a mark to 150 applies 125, the fund
# takes account 1 over and deleverages 12 contracts against accounts 2 and 4.
SEED2_FILLS = ((2, 6, 80), (5, -6, 80), (3, 4, 90), (5, -4, 90), (1, -10, 100), (5, 10, 100),
               (0, -2, 100), (5, 2, 100), (4, 7, 100), (5, -7, 100))
SEED2_TRANSFERS = ((1, 250), (0, 50), (5, 10160), (2, 100), (3, 100), (4, 1000))
OTHER_CONFIG = """
insurance_fund_account_id = 9
insurance_fund_floor = 25.0
retained_outcomes = 3

[[currencies]]
currency_id = 1
code = "USD"
decimals = 2
valuation = true

[[instruments]]
instrument_id = 7
symbol = "X-PERP"
kind = "LINEAR"
settlement_currency_id = 1
multiplier = 2.0
tick_size = 0.5
mark_price = 100.0
"""


def _seed2() -> pb.StreamDeltasRequest:
    request = pb.StreamDeltasRequest(seq=1)
    for account, qty, price in SEED2_FILLS:
        request.fills.account_id.append(account)
        request.fills.instrument_id.append(PERP)
        request.fills.qty.append(qty)
        request.fills.price.append(price)
    for account, amount in SEED2_TRANSFERS:
        request.transfers.account_id.append(account)
        request.transfers.currency_id.append(USD)
        request.transfers.amount.append(amount)
    return request


def _refusal(call) -> tuple:
    """(code, details, the trailers' google.rpc.Status as a dict, its details unpacked:
    ErrorInfo, BadRequest...; an Any's packed bytes hold maps in no fixed order)."""
    with pytest.raises(grpc.RpcError) as raised:
        call()
    error = raised.value
    return error.code(), error.details(), json_format.MessageToDict(rpc_status.from_call(error))


def _conversation(stub) -> list:
    """What a client sees of one session: answers, and refusals as _refusal() gives them
    (messages compare field by field: a map's order on the wire is not fixed)."""
    seen = [stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS),
            stub.ListInstruments(pb.ListInstrumentsRequest(), timeout=RPC_SECONDS),
            stub.ListCurrencies(pb.ListCurrenciesRequest(), timeout=RPC_SECONDS)]
    seen += list(stub.StreamDeltas(iter([_seed2()]), timeout=RPC_SECONDS))
    seen.append(stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=PERP, price=150.0,
                                                   dry_run=True), timeout=RPC_SECONDS))
    seen.append(stub.ApplyMark(pb.ApplyMarkRequest(seq=2, instrument_id=PERP, price=150.0),
                               timeout=RPC_SECONDS))
    seen.append(stub.ApplyMark(pb.ApplyMarkRequest(seq=3, instrument_id=PERP, price=60.0,
                                                   sweep=True), timeout=RPC_SECONDS))
    for account_id in range(6):
        seen.append(stub.GetAccount(pb.GetAccountRequest(account_id=account_id),
                                    timeout=RPC_SECONDS))
    seen.append(stub.GetInsuranceFund(pb.GetInsuranceFundRequest(), timeout=RPC_SECONDS))
    seen.append(stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS))
    seen.append(_refusal(lambda: stub.GetAccount(pb.GetAccountRequest(account_id=77),
                                                 timeout=RPC_SECONDS)))
    seen.append(_refusal(lambda: stub.ApplyMark(pb.ApplyMarkRequest(seq=9, instrument_id=PERP,
                                                                    price=101.0),
                                                timeout=RPC_SECONDS)))
    seen.append(_refusal(lambda: stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=ETH,
                                                                    price=-1.0),
                                                timeout=RPC_SECONDS)))
    seen.append(_refusal(lambda: list(stub.StreamDeltas(iter([pb.StreamDeltasRequest(
        fills=pb.FillColumns(account_id=[1, 2], instrument_id=[PERP, PERP], qty=[1, -1],
                             price=[100.25, 100.25]))]),  # off BTC-PERP's 0.5 grid
        timeout=RPC_SECONDS))))
    return seen


def test_the_same_session_gets_the_same_answers_from_a_process_and_in_process(
        start_server, start_in_process_server):
    process = _conversation(start_server().stub())
    in_process = _conversation(start_in_process_server().stub())
    assert len(process) == 19
    assert [refusal[0] for refusal in process[-4:]] == [
        grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.INVALID_ARGUMENT]
    assert all(refusal[2]["details"] for refusal in process[-4:])
    assert in_process == process
    assert process[5].applied_price == 125.0 and len(process[5].adl_fills) > 0  # seed 2


def test_a_config_file_is_loaded_as_the_process_loads_it(start_server, start_in_process_server):
    answers = []
    for start in (start_server, start_in_process_server):
        stub = start(config_text=OTHER_CONFIG).stub()
        answers.append([stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS),
                        stub.ListInstruments(pb.ListInstrumentsRequest(), timeout=RPC_SECONDS),
                        stub.GetInsuranceFund(pb.GetInsuranceFundRequest(),
                                              timeout=RPC_SECONDS)])
    assert answers[1] == answers[0]
    assert answers[1][2].floor == 25.0 and answers[1][0].insurance_fund_account_id == 9


def test_health_and_reflection_are_served_over_a_unix_socket(start_in_process_server):
    running = start_in_process_server(unix_socket=True)
    assert running.address.startswith("unix:/")
    health = health_pb2_grpc.HealthStub(running.channel())
    reply = health.Check(health_pb2.HealthCheckRequest(service="markcap.v1.RiskEngineService"),
                         timeout=RPC_SECONDS)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
    reflection = reflection_pb2_grpc.ServerReflectionStub(running.channel())
    [listed] = reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(
        list_services="")]), timeout=RPC_SECONDS)
    assert "markcap.v1.RiskEngineService" in {
        service.name for service in listed.list_services_response.service}


def test_a_bad_config_does_not_start(start_in_process_server):
    with pytest.raises(InProcessServerError, match="bad config .*insurance_fund_floor"):
        start_in_process_server(config_text=OTHER_CONFIG.replace("25.0", '"x"'))


def test_stop_ends_open_watch_streams_and_returns_within_the_grace(start_in_process_server):
    running = start_in_process_server()
    stub = running.stub()
    first = stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=ETH, price=3100.0),
                           timeout=RPC_SECONDS)
    with grpc.insecure_channel(running.address) as channel:
        events = pb_grpc.RiskEngineServiceStub(channel).WatchEvents(
            pb.WatchEventsRequest(from_seq=1), timeout=60)
        assert next(events).mark == first
        started = time.monotonic()
        running.stop()
        assert time.monotonic() - started < STOP_SECONDS
        assert list(events) == [] and events.code() == grpc.StatusCode.OK
    with pytest.raises(grpc.RpcError) as raised:
        pb_grpc.RiskEngineServiceStub(grpc.insecure_channel(running.address)).GetStatus(
            pb.GetStatusRequest(), timeout=1)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
