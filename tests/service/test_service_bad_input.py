"""Bad input for every RPC through a real server (SPEC 2, 8): the right status
code, a message naming the bad value, nothing applied, and the server still serving.

One in-process server for the module (default exchange); each test reads the seq it needs
from GetStatus, so tests do not depend on their order.
"""
from __future__ import annotations

import math

import grpc
import pytest
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from markcap.v1 import risk_engine_pb2 as pb

from fuzz_requests import fills  # the same columns builder as the fuzz

NAN, INF = math.nan, math.inf

LONG_ID, SHORT_ID, FUND_ID = 101, 102, 0
PERP, ETH, UNKNOWN_INSTRUMENT = 7, 8, 99
USD, BTC, UNKNOWN_CURRENCY = 1, 2, 77
UNKNOWN_ACCOUNT = 424242
CODE = grpc.StatusCode


def transfers(*rows) -> pb.TransferColumns:
    """rows of (account_id, currency_id, amount)."""
    columns = pb.TransferColumns()
    for account_id, currency_id, amount in rows:
        columns.account_id.append(account_id)
        columns.currency_id.append(currency_id)
        columns.amount.append(amount)
    return columns


def first_batch() -> pb.StreamDeltasRequest:
    return pb.StreamDeltasRequest(
        seq=1, fills=fills((LONG_ID, PERP, 10, 100.0), (SHORT_ID, PERP, -10, 100.0)),
        transfers=transfers((LONG_ID, USD, 1000.0), (SHORT_ID, USD, 1000.0),
                            (FUND_ID, USD, 10000.0)))


@pytest.fixture(scope="module")
def stub(start_module_in_process_server):
    """Default exchange with a long and a short in BTC-PERP and a funded insurance fund."""
    stub = start_module_in_process_server().stub()
    [ack] = stub.StreamDeltas(iter([first_batch()]))
    assert ack.seq == 1
    return stub


def applied_seq(stub) -> int:
    return stub.GetStatus(pb.GetStatusRequest()).applied_seq


def snapshot(stub) -> tuple:
    """Everything a rejected call must leave unchanged, as comparable bytes."""
    status = stub.GetStatus(pb.GetStatusRequest())
    accounts = [stub.GetAccount(pb.GetAccountRequest(account_id=i)).SerializeToString()
                for i in (FUND_ID, LONG_ID, SHORT_ID)]
    return (status.applied_seq, status.state_hash, status.account_count,
            stub.ListInstruments(pb.ListInstrumentsRequest()).SerializeToString(),
            stub.ListCurrencies(pb.ListCurrenciesRequest()).SerializeToString(), accounts)


def expect_rejected(stub, call, code: grpc.StatusCode, *fragments: str) -> grpc.RpcError:
    """Runs call(); checks code and message, that nothing changed and the server still serves."""
    before = snapshot(stub)
    with pytest.raises(grpc.RpcError) as raised:
        result = call()
        if not isinstance(result, Message):  # a response stream: read it to its status
            list(result)
    error = raised.value
    assert error.code() == code, error.details()
    for fragment in fragments:
        assert fragment in error.details(), (fragment, error.details())
    assert snapshot(stub) == before  # also proves the server still answers
    return error


def detail(error: grpc.RpcError, detail_type):
    status = rpc_status.from_call(error)
    assert status is not None, "no google.rpc.Status in the trailers"
    for packed in status.details:
        if packed.Is(detail_type.DESCRIPTOR):
            unpacked = detail_type()
            packed.Unpack(unpacked)
            return unpacked
    raise AssertionError(f"no {detail_type.DESCRIPTOR.name} in {status}")


# ---- StreamDeltas ------------------------------------------------------------------------

def deltas_call(stub, request_fills=None, request_transfers=None, seq=None):
    def call():
        request = pb.StreamDeltasRequest(seq=applied_seq(stub) + 1 if seq is None else seq,
                                         fills=request_fills, transfers=request_transfers)
        return stub.StreamDeltas(iter([request]))
    return call


@pytest.mark.parametrize("price,shown", [(NAN, "nan"), (INF, "inf"), (-INF, "-inf"),
                                         (0.0, "0.0"), (-5.0, "-5.0"), (5e-324, "5e-324"),
                                         (1e300, "1e+300")])
def test_stream_deltas_rejects_bad_fill_price(stub, price, shown):
    seq = applied_seq(stub) + 1
    expect_rejected(stub, deltas_call(stub, fills((LONG_ID, PERP, 1, 100.0),
                                                  (SHORT_ID, PERP, -1, price))),
                    CODE.INVALID_ARGUMENT, f"batch seq {seq}: ", f"fills[1].price is {shown}")


def test_stream_deltas_rejects_qty_zero(stub):
    error = expect_rejected(stub, deltas_call(stub, fills((LONG_ID, PERP, 0, 100.0))),
                            CODE.INVALID_ARGUMENT, "fills[0].qty is 0")
    assert detail(error, error_details_pb2.BadRequest).field_violations[0].field == "fills[0].qty"


def test_stream_deltas_rejects_unknown_instrument(stub):
    error = expect_rejected(stub, deltas_call(stub, fills((LONG_ID, UNKNOWN_INSTRUMENT, 1, 1.0))),
                            CODE.NOT_FOUND, f"unknown instrument {UNKNOWN_INSTRUMENT}")
    info = detail(error, error_details_pb2.ResourceInfo)
    assert (info.resource_type, info.resource_name) == ("instrument", str(UNKNOWN_INSTRUMENT))


def test_stream_deltas_rejects_unknown_currency(stub):
    expect_rejected(stub, deltas_call(stub, request_transfers=transfers(
        (LONG_ID, USD, 5.0), (LONG_ID, UNKNOWN_CURRENCY, 5.0))),
        CODE.NOT_FOUND, f"transfers[1].currency_id: unknown currency {UNKNOWN_CURRENCY}")


@pytest.mark.parametrize("amount,shown", [(NAN, "nan"), (INF, "inf")])
def test_stream_deltas_rejects_non_finite_amount(stub, amount, shown):
    expect_rejected(stub, deltas_call(stub, request_transfers=transfers((LONG_ID, USD, amount))),
                    CODE.INVALID_ARGUMENT, f"transfers[0].amount is {shown}")


def test_stream_deltas_rejects_unequal_fill_columns(stub):
    columns = fills((LONG_ID, PERP, 1, 100.0), (SHORT_ID, PERP, -1, 100.0))
    del columns.qty[1]
    expect_rejected(stub, deltas_call(stub, columns), CODE.INVALID_ARGUMENT,
                    "fills: columns of unequal length (account_id 2, instrument_id 2, qty 1, "
                    "price 2)")


def test_stream_deltas_rejects_unequal_transfer_columns(stub):
    columns = transfers((LONG_ID, USD, 1.0))
    columns.currency_id.append(USD)
    expect_rejected(stub, deltas_call(stub, request_transfers=columns), CODE.INVALID_ARGUMENT,
                    "transfers: columns of unequal length (account_id 1, currency_id 2, amount 1)")


def test_stream_deltas_rejects_seq_gap_naming_expected_seq(stub):
    expected = applied_seq(stub) + 1
    error = expect_rejected(stub, deltas_call(stub, fills((LONG_ID, PERP, 1, 100.0)),
                                              seq=expected + 5),
                            CODE.FAILED_PRECONDITION, f"batch seq {expected + 5}: ",
                            f"expected seq {expected}")
    info = detail(error, error_details_pb2.ErrorInfo)
    assert (info.reason, info.metadata["expected_seq"]) == ("SEQ_GAP", str(expected))


def test_stream_deltas_duplicate_is_acknowledged_and_not_applied(stub):
    before = snapshot(stub)
    [ack] = stub.StreamDeltas(iter([first_batch()]))
    assert (ack.seq, ack.duplicate) == (1, True)
    assert snapshot(stub) == before
    other = pb.StreamDeltasRequest(  # seq 1 with other content: refused (issue 12, item 6)
        seq=1, fills=fills((LONG_ID, PERP, 5, 100.0), (SHORT_ID, PERP, -5, 100.0)))
    expect_rejected(stub, lambda: list(stub.StreamDeltas(iter([other]))),
                            CODE.FAILED_PRECONDITION, "batch seq 1: seq 1 was already applied as "
                            "a delta batch and this request's content differs from it")
    assert snapshot(stub) == before


def test_stream_deltas_keeps_good_batches_before_the_bad_one(stub):
    seq = applied_seq(stub) + 1
    good = pb.StreamDeltasRequest(seq=seq, transfers=transfers((LONG_ID, USD, 1.0)))
    bad = pb.StreamDeltasRequest(seq=seq + 1, transfers=transfers((LONG_ID, USD, 2.0)),
                                 fills=fills((LONG_ID, PERP, 1, 100.0), (SHORT_ID, PERP, -1, NAN)))
    after_bad = pb.StreamDeltasRequest(seq=seq + 2, transfers=transfers((LONG_ID, USD, 4.0)))
    balance = {b.currency_id: b.amount for b in stub.GetAccount(
        pb.GetAccountRequest(account_id=LONG_ID)).account.balances}[USD]
    acks = []
    with pytest.raises(grpc.RpcError) as raised:
        for ack in stub.StreamDeltas(iter([good, bad, after_bad])):
            acks.append(ack)
    assert [(a.seq, a.transfer_count) for a in acks] == [(seq, 1)]
    assert raised.value.code() == CODE.INVALID_ARGUMENT
    assert raised.value.details().startswith(f"batch seq {seq + 1}: fills[1].price is nan")
    account = stub.GetAccount(pb.GetAccountRequest(account_id=LONG_ID)).account
    assert {b.currency_id: b.amount for b in account.balances}[USD] == balance + 1.0
    assert [p.qty for p in account.positions if p.instrument_id == PERP] == [10]
    assert applied_seq(stub) == seq


def test_stream_deltas_auto_seq_error_names_the_stream_message(stub):
    good = pb.StreamDeltasRequest(transfers=transfers((LONG_ID, USD, 1.0)))
    bad = pb.StreamDeltasRequest(fills=fills((LONG_ID, PERP, 0, 100.0)))
    with pytest.raises(grpc.RpcError) as raised:
        list(stub.StreamDeltas(iter([good, bad])))
    assert raised.value.details().startswith(
        "batch seq 0 (auto-assigned; message 2 of this stream): fills[0].qty is 0")


# ---- ApplyMark ---------------------------------------------------------------------------

def mark_call(stub, instrument_id=PERP, price=101.0, seq=None, **fields):
    def call():
        return stub.ApplyMark(pb.ApplyMarkRequest(
            seq=applied_seq(stub) + 1 if seq is None else seq, instrument_id=instrument_id,
            price=price, **fields))
    return call


@pytest.mark.parametrize("price,shown", [(NAN, "nan"), (INF, "inf"), (0.0, "0.0"),
                                         (-100.0, "-100.0"), (5e-324, "5e-324"), (1e-320, "1e-320")])
@pytest.mark.parametrize("dry_run", [False, True])
def test_apply_mark_rejects_bad_price(stub, price, shown, dry_run):
    error = expect_rejected(stub, mark_call(stub, price=price, dry_run=dry_run),
                            CODE.INVALID_ARGUMENT, f"price is {shown}")
    assert detail(error, error_details_pb2.BadRequest).field_violations[0].field == "price"


def test_apply_mark_rejects_unknown_instrument(stub):
    expect_rejected(stub, mark_call(stub, instrument_id=UNKNOWN_INSTRUMENT), CODE.NOT_FOUND,
                    f"unknown instrument {UNKNOWN_INSTRUMENT}")


def test_apply_mark_rejects_undefined_cap_policy(stub):
    expect_rejected(stub, mark_call(stub, cap_policy=7), CODE.INVALID_ARGUMENT,
                    "cap_policy 7 is not a defined CapPolicy value")


def test_apply_mark_rejects_seq_gap_naming_expected_seq(stub):
    expected = applied_seq(stub) + 1
    error = expect_rejected(stub, mark_call(stub, seq=expected + 1), CODE.FAILED_PRECONDITION,
                            f"seq {expected + 1}", f"expected seq {expected}")
    assert detail(error, error_details_pb2.ErrorInfo).metadata["expected_seq"] == str(expected)


def test_apply_mark_duplicate_returns_the_byte_identical_original(stub):
    seq = applied_seq(stub) + 1
    original = stub.ApplyMark(pb.ApplyMarkRequest(seq=seq, instrument_id=ETH, price=3100.0))
    assert (original.seq, original.applied_price, original.previous_price) == (seq, 3100.0, 3000.0)
    before = snapshot(stub)
    again = stub.ApplyMark(pb.ApplyMarkRequest(seq=seq, instrument_id=ETH, price=3100.0))
    assert again.SerializeToString() == original.SerializeToString()
    assert snapshot(stub) == before
    # A different price under the same seq: refused, nothing applied.
    expect_rejected(stub, lambda: stub.ApplyMark(pb.ApplyMarkRequest(seq=seq, instrument_id=ETH,
                                                                     price=2000.0)),
                    CODE.FAILED_PRECONDITION, f"seq {seq} was already applied as a mark update "
                    "and this request's content differs")
    assert snapshot(stub) == before


def test_apply_mark_dry_run_changes_nothing(stub):
    before = snapshot(stub)
    response = stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=ETH, price=3200.0, dry_run=True))
    assert (response.seq, response.dry_run, response.applied_price) == (0, True, 3200.0)
    assert snapshot(stub) == before


# ---- UpsertCurrency ----------------------------------------------------------------------

# ---- ApplyMarks --------------------------------------------------------------------------

def marks_call(stub, *marks, seq=None, dry_run=False):
    def call():
        return stub.ApplyMarks(pb.ApplyMarksRequest(
            seq=applied_seq(stub) + 1 if seq is None else seq, dry_run=dry_run,
            marks=[pb.MarkRequest(**mark) for mark in marks]))
    return call


@pytest.mark.parametrize("second, code, fragment", [
    (dict(instrument_id=ETH, price=3000.005), CODE.INVALID_ARGUMENT, "marks[1].price is 3000.005"),
    (dict(instrument_id=ETH, price=NAN), CODE.INVALID_ARGUMENT, "marks[1].price is nan"),
    (dict(instrument_id=UNKNOWN_INSTRUMENT, price=1.0), CODE.NOT_FOUND,
     f"unknown instrument {UNKNOWN_INSTRUMENT}"),
    (dict(instrument_id=ETH, price=3100.0, cap_policy=7), CODE.INVALID_ARGUMENT,
     "marks[1].cap_policy 7 is not a defined CapPolicy value"),
    (dict(instrument_id=PERP, price=102.0), CODE.INVALID_ARGUMENT, f"instrument {PERP} is requested more than once"),
])
@pytest.mark.parametrize("dry_run", [False, True])
def test_apply_marks_refuses_the_whole_call_on_one_bad_request(stub, second, code, fragment, dry_run):
    expect_rejected(stub, marks_call(stub, dict(instrument_id=PERP, price=101.0), second, dry_run=dry_run),
                    code, fragment)


def test_apply_marks_refuses_an_empty_list(stub):
    expect_rejected(stub, marks_call(stub), CODE.INVALID_ARGUMENT, "at least one mark request")


def test_apply_marks_rejects_seq_gap_naming_expected_seq(stub):
    expected = applied_seq(stub) + 1
    expect_rejected(stub, marks_call(stub, dict(instrument_id=PERP, price=101.0), seq=expected + 1),
                    CODE.FAILED_PRECONDITION, f"expected seq {expected}")


def test_apply_marks_duplicate_returns_the_byte_identical_original(stub):
    seq = applied_seq(stub) + 1
    original = marks_call(stub, dict(instrument_id=ETH, price=3050.0), dict(instrument_id=PERP, price=100.5),
                          seq=seq)()
    assert [o.applied_price for o in original.outcomes] == [3050.0, 100.5] and original.seq == seq
    again = marks_call(stub, dict(instrument_id=ETH, price=3050.0), dict(instrument_id=PERP, price=100.5),
                       seq=seq)()
    assert again.SerializeToString() == original.SerializeToString()
    expect_rejected(stub, marks_call(stub, dict(instrument_id=ETH, price=2000.0), seq=seq),
                    CODE.FAILED_PRECONDITION, "content differs")
    with pytest.raises(grpc.RpcError) as raised:  # the seq was a mark list, not a single mark
        stub.ApplyMark(pb.ApplyMarkRequest(seq=seq, instrument_id=ETH, price=2000.0))
    assert raised.value.code() == CODE.FAILED_PRECONDITION


def currency_call(stub, seq=None, **currency):
    def call():
        request = pb.UpsertCurrencyRequest(seq=applied_seq(stub) + 1 if seq is None else seq)
        if currency:
            request.currency.CopyFrom(pb.Currency(**currency))
        return stub.UpsertCurrency(request)
    return call


@pytest.mark.parametrize("price,shown", [(NAN, "nan"), (INF, "inf"), (0.0, "0.0"),
                                         (-1.0, "-1.0"), (5e-324, "5e-324")])
def test_upsert_currency_rejects_bad_price(stub, price, shown):
    expect_rejected(stub, currency_call(stub, currency_id=BTC, price=price),
                    CODE.INVALID_ARGUMENT, f"currency.price is {shown}")


def test_upsert_currency_requires_the_currency(stub):
    expect_rejected(stub, currency_call(stub), CODE.INVALID_ARGUMENT, "currency is required")


def test_upsert_currency_refuses_to_change_the_valuation_price(stub):
    expect_rejected(stub, currency_call(stub, currency_id=USD, price=1.01),
                    CODE.FAILED_PRECONDITION, "valuation currency", "1.01")


def test_upsert_currency_refuses_a_second_valuation_currency(stub):
    expect_rejected(stub, currency_call(stub, currency_id=BTC, price=50000.0, valuation=True),
                    CODE.FAILED_PRECONDITION, f"currency {BTC} cannot become it")


def test_upsert_currency_new_currency_needs_a_code(stub):
    expect_rejected(stub, currency_call(stub, currency_id=UNKNOWN_CURRENCY, price=2.0),
                    CODE.INVALID_ARGUMENT, f"currency {UNKNOWN_CURRENCY} needs a code")


def test_upsert_currency_rejects_seq_gap(stub):
    expected = applied_seq(stub) + 1
    expect_rejected(stub, currency_call(stub, seq=expected + 3, currency_id=BTC, price=1.0),
                    CODE.FAILED_PRECONDITION, f"expected seq {expected}")


def test_upsert_currency_duplicate_returns_the_original(stub):
    seq = applied_seq(stub) + 1
    original = stub.UpsertCurrency(pb.UpsertCurrencyRequest(
        seq=seq, currency=pb.Currency(currency_id=BTC, price=51000.0)))
    before = snapshot(stub)
    again = stub.UpsertCurrency(pb.UpsertCurrencyRequest(
        seq=seq, currency=pb.Currency(currency_id=BTC, price=51000.0)))
    assert again.SerializeToString() == original.SerializeToString()
    expect_rejected(stub, lambda: stub.UpsertCurrency(pb.UpsertCurrencyRequest(
        seq=seq, currency=pb.Currency(currency_id=BTC, price=1.0))),
        CODE.FAILED_PRECONDITION, "content differs")
    assert snapshot(stub) == before


# ---- UpsertInstrument --------------------------------------------------------------------

NEW_INSTRUMENT = dict(instrument_id=50, symbol="SOL-PERP", kind=pb.CONTRACT_KIND_LINEAR,
                      settlement_currency_id=USD, multiplier=1.0, tick_size=0.01,
                      mark_price=20.0)


def instrument_call(stub, seq=None, **instrument):
    def call():
        request = pb.UpsertInstrumentRequest(seq=applied_seq(stub) + 1 if seq is None else seq)
        if instrument:
            request.instrument.CopyFrom(pb.Instrument(**instrument))
        return stub.UpsertInstrument(request)
    return call


def test_upsert_instrument_requires_the_instrument(stub):
    expect_rejected(stub, instrument_call(stub), CODE.INVALID_ARGUMENT, "instrument is required")


def test_upsert_instrument_create_requires_kind(stub):
    fields = dict(NEW_INSTRUMENT, kind=pb.CONTRACT_KIND_UNSPECIFIED)
    error = expect_rejected(stub, instrument_call(stub, **fields), CODE.INVALID_ARGUMENT,
                            "instrument 50 is new: kind required")
    assert detail(error, error_details_pb2.BadRequest).field_violations[0].field == \
        "instrument.kind"


def test_upsert_instrument_rejects_undefined_enum_numbers(stub):
    expect_rejected(stub, instrument_call(stub, **dict(NEW_INSTRUMENT, kind=5)),
                    CODE.INVALID_ARGUMENT, "instrument.kind 5 is not a defined ContractKind")
    expect_rejected(stub, instrument_call(stub, **dict(NEW_INSTRUMENT, adl_allocation=9)),
                    CODE.INVALID_ARGUMENT, "instrument.adl_allocation 9 is not a defined")


@pytest.mark.parametrize("field,value,shown", [("multiplier", NAN, "nan"),
                                               ("multiplier", -1.0, "-1.0"),
                                               ("multiplier", 5e-324, "5e-324"),
                                               ("mark_price", INF, "inf"),
                                               ("mark_price", 0.0, "0.0"),
                                               ("mark_price", 5e-324, "5e-324")])
def test_upsert_instrument_rejects_bad_terms(stub, field, value, shown):
    expect_rejected(stub, instrument_call(stub, **dict(NEW_INSTRUMENT, **{field: value})),
                    CODE.INVALID_ARGUMENT, f"instrument.{field} is {shown}")


def test_upsert_instrument_rejects_unknown_settlement_currency(stub):
    fields = dict(NEW_INSTRUMENT, settlement_currency_id=UNKNOWN_CURRENCY)
    expect_rejected(stub, instrument_call(stub, **fields), CODE.NOT_FOUND,
                    f"unknown currency {UNKNOWN_CURRENCY}")


@pytest.mark.parametrize("field,value", [("multiplier", 2.0), ("mark_price", 150.0),
                                         ("tick_size", 0.25),
                                         ("kind", pb.CONTRACT_KIND_INVERSE),
                                         ("settlement_currency_id", BTC)])
def test_upsert_instrument_refuses_to_change_terms_of_a_held_instrument(stub, field, value):
    expect_rejected(stub, instrument_call(stub, instrument_id=PERP, **{field: value}),
                    CODE.FAILED_PRECONDITION, "has open positions", field)


def test_upsert_instrument_duplicate_returns_the_original(stub):
    seq = applied_seq(stub) + 1
    original = stub.UpsertInstrument(pb.UpsertInstrumentRequest(
        seq=seq, instrument=pb.Instrument(instrument_id=ETH, symbol="ETH-PERP-2")))
    assert original.instrument.symbol == "ETH-PERP-2"
    before = snapshot(stub)
    again = stub.UpsertInstrument(pb.UpsertInstrumentRequest(
        seq=seq, instrument=pb.Instrument(instrument_id=ETH, symbol="ETH-PERP-2")))
    assert again.SerializeToString() == original.SerializeToString()
    expect_rejected(stub, lambda: stub.UpsertInstrument(pb.UpsertInstrumentRequest(
        seq=seq, instrument=pb.Instrument(instrument_id=ETH, symbol="OTHER"))),
        CODE.FAILED_PRECONDITION, "content differs")
    assert snapshot(stub) == before


# ---- units (SPEC 1 "Numbers"): the default exchange's BTC-PERP has tick 0.5, ETH-PERP 0.01,
# USD 2 decimals, BTC 8 ----------------------------------------------------------------------

@pytest.mark.parametrize("price,shown", [(100.25, "100.25"), (100.1, "100.1"),
                                         (100.00000000000001, "100.00000000000001")])
def test_stream_deltas_refuses_a_fill_price_off_the_grid(stub, price, shown):
    error = expect_rejected(stub, deltas_call(stub, fills((LONG_ID, PERP, 1, 100.0),
                                                          (SHORT_ID, PERP, -1, price))),
                            CODE.INVALID_ARGUMENT,
                            f"fills[1].price is {shown}: not a whole multiple of the tick 0.5 "
                            f"of instrument {PERP}")
    assert detail(error, error_details_pb2.BadRequest).field_violations[0].field == "fills[1].price"


@pytest.mark.parametrize("currency,amount,unit", [(USD, 0.001, "0.01 USD"), (USD, 10.005, "0.01 USD"),
                                                  (BTC, 1e-9, "1E-8 BTC")])
def test_stream_deltas_refuses_an_amount_finer_than_the_minor_unit(stub, currency, amount, unit):
    expect_rejected(stub, deltas_call(stub, request_transfers=transfers(
        (LONG_ID, USD, 5.0), (LONG_ID, currency, amount))),
        CODE.INVALID_ARGUMENT, f"transfers[1].amount is {amount!r}: not a whole multiple of the "
                               f"minor unit {unit}")


def test_stream_deltas_refuses_an_amount_of_2_pow_53_minor_units(stub):
    amount = float(2**53) / 100  # exactly 2^53 cents
    expect_rejected(stub, deltas_call(stub, request_transfers=transfers((LONG_ID, USD, amount))),
                    CODE.INVALID_ARGUMENT, f"transfers[0].amount is {amount!r}: 2^53 or more times "
                                           "the minor unit 0.01 USD")


@pytest.mark.parametrize("dry_run", [False, True])
def test_apply_mark_refuses_a_price_off_the_grid(stub, dry_run):
    expect_rejected(stub, mark_call(stub, instrument_id=ETH, price=3000.005, dry_run=dry_run),
                    CODE.INVALID_ARGUMENT, "price is 3000.005: not a whole multiple of the tick 0.01")


def test_upsert_currency_new_currency_needs_decimals(stub):
    expect_rejected(stub, currency_call(stub, currency_id=UNKNOWN_CURRENCY, price=2.0, code="ETH"),
                    CODE.INVALID_ARGUMENT, f"currency {UNKNOWN_CURRENCY} is new: decimals required")


def test_upsert_currency_refuses_more_than_18_decimals(stub):
    expect_rejected(stub, currency_call(stub, currency_id=UNKNOWN_CURRENCY, price=2.0, code="ETH",
                                        decimals=19),
                    CODE.INVALID_ARGUMENT, "currency.decimals is 19: must be a whole number from 0 to 18")


def test_upsert_currency_refuses_new_decimals_once_balances_exist(stub):
    expect_rejected(stub, currency_call(stub, currency_id=USD, price=1.0, decimals=6),
                    CODE.FAILED_PRECONDITION, f"currency {USD} has balances",
                    "cannot change from 2 to 6")


def test_upsert_instrument_create_requires_a_tick_size(stub):
    fields = {k: v for k, v in NEW_INSTRUMENT.items() if k != "tick_size"}
    expect_rejected(stub, instrument_call(stub, **fields), CODE.INVALID_ARGUMENT,
                    "instrument 50 is new: tick_size required")


@pytest.mark.parametrize("tick,shown", [(0.0, "0.0"), (-0.5, "-0.5"), (NAN, "nan"),
                                        (1e-19, "1e-19"), (5e-324, "5e-324")])
def test_upsert_instrument_refuses_a_bad_tick_size(stub, tick, shown):
    expect_rejected(stub, instrument_call(stub, **dict(NEW_INSTRUMENT, tick_size=tick)),
                    CODE.INVALID_ARGUMENT, f"instrument.tick_size is {shown}")


def test_upsert_instrument_refuses_a_mark_off_the_grid(stub):
    expect_rejected(stub, instrument_call(stub, **dict(NEW_INSTRUMENT, mark_price=20.003)),
                    CODE.INVALID_ARGUMENT,
                    "instrument.mark_price is 20.003: not a whole multiple of the tick 0.01")


def test_upsert_instrument_refuses_a_mark_of_2_pow_53_ticks(stub):
    fields = dict(NEW_INSTRUMENT, tick_size=1e-8, mark_price=1e9)  # 10^17 ticks
    expect_rejected(stub, instrument_call(stub, **fields), CODE.INVALID_ARGUMENT,
                    "instrument.mark_price is 1000000000.0: 2^53 or more times the tick 1e-08")


def test_units_are_listed(stub):
    currencies = stub.ListCurrencies(pb.ListCurrenciesRequest()).currencies
    assert [(c.code, c.decimals) for c in currencies] == [("USD", 2), ("BTC", 8)]
    instruments = stub.ListInstruments(pb.ListInstrumentsRequest()).instruments
    assert {i.instrument_id: i.tick_size for i in instruments} == {PERP: 0.5, ETH: 0.01, 9: 0.5}


# ---- queries -----------------------------------------------------------------------------

def test_get_account_unknown_id_is_not_found(stub):
    error = expect_rejected(
        stub, lambda: stub.GetAccount(pb.GetAccountRequest(account_id=UNKNOWN_ACCOUNT)),
        CODE.NOT_FOUND, f"unknown account {UNKNOWN_ACCOUNT}")
    assert detail(error, error_details_pb2.ResourceInfo).resource_type == "account"


def test_get_bankruptcy_band_unknown_instrument_is_not_found(stub):
    expect_rejected(stub, lambda: stub.GetBankruptcyBand(
        pb.GetBankruptcyBandRequest(instrument_id=UNKNOWN_INSTRUMENT)),
        CODE.NOT_FOUND, f"unknown instrument {UNKNOWN_INSTRUMENT}")


def test_get_adl_queue_unknown_instrument_is_not_found(stub):
    expect_rejected(stub, lambda: stub.GetAdlQueue(pb.GetAdlQueueRequest(
        instrument_id=UNKNOWN_INSTRUMENT, side=pb.SIDE_LONG)),
        CODE.NOT_FOUND, f"unknown instrument {UNKNOWN_INSTRUMENT}")


@pytest.mark.parametrize("side,fragment", [(pb.SIDE_UNSPECIFIED, "side is required"),
                                           (3, "side 3 is not a defined Side value")])
def test_get_adl_queue_requires_a_defined_side(stub, side, fragment):
    error = expect_rejected(stub, lambda: stub.GetAdlQueue(pb.GetAdlQueueRequest(
        instrument_id=PERP, side=side)), CODE.INVALID_ARGUMENT, fragment)
    assert detail(error, error_details_pb2.BadRequest).field_violations[0].field == "side"


def test_get_adl_queue_answers_after_the_bad_requests(stub):
    entries = stub.GetAdlQueue(pb.GetAdlQueueRequest(instrument_id=PERP, side=pb.SIDE_SHORT))
    assert [(e.account_id, e.qty, e.rank) for e in entries.entries] == [(SHORT_ID, -10, 1)]
