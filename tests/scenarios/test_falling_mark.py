"""A falling mark harms longs: the first bankruptcy price is a long's, below P0 (SPEC 3.1, 3.4).

Linear instrument 1, multiplier 1, mark 100, USD valuation, fund floor 0.
"""
import pytest

from markcap.v1 import risk_engine_pb2 as pb

from .book import Book
from .exchange import (
    fpm_config, TOLERANCE, account, adl_fills, apply_mark, assert_invariants_after_cap,
    assert_moved_balances_are_zero, equities, fund_equity, liquidations, position,
)

CONFIG = fpm_config()
FPM = 1
FUND = 0


def falling_book() -> Book:
    """The short's b (110) is nearer to 100 than any long's, but only on the wrong side."""
    return (Book(instrument_id=FPM)
            .deposit(account=FUND, usd=1000)
            .long(account=1, qty=10, price=100).deposit(account=1, usd=200)    # b = (1000-200)/10 = 80
            .long(account=2, qty=5, price=100).deposit(account=2, usd=450)     # b = (500-450)/5 = 10
            .short(account=3, qty=15, price=100).deposit(account=3, usd=150))  # b = (-1500-150)/-15 = 110


def test_the_bankruptcy_band_shows_the_nearest_long_below_and_short_above(open_exchange):
    stub = open_exchange(CONFIG)
    falling_book().send(stub)
    band = stub.GetBankruptcyBand(pb.GetBankruptcyBandRequest(instrument_id=FPM))
    assert band.mark_price == 100
    assert (band.lower_price, list(band.lower_account_ids)) == (pytest.approx(80), [1])
    assert (band.upper_price, list(band.upper_account_ids)) == (pytest.approx(110), [3])


def test_fall_to_60_stops_at_the_first_longs_bankruptcy_at_80_not_at_the_shorts_110(open_exchange):
    stub = open_exchange(CONFIG)
    # Given
    book = falling_book()
    book.send(stub)
    book.verify(stub)
    before = equities(stub, book.accounts())
    # When
    response = apply_mark(stub, FPM, 60)
    # Then: d = -1, harmed are the longs; the nearest b below 100 is 80.
    assert response.capped
    assert response.applied_price == pytest.approx(80)
    assert response.first_bankruptcy_price == pytest.approx(80)
    assert response.first_bankruptcy_price < response.previous_price
    # The fund takes over long 10 at 80; account 1's 200 pays its loss 10*(80-100) = -200.
    assert liquidations(response) == [(1, pb.LIQUIDATION_REASON_FIRST_BANKRUPTCY_PRICE, 80, [(FPM, 10, 80)])]
    assert response.liquidations[0].equity_before == pytest.approx(0, abs=TOLERANCE)
    assert_moved_balances_are_zero(response.liquidations[0])
    assert adl_fills(response) == []
    assert response.insurance_fund_equity_after == pytest.approx(1000)
    fund_position = position(stub, FUND, FPM)
    assert (fund_position.qty, fund_position.cost) == (10, pytest.approx(800))
    assert fund_equity(stub) == pytest.approx(1000)
    # At 80: 2: 450 + 400-500 = 350; 3 gains: 150 + (-1200+1500) = 450.
    assert account(stub, 2).equity == pytest.approx(350)
    assert account(stub, 3).equity == pytest.approx(450)
    assert_invariants_after_cap(stub, book, before, response, fund_floor=0.0)


def test_fall_that_stops_short_of_every_bankruptcy_is_applied_as_requested(open_exchange):
    stub = open_exchange(CONFIG)
    falling_book().send(stub)
    response = apply_mark(stub, FPM, 90)
    # FBP 80 lies beyond 90: reported as information, the mark moves to 90 uncapped.
    assert not response.capped
    assert response.applied_price == 90
    assert response.first_bankruptcy_price == pytest.approx(80)
    assert liquidations(response) == []
    # Account 1 at 90: 200 + 900-1000 = 100.
    assert account(stub, 1).equity == pytest.approx(100)
