"""Error mapping: a non-OK status becomes MarkcapError(code, message, details)."""
from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2

from markcap.client import DeltaBatch, Fills, MarkcapClient, MarkcapError, RetryPolicy
from markcap.client.cli import main


def test_status_code_message_and_rich_details_are_kept(scripted_server):
    _, target = scripted_server
    with MarkcapClient(target) as client:
        with pytest.raises(MarkcapError) as raised:
            client.get_account(13)
    error = raised.value
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.message == "account_id 13 is unlucky"
    assert str(error) == "INVALID_ARGUMENT: account_id 13 is unlucky"
    [bad_request] = error.details
    assert isinstance(bad_request, error_details_pb2.BadRequest)
    assert bad_request.field_violations[0].field == "account_id"
    assert "13" in bad_request.field_violations[0].description


def test_plain_status_has_no_details(scripted_server):
    servicer, target = scripted_server
    servicer.unavailable_left = 1
    with MarkcapClient(target, retry=RetryPolicy(attempts=1)) as client:
        with pytest.raises(MarkcapError) as raised:
            client.get_status()
    assert (raised.value.code, raised.value.message, raised.value.details) == (
        grpc.StatusCode.UNAVAILABLE, "scripted outage", ())


def test_cli_prints_code_and_message_and_exits_1(scripted_server, capsys):
    _, target = scripted_server
    assert main(["--target", target, "account", "13"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "error: INVALID_ARGUMENT: account_id 13 is unlucky\n"
    assert captured.out == ""


def test_a_batch_that_cannot_be_encoded_raises_its_own_error(scripted_server):
    _, target = scripted_server
    negative_account = Fills([-1], [7], [1], [100.0])
    with MarkcapClient(target) as client:
        with pytest.raises(ValueError):
            list(client.stream_deltas([DeltaBatch(fills=negative_account)]))


def test_an_error_without_call_information_still_maps():
    error = MarkcapError.from_rpc_error(grpc.RpcError("opaque"))
    assert error.code == grpc.StatusCode.UNKNOWN
    assert error.details == ()
