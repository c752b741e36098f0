"""The error contract through a real (in-process) server: each refusal arrives as the MarkcapError
subclass of its ErrorInfo reason, with the reason's metadata as fields."""
from __future__ import annotations

import grpc
import pytest

from markcap.client import (Fills, InvalidInputError, MarkcapClient, MarkcapError, SeqGapError,
                            UnknownIdError)
from markcap.client.errors import BY_REASON
from markcap.v1 import risk_engine_pb2 as pb


def test_every_published_reason_has_its_exception_type():
    published = {name.removeprefix("ERROR_REASON_") for name in pb.ErrorReason.keys()} - {"UNSPECIFIED"}
    assert set(BY_REASON) == published
    assert all(issubclass(error_type, MarkcapError) for error_type in BY_REASON.values())


def test_a_seq_gap_names_the_seq_to_resend_from(in_process_server):
    with MarkcapClient(in_process_server.address) as client:
        applied = client.get_status().applied_seq
        with pytest.raises(SeqGapError) as raised:
            client.apply_mark(7, 101.0, seq=applied + 5)
    error = raised.value
    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert (error.expected_seq, error.got_seq) == (applied + 1, applied + 5)


def test_an_unknown_id_and_a_bad_value_arrive_typed(in_process_server):
    with MarkcapClient(in_process_server.address) as client:
        with pytest.raises(UnknownIdError) as unknown:
            client.get_account(987654321)
        with pytest.raises(InvalidInputError) as invalid:
            client.send_deltas(Fills([1, 2], [7, 7], [1, -1], [100.123, 100.123]))  # off the tick grid
    assert unknown.value.code == grpc.StatusCode.NOT_FOUND and unknown.value.resource_type == "account"
    assert unknown.value.resource_name == "987654321"
    assert invalid.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert invalid.value.field.startswith("fills")
