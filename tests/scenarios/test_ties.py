"""Traders with the very same bankruptcy price are all taken over, ascending account_id (SPEC 3.6, 4).

Linear instrument 1, multiplier 1, mark 100, USD valuation, fund floor 0.
"""
import pytest

from markcap.v1 import risk_engine_pb2 as pb

from .book import Book
from .exchange import (
    fpm_config, TOLERANCE, adl_fills, apply_mark, assert_invariants_after_cap, assert_moved_balances_are_zero,
    equities, fund_equity, liquidations, position,
)

CONFIG = fpm_config()
FPM = 1
FUND = 0
FIRST_BANKRUPTCY = pb.LIQUIDATION_REASON_FIRST_BANKRUPTCY_PRICE


def test_two_shorts_bankrupt_at_exactly_120_are_both_taken_over_lower_account_first(open_exchange):
    stub = open_exchange(CONFIG)
    # Given: the higher id is booked first, so ascending order is not an accident of input order.
    book = (Book(instrument_id=FPM)
            .deposit(account=FUND, usd=1000)
            .short(account=7, qty=10, price=100).deposit(account=7, usd=200)   # b = -1200/-10 = 120
            .short(account=3, qty=5, price=100).deposit(account=3, usd=100)    # b = -600/-5 = 120
            .short(account=5, qty=2, price=100).deposit(account=5, usd=1000)   # b = -1200/-2 = 600
            .long(account=4, qty=17, price=100).deposit(account=4, usd=5000))
    book.send(stub)
    book.verify(stub)
    band = stub.GetBankruptcyBand(pb.GetBankruptcyBandRequest(instrument_id=FPM))
    assert (band.upper_price, list(band.upper_account_ids)) == (pytest.approx(120), [3, 7])
    before = equities(stub, book.accounts())
    # When
    response = apply_mark(stub, FPM, 130)
    # Then
    assert response.capped
    assert response.applied_price == pytest.approx(120)
    assert liquidations(response) == [
        (3, FIRST_BANKRUPTCY, 120, [(FPM, -5, 120)]),
        (7, FIRST_BANKRUPTCY, 120, [(FPM, -10, 120)]),
    ]
    for liquidation in response.liquidations:
        assert liquidation.equity_before == pytest.approx(0, abs=TOLERANCE)
        assert_moved_balances_are_zero(liquidation)
    # Both takeovers at zero equity: the fund keeps 1000 and stays solvent, no ADL.
    assert adl_fills(response) == []
    assert fund_equity(stub) == pytest.approx(1000)
    fund_position = position(stub, FUND, FPM)
    assert (fund_position.qty, fund_position.cost) == (-15, pytest.approx(-1800))
    assert position(stub, 5, FPM).qty == -2
    assert_invariants_after_cap(stub, book, before, response, fund_floor=0.0)
