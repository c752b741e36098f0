"""Delta batches to StreamDeltasRequest, and enum arguments."""
from __future__ import annotations

import numpy as np
import pytest

from markcap.client import DeltaBatch, Fills, MarkcapClient, Transfers
from markcap.client.deltas import batch_request
from markcap.client.enums import enum_value, short_name
from markcap.v1 import risk_engine_pb2 as pb


def test_numpy_columns_become_packed_fields():
    fills = Fills(np.array([1, 2**64 - 1], dtype=np.uint64), np.array([7, 9], dtype=np.uint32),
                  np.array([-3, 2**63 - 1], dtype=np.int64), np.array([100.5, 0.25]))
    transfers = Transfers(np.array([4], dtype=np.uint64), np.array([2], dtype=np.uint32),
                          np.array([-0.125]))
    request = batch_request(DeltaBatch(seq=12, fills=fills, transfers=transfers))
    assert request.seq == 12
    assert list(request.fills.account_id) == [1, 2**64 - 1]
    assert list(request.fills.instrument_id) == [7, 9]
    assert list(request.fills.qty) == [-3, 2**63 - 1]
    assert list(request.fills.price) == [100.5, 0.25]
    assert (list(request.transfers.account_id), list(request.transfers.currency_id),
            list(request.transfers.amount)) == ([4], [2], [-0.125])


def test_list_columns_and_missing_parts():
    request = batch_request(DeltaBatch(fills=Fills([5], [7], [1], [99.0])))
    assert request.seq == 0
    assert list(request.fills.qty) == [1]
    assert len(request.transfers.account_id) == 0


def test_a_large_batch_is_one_small_message():
    count = 100_000
    fills = Fills(np.arange(count, dtype=np.uint64), np.full(count, 7, dtype=np.uint32),
                  np.ones(count, dtype=np.int64), np.full(count, 100.0))
    request = batch_request(DeltaBatch(fills=fills))
    assert len(request.fills.price) == count
    # Packed: 8 bytes per price, about 2-4 per id and qty.
    assert request.ByteSize() < count * 16


@pytest.mark.parametrize("given, expected", [
    (None, 0), ("NO_CAP", pb.CAP_POLICY_NO_CAP), ("no_cap", pb.CAP_POLICY_NO_CAP),
    ("CAP_POLICY_CAP_TO_FIRST_BANKRUPTCY_PRICE", pb.CAP_POLICY_CAP_TO_FIRST_BANKRUPTCY_PRICE),
    (pb.CAP_POLICY_NO_CAP, pb.CAP_POLICY_NO_CAP),
])
def test_cap_policy_arguments(given, expected):
    assert enum_value(pb.CapPolicy, given) == expected


def test_side_arguments():
    assert enum_value(pb.Side, "long") == pb.SIDE_LONG
    assert enum_value(pb.Side, "SHORT") == pb.SIDE_SHORT
    assert enum_value(pb.Side, 2) == pb.SIDE_SHORT


@pytest.mark.parametrize("bad", ["UP", 7, True, "CAP"])
def test_unknown_enum_arguments_are_refused_before_sending(bad):
    with pytest.raises(ValueError, match="Side|CapPolicy"):
        enum_value(pb.Side if bad != "CAP" else pb.CapPolicy, bad)


def test_client_refuses_a_bad_side_without_calling(nobody_listening):
    with MarkcapClient(nobody_listening) as client:
        with pytest.raises(ValueError, match="expected one of LONG, SHORT"):
            client.get_adl_queue(7, "up")


def test_short_names():
    assert short_name(pb.CapPolicy, pb.CAP_POLICY_NO_CAP) == "NO_CAP"
    assert short_name(pb.LiquidationReason, 2) == "FIRST_BANKRUPTCY_PRICE"
    assert short_name(pb.Side, 99) == "99"
