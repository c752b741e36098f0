"""NO_CAP: the mark becomes P1 and negative equities are reported, nothing liquidated (SPEC 3).

Linear instrument 1, multiplier 1, mark 100, USD valuation, fund floor 0. The
policy is NO_CAP either on the instrument or as a per-call override of CAP.
"""
import pytest

from markcap.v1 import risk_engine_pb2 as pb

from .book import Book
from .exchange import fpm_config, account, adl_fills, apply_mark, liquidations, position

FPM = 1
FUND = 0


@pytest.mark.parametrize("instrument_policy, override", [
    ("NO_CAP", pb.CAP_POLICY_UNSPECIFIED),
    ("CAP_TO_FIRST_BANKRUPTCY_PRICE", pb.CAP_POLICY_NO_CAP),
], ids=["instrument-policy", "per-call-override"])
def test_no_cap_rise_to_130_applies_130_and_lists_the_accounts_left_negative(open_exchange, instrument_policy,
                                                                             override):
    stub = open_exchange(fpm_config(cap_policy=instrument_policy))
    # Given
    book = (Book(instrument_id=FPM)
            .deposit(account=FUND, usd=500)
            .short(account=1, qty=10, price=100).deposit(account=1, usd=150)   # b = 115
            .short(account=2, qty=4, price=100).deposit(account=2, usd=100)    # b = 125
            .long(account=3, qty=14, price=100).deposit(account=3, usd=1000))
    book.send(stub)
    book.verify(stub)
    # When
    response = apply_mark(stub, FPM, 130, cap_policy=override)
    # Then
    assert response.cap_policy == pb.CAP_POLICY_NO_CAP
    assert not response.capped
    assert response.applied_price == 130
    assert not response.HasField("first_bankruptcy_price")
    assert liquidations(response) == []
    assert adl_fills(response) == []
    # At 130: 1: 150 + (-1300+1000) = -150; 2: 100 + (-520+400) = -20; 3: 1000+420; fund 500.
    negative = [(entry.account_id, entry.equity) for entry in response.negative_equity_accounts]
    assert negative == [(1, pytest.approx(-150)), (2, pytest.approx(-20))]
    assert response.insurance_fund_equity_before == pytest.approx(500)
    assert response.insurance_fund_equity_after == pytest.approx(500)
    assert response.insurance_fund_deficit == 0
    # Nobody was taken over: the bankrupt shorts still hold their positions.
    assert position(stub, 1, FPM).qty == -10
    assert position(stub, 2, FPM).qty == -4
    assert account(stub, 1).equity == pytest.approx(-150)
    assert account(stub, 3).equity == pytest.approx(1420)
