"""SPEC 3's two seed examples, the acceptance baseline.

Linear instrument 1, multiplier 1, mark 100, USD valuation (sigma = 1).
Bankruptcy price of a position, all else fixed (SPEC 3.3): b = (K - E') / q,
for the fund with E' - F in place of E'.
"""
import pytest

from markcap.v1 import risk_engine_pb2 as pb

from .book import Book
from .exchange import (
    fpm_config, TOLERANCE, adl_fills, account, apply_mark, assert_invariants_after_cap,
    assert_moved_balances_are_zero, equities, fund_equity, liquidations, position,
)

CONFIG = fpm_config()
FPM = 1
FUND = 0
FIRST_BANKRUPTCY = pb.LIQUIDATION_REASON_FIRST_BANKRUPTCY_PRICE


def test_rise_to_120_stops_at_a_traders_bankruptcy_at_115_and_the_fund_takes_him_over(open_exchange):
    stub = open_exchange(CONFIG)
    # Given
    book = (Book(instrument_id=FPM)
            .deposit(account=FUND, usd=500)
            .short(account=1, qty=10, price=100).deposit(account=1, usd=150)   # b = (-1000-150)/-10 = 115
            .short(account=3, qty=5, price=100).deposit(account=3, usd=1000)   # b = (-500-1000)/-5 = 300
            .long(account=2, qty=15, price=100).deposit(account=2, usd=1000))
    book.send(stub)
    book.verify(stub)
    assert position(stub, 1, FPM).bankruptcy_price == pytest.approx(115)
    before = equities(stub, book.accounts())
    # When
    response = apply_mark(stub, FPM, 120)
    # Then the mark stops at 115, the only account bankrupt there is taken over.
    assert (response.previous_price, response.requested_price) == (100, 120)
    assert response.capped
    assert response.applied_price == pytest.approx(115)
    assert response.first_bankruptcy_price == pytest.approx(115)
    assert liquidations(response) == [(1, FIRST_BANKRUPTCY, 115, [(FPM, -10, 115)])]
    assert response.liquidations[0].equity_before == pytest.approx(0, abs=TOLERANCE)
    # Account 1's 150 USD pays exactly its loss -10*(115-100) = -150: nothing left to move.
    assert_moved_balances_are_zero(response.liquidations[0])
    assert adl_fills(response) == []
    # The takeover is at zero equity: the fund keeps its 500.
    assert response.insurance_fund_equity_before == pytest.approx(500)
    assert response.insurance_fund_equity_after == pytest.approx(500)
    assert response.insurance_fund_deficit == 0
    assert list(response.negative_equity_accounts) == []
    # Fund now short 10 with cost -10*115 = -1150; account 1 flat and empty.
    fund_position = position(stub, FUND, FPM)
    assert (fund_position.qty, fund_position.cost) == (-10, pytest.approx(-1150))
    assert account(stub, 1).equity == pytest.approx(0, abs=TOLERANCE)
    assert list(account(stub, 1).positions) == []
    assert fund_equity(stub) == pytest.approx(500)
    # Others revalued at 115: 2: 1000 + 15*15 = 1225; 3: 1000 - 5*15 = 925.
    assert account(stub, 2).equity == pytest.approx(1225)
    assert account(stub, 3).equity == pytest.approx(925)
    assert_invariants_after_cap(stub, book, before, response, fund_floor=0.0)


def seed_example_two_book() -> Book:
    """The book of the second seed example, with each bankruptcy price worked out.

    Shorts (harmed by a rise), b = (K - E') / q:
      1:    K=-1000, E'=250          -> b = -1250/-10 = 125
      fund: K=-200,  E'-F=50-0=50    -> b = -250/-2   = 125
      5:    K=-500,  E'=10000        -> b = -10500/-5 = 2100
    Longs: 2 (K=480), 3 (K=360), 4 (K=700). Longs 6+4+7 = 17 = shorts 10+2+5.
    """
    return (Book(instrument_id=FPM)
            .short(account=1, qty=10, price=100).deposit(account=1, usd=250)
            .short(account=FUND, qty=2, price=100).deposit(account=FUND, usd=50)
            .short(account=5, qty=5, price=100).deposit(account=5, usd=10000)
            .long(account=2, qty=6, price=80).deposit(account=2, usd=100)
            .long(account=3, qty=4, price=90).deposit(account=3, usd=100)
            .long(account=4, qty=7, price=100).deposit(account=4, usd=1000))


def test_rise_to_150_stops_at_125_where_the_fund_hits_its_floor_and_deleverages_the_top_longs(open_exchange):
    stub = open_exchange(CONFIG)
    # Given
    book = seed_example_two_book()
    book.send(stub)
    book.verify(stub)
    before = equities(stub, book.accounts())
    # When
    response = apply_mark(stub, FPM, 150)
    # Then: FBP 125 (account 1 and the fund tie), account 1 liquidated into the fund.
    assert response.capped
    assert response.applied_price == pytest.approx(125)
    assert response.first_bankruptcy_price == pytest.approx(125)
    assert liquidations(response) == [(1, FIRST_BANKRUPTCY, 125, [(FPM, -10, 125)])]
    assert response.liquidations[0].equity_before == pytest.approx(0, abs=TOLERANCE)
    # Fund: q=-12, K=-200-1250=-1450, cash 50: equity 50 + (-1500+1450) = 0 <= F -> ADL of 12.
    # upnl at 125: 2: 750-480=270, 4: 875-700=175, 3: 500-360=140 -> ranking 2, 4, 3.
    # Selection: 6 (acct 2) < 12, 6+7 = 13 >= 12 -> accounts 2 and 4.
    # Pro rata: 12*6/13 = 5.54, 12*7/13 = 6.46 -> 5 + 6 = 11, the spare contract goes
    # to the larger remainder (0.54, account 2) -> 6 and 6.
    assert adl_fills(response) == [(2, FPM, -6, 125, 1), (4, FPM, -6, 125, 2)]
    assert [fill.score for fill in response.adl_fills] == [pytest.approx(270), pytest.approx(175)]
    # Fund equity at 100 was 50 + 0; it ends at its floor 0, with no position.
    assert response.insurance_fund_equity_before == pytest.approx(50)
    assert response.insurance_fund_equity_after == pytest.approx(0, abs=TOLERANCE)
    assert response.insurance_fund_deficit == pytest.approx(0, abs=TOLERANCE)
    assert position(stub, FUND, FPM) is None
    assert fund_equity(stub) == pytest.approx(0, abs=TOLERANCE)
    # Counterparties realise at 125: 2 flat with 100 + 6*(125-80) = 370;
    # 4 keeps long 1 (K=100), cash 1000 + 6*(125-100) = 1150, equity 1175.
    assert position(stub, 2, FPM) is None
    assert account(stub, 2).equity == pytest.approx(370)
    assert (position(stub, 4, FPM).qty, position(stub, 4, FPM).cost) == (1, pytest.approx(100))
    assert account(stub, 4).equity == pytest.approx(1175)
    assert position(stub, 3, FPM).qty == 4
    # Value moved, none created: equities at 125 without any takeover were
    # 1: 0, fund: 0, 5: 10000-125 = 9875, 2: 370, 3: 240, 4: 1175 -> 11660.
    after = equities(stub, [FUND, 1, 2, 3, 4, 5])
    assert sum(after.values()) == pytest.approx(11660)
    assert_invariants_after_cap(stub, book, before, response, fund_floor=0.0)
