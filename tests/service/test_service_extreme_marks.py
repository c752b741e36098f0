"""Issue 12's critical row through a real (in-process) gRPC server: one tiny mark on an empty inverse
instrument must not switch capping off on every other instrument."""
import grpc
import pytest

from markcap.v1 import risk_engine_pb2 as pb

PERP, INVERSE, USD = 7, 9, 1


def _book(stub):
    """Accounts 1 and 2 fill +10/-10 at 100 on BTC-PERP with 500 USD each: 2 is bankrupt at 150."""
    columns = pb.FillColumns(account_id=[1, 2], instrument_id=[PERP, PERP], qty=[10, -10], price=[100.0, 100.0])
    transfers = pb.TransferColumns(account_id=[1, 2], currency_id=[USD, USD], amount=[500.0, 500.0])
    [ack] = stub.StreamDeltas(iter([pb.StreamDeltasRequest(fills=columns, transfers=transfers)]))
    return ack


@pytest.mark.parametrize("tiny", [5e-324, 1e-320])
def test_a_tiny_inverse_mark_is_refused_and_capping_stays_on(start_in_process_server, tiny):
    stub = start_in_process_server(extra_args=("--in-memory",)).stub()
    _book(stub)
    with pytest.raises(grpc.RpcError) as raised:
        stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=INVERSE, price=tiny))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert f"price is {tiny!r}" in raised.value.details()
    with pytest.raises(grpc.RpcError) as raised:
        stub.UpsertInstrument(pb.UpsertInstrumentRequest(instrument=pb.Instrument(
            instrument_id=INVERSE, mark_price=tiny)))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    outcome = stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=PERP, price=200.0))
    assert outcome.capped and outcome.applied_price == 150.0
    assert [liquidation.account_id for liquidation in outcome.liquidations] == [2]
