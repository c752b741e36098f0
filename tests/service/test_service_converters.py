"""Message <-> engine conversions and the error table, without a server."""
from __future__ import annotations

from pathlib import Path

import grpc
import numpy as np
import pytest
from google.rpc import code_pb2, error_details_pb2

from markcap.engine import (AccountEquity, AdlAllocation, AdlFill, CapPolicy, ContractKind,
                            DuplicateTooOld, EngineError, InstrumentUpdate, InvalidInput,
                            LimitExceeded, Liquidation, LiquidationReason, MarkOutcome,
                            MovedBalance, MovedPosition, PreconditionFailed, SequenceGap, Side,
                            UnknownId)
from markcap.service import enums, from_proto, status_codes, to_proto
from markcap.service.inputs import PersistenceFailed
from markcap.v1 import risk_engine_pb2 as pb


def test_fill_columns_become_typed_numpy_arrays():
    columns = pb.FillColumns(account_id=[1, 2**64 - 1], instrument_id=[7, 8], qty=[-3, 2**62],
                             price=[100.5, 0.25])
    batch = from_proto.fill_batch(columns)
    assert [a.dtype for a in (batch.account_id, batch.instrument_id, batch.qty, batch.price)] == [
        np.uint64, np.uint32, np.int64, np.float64]
    assert batch.account_id.tolist() == [1, 2**64 - 1]
    assert batch.qty.tolist() == [-3, 2**62]
    assert batch.price.tolist() == [100.5, 0.25]


def test_unequal_columns_name_every_column_and_its_length():
    with pytest.raises(InvalidInput) as raised:
        from_proto.transfer_batch(pb.TransferColumns(account_id=[1, 2], currency_id=[1],
                                                     amount=[1.0, 2.0]))
    assert str(raised.value) == ("transfers: columns of unequal length (account_id 2, "
                                 "currency_id 1, amount 2)")
    assert raised.value.field == "transfers"


def test_each_enum_prefix_is_read_from_the_proto_as_the_client_lists_it():
    from markcap.client.enums import ENUM_PREFIXES
    assert {proto_enum: enums.value_prefix(proto_enum) for proto_enum in ENUM_PREFIXES} \
        == ENUM_PREFIXES
    assert enums.CONTRACT_KIND.to_proto(ContractKind.INVERSE) == pb.CONTRACT_KIND_INVERSE


def test_unspecified_enum_is_default_and_undefined_number_is_invalid():
    assert enums.CAP_POLICY.optional(0, "cap_policy") is None
    assert enums.CAP_POLICY.optional(pb.CAP_POLICY_NO_CAP, "cap_policy") is CapPolicy.NO_CAP
    with pytest.raises(InvalidInput, match="cap_policy 3 is not a defined CapPolicy value"):
        enums.CAP_POLICY.optional(3, "cap_policy")
    with pytest.raises(InvalidInput, match="side is required"):
        enums.SIDE.required(pb.SIDE_UNSPECIFIED, "side")
    assert enums.SIDE.required(pb.SIDE_SHORT, "side") is Side.SHORT


def test_every_engine_enum_maps_to_the_proto_value_of_the_same_name():
    assert enums.CONTRACT_KIND.to_proto(ContractKind.INVERSE) == pb.CONTRACT_KIND_INVERSE
    assert enums.ADL_ALLOCATION.to_proto(AdlAllocation.QUEUE) == pb.ADL_ALLOCATION_QUEUE
    assert enums.LIQUIDATION_REASON.to_proto(LiquidationReason.ALREADY_BANKRUPT) == \
        pb.LIQUIDATION_REASON_ALREADY_BANKRUPT


def test_instrument_update_keeps_absent_fields_as_none_but_explicit_zero_as_zero():
    update = from_proto.instrument_update(pb.UpsertInstrumentRequest(
        instrument=pb.Instrument(instrument_id=7, mark_price=0.0, adl_allocation=2)))
    assert update == InstrumentUpdate(instrument_id=7, mark_price=0.0,
                                      adl_allocation=AdlAllocation.QUEUE)


def test_currency_update_empty_code_keeps_the_code():
    update = from_proto.currency_update(pb.UpsertCurrencyRequest(
        currency=pb.Currency(currency_id=2, price=3.0)))
    assert (update.currency_id, update.code, update.price, update.valuation) == (2, None, 3.0, False)


def _mark_outcome(first_bankruptcy_price) -> MarkOutcome:
    liquidation = Liquidation(5, np.float64(-0.0), (MovedPosition(7, np.int64(-3), 115.0),),
                              (MovedBalance(1, -45.0),), LiquidationReason.FIRST_BANKRUPTCY_PRICE,
                              115.0)
    return MarkOutcome(seq=4, instrument_id=7, previous_price=100.0, requested_price=120.0,
                       applied_price=np.float64(115.0), capped=True,
                       first_bankruptcy_price=first_bankruptcy_price,
                       liquidations=(liquidation,),
                       adl_fills=(AdlFill(9, 7, -2, 115.0, 1, 30.5),),
                       negative_equity_accounts=(AccountEquity(0, -1.5),),
                       insurance_fund_equity_before=10.0, insurance_fund_equity_after=-1.5,
                       insurance_fund_deficit=1.5, cap_policy=CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE)


def test_mark_response_carries_every_field_and_is_byte_deterministic():
    response = to_proto.mark_response(_mark_outcome(115.0))
    assert response.SerializeToString() == to_proto.mark_response(
        _mark_outcome(115.0)).SerializeToString()
    assert (response.seq, response.applied_price, response.capped,
            response.first_bankruptcy_price) == (4, 115.0, True, 115.0)
    [liquidation] = response.liquidations
    assert (liquidation.account_id, liquidation.reason, liquidation.price) == (
        5, pb.LIQUIDATION_REASON_FIRST_BANKRUPTCY_PRICE, 115.0)
    assert [(p.instrument_id, p.qty, p.price) for p in liquidation.positions] == [(7, -3, 115.0)]
    assert [(b.currency_id, b.amount) for b in liquidation.balances] == [(1, -45.0)]
    assert [(f.account_id, f.qty, f.rank, f.score) for f in response.adl_fills] == [
        (9, -2, 1, 30.5)]
    assert [(a.account_id, a.equity) for a in response.negative_equity_accounts] == [(0, -1.5)]
    assert (response.insurance_fund_equity_after, response.insurance_fund_deficit) == (-1.5, 1.5)
    assert response.cap_policy == pb.CAP_POLICY_CAP_TO_FIRST_BANKRUPTCY_PRICE


def test_absent_first_bankruptcy_price_stays_absent():
    assert not to_proto.mark_response(_mark_outcome(None)).HasField("first_bankruptcy_price")


# ---- the error table ---------------------------------------------------------------------

@pytest.mark.parametrize("error,code", [
    (InvalidInput("bad", field="price", value=1), code_pb2.INVALID_ARGUMENT),
    (UnknownId("gone", kind="account", id_value=5), code_pb2.NOT_FOUND),
    (PreconditionFailed("no"), code_pb2.FAILED_PRECONDITION),
    (SequenceGap(9, 4), code_pb2.FAILED_PRECONDITION),
    (DuplicateTooOld(2, 10), code_pb2.FAILED_PRECONDITION),
    (LimitExceeded("big", limit_name="fills", limit=10, got=11), code_pb2.RESOURCE_EXHAUSTED),
    (PersistenceFailed("journal"), code_pb2.UNAVAILABLE),
    (EngineError("unclassified"), code_pb2.INTERNAL),
    (ZeroDivisionError("bug"), code_pb2.INTERNAL),
])
def test_each_engine_error_class_has_its_grpc_code(error, code):
    assert status_codes.code_for(error) == code


def test_grpc_code_numbers_match_grpc_status_codes():
    assert grpc.StatusCode.FAILED_PRECONDITION.value[0] == code_pb2.FAILED_PRECONDITION
    assert grpc.StatusCode.RESOURCE_EXHAUSTED.value[0] == code_pb2.RESOURCE_EXHAUSTED


def _unpack(status, detail_type):
    """The status's one detail of `detail_type`."""
    [detail] = [d for d in (_unpacked(packed, detail_type) for packed in status.details) if d is not None]
    return detail


def _unpacked(packed, detail_type):
    detail = detail_type()
    return detail if packed.Unpack(detail) else None


def test_sequence_gap_in_a_batch_keeps_its_code_and_gets_the_batch_prefix():
    status = status_codes.status_for(status_codes.BatchRejected("batch seq 9", SequenceGap(9, 4)))
    assert status.code == code_pb2.FAILED_PRECONDITION
    assert status.message.startswith("batch seq 9: seq 9 leaves a gap: expected seq 4")
    info = _unpack(status, error_details_pb2.ErrorInfo)
    assert (info.reason, dict(info.metadata)) == ("SEQ_GAP", {"expected_seq": "4",
                                                              "got_seq": "9"})


def test_invalid_input_carries_a_field_violation():
    status = status_codes.status_for(InvalidInput("fills[3].price is nan", field="fills[3].price",
                                                  value=float("nan")))
    violation = _unpack(status, error_details_pb2.BadRequest).field_violations[0]
    assert (violation.field, violation.description) == ("fills[3].price", "fills[3].price is nan")
    info = _unpack(status, error_details_pb2.ErrorInfo)
    assert (info.reason, info.domain, dict(info.metadata)) == ("INVALID_INPUT", "markcap.v1",
                                                               {"field": "fills[3].price"})


def test_the_error_table_uses_exactly_the_reasons_the_proto_publishes():
    published = {name.removeprefix("ERROR_REASON_") for name in pb.ErrorReason.keys()} - {"UNSPECIFIED"}
    assert sorted(row.reason for row in status_codes.ERRORS) == sorted(published)


@pytest.mark.parametrize("row", status_codes.ERRORS, ids=lambda row: row.reason)
def test_every_error_class_carries_its_reason_and_code(row):
    error = _example(row.error)
    status = status_codes.status_for(error)
    assert status.code == row.code and status.code != code_pb2.INTERNAL
    assert _unpack(status, error_details_pb2.ErrorInfo).reason == row.reason


def _example(error_class):
    """An instance of each error class, with the fields its metadata reads."""
    from markcap.service.free_space import DiskSpaceLow
    from markcap.service.input_digests import SeqContentDiffers
    examples = {
        InvalidInput: lambda: InvalidInput("bad", field="price", value=1),
        status_codes.MalformedRequest: lambda: status_codes.MalformedRequest("/m", "garbage"),
        UnknownId: lambda: UnknownId("gone", kind="account", id_value=5),
        SequenceGap: lambda: SequenceGap(9, 4),
        DuplicateTooOld: lambda: DuplicateTooOld(2, 10),
        SeqContentDiffers: lambda: SeqContentDiffers(3, "a mark"),
        PreconditionFailed: lambda: PreconditionFailed("no"),
        LimitExceeded: lambda: LimitExceeded("big", limit_name="fills", limit=10, got=11),
        DiskSpaceLow: lambda: DiskSpaceLow(Path("/data"), 1, 2),
    }
    return examples.get(error_class, lambda: error_class("why"))()


class FakeContext:
    """Records the status a handler aborted with, raising as grpc's context does."""

    def __init__(self):
        self.status = None

    def is_active(self) -> bool:
        return True

    def abort_with_status(self, status):
        self.status = status
        raise RuntimeError("aborted")


class Handlers:
    @status_codes.reports_errors
    def unary(self, request, context):
        raise request

    @status_codes.reports_errors
    def stream(self, request, context):
        yield 1
        raise request


def test_reports_errors_maps_unary_engine_errors_to_their_code():
    context = FakeContext()
    with pytest.raises(RuntimeError, match="aborted"):
        Handlers().unary(UnknownId("unknown account 5", kind="account", id_value=5), context)
    assert (context.status.code, context.status.details) == (grpc.StatusCode.NOT_FOUND,
                                                             "unknown account 5")


def test_reports_errors_turns_a_bug_into_internal_with_a_logged_traceback(caplog):
    context = FakeContext()
    stream = Handlers().stream(ZeroDivisionError("division by zero"), context)
    assert next(stream) == 1
    with pytest.raises(RuntimeError, match="aborted"):
        next(stream)
    assert context.status.code == grpc.StatusCode.INTERNAL
    assert context.status.details == "internal error: ZeroDivisionError: division by zero"
    [record] = [r for r in caplog.records if r.name == status_codes.LOG.name]
    assert record.exc_info and record.exc_info[0] is ZeroDivisionError


def test_the_error_document_has_one_row_per_reason_with_its_code():
    from pathlib import Path as _Path
    doc = (_Path(__file__).resolve().parents[2] / "docs" / "errors.md").read_text()
    rows = {line.split("|")[1].strip(" `"): line.split("|")[2].strip() for line in doc.splitlines()
            if line.startswith("| `")}
    assert rows == {row.reason: code_pb2.Code.Name(row.code) for row in status_codes.ERRORS}
