"""The insurance fund reaches its floor before any trader is bankrupt (SPEC 3.3, 3.7, 5).

Linear instrument 1, multiplier 1, mark 100, USD valuation; fund floor F = 100.
"""
import pytest

from .book import Book
from .exchange import (
    fpm_config, TOLERANCE, account, adl_fills, apply_mark, assert_invariants_after_cap, equities,
    fund_equity, liquidations, position,
)

CONFIG = fpm_config(floor=100.0)
FPM = 1
FUND = 0


def test_rise_stops_at_the_funds_own_bankruptcy_price_and_deleverages_it_to_exactly_the_floor(open_exchange):
    stub = open_exchange(CONFIG)
    # Given: the fund's b is the nearest one above 100.
    book = (Book(instrument_id=FPM)
            .short(account=FUND, qty=4, price=100).deposit(account=FUND, usd=180)  # b = (-400-(180-100))/-4 = 120
            .short(account=1, qty=6, price=100).deposit(account=1, usd=300)        # b = (-600-300)/-6 = 150
            .long(account=2, qty=6, price=90).deposit(account=2, usd=1000)         # K = 540
            .long(account=3, qty=4, price=95).deposit(account=3, usd=1000))        # K = 380
    book.send(stub)
    book.verify(stub)
    assert position(stub, FUND, FPM).bankruptcy_price == pytest.approx(120)
    before = equities(stub, book.accounts())
    # When
    response = apply_mark(stub, FPM, 140)
    # Then: capped at the fund's b, no trader is bankrupt there.
    assert response.capped
    assert response.applied_price == pytest.approx(120)
    assert response.first_bankruptcy_price == pytest.approx(120)
    assert liquidations(response) == []
    # ADL of the fund's whole short 4 at 120. upnl at 120: 2: 720-540 = 180, 3: 480-380 = 100.
    # Account 2 alone holds 6 >= 4, so it alone is selected and gives up 4*6/6 = 4.
    assert adl_fills(response) == [(2, FPM, -4, 120, 1)]
    assert response.adl_fills[0].score == pytest.approx(180)
    # Fund: 180 at 100; at 120 its short 4 lost 80 -> exactly the floor, 100.
    assert response.insurance_fund_equity_before == pytest.approx(180)
    assert response.insurance_fund_equity_after == pytest.approx(100)
    assert response.insurance_fund_deficit == pytest.approx(0, abs=TOLERANCE)
    assert position(stub, FUND, FPM) is None
    assert fund_equity(stub) == pytest.approx(100)
    # Account 2 keeps long 2 (K = 180), cash 1000 + 4*(120-90) = 1120; equity 1120 + 240-180 = 1180.
    assert position(stub, 2, FPM).qty == 2
    assert account(stub, 2).equity == pytest.approx(1180)
    # Account 1 is untouched: 300 - 6*20 = 180.
    assert position(stub, 1, FPM).qty == -6
    assert account(stub, 1).equity == pytest.approx(180)
    assert_invariants_after_cap(stub, book, before, response, fund_floor=100.0)
