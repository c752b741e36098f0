"""An account already bankrupt at P0 is taken over first, at P0; the fund absorbs its deficit (SPEC 3.2, 4).

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
USD = 1


def test_account_bankrupt_after_a_withdrawal_is_taken_over_at_100_before_the_rise_stops_at_120(open_exchange):
    stub = open_exchange(CONFIG)
    # Given: account 1 withdrew more than it had; at 100 its equity is -30.
    book = (Book(instrument_id=FPM)
            .deposit(account=FUND, usd=2000)
            .short(account=1, qty=10, price=100).deposit(account=1, usd=100).withdraw(account=1, usd=130)
            .short(account=2, qty=5, price=100).deposit(account=2, usd=100)     # b = (-500-100)/-5 = 120
            .long(account=3, qty=15, price=100).deposit(account=3, usd=5000))
    book.send(stub)
    book.verify(stub)
    assert account(stub, 1).equity == pytest.approx(-30)
    before = equities(stub, book.accounts())
    # When
    response = apply_mark(stub, FPM, 150)
    # Then: first account 1 at P0 = 100 (its short and its -30 go to the fund:
    # fund cash 1970, short 10, K = -1000, so the fund's b = (-1000-1970)/-10 = 297);
    # then the rise stops at account 2's b = 120, nearer than 297.
    assert response.capped
    assert response.applied_price == pytest.approx(120)
    assert response.first_bankruptcy_price == pytest.approx(120)
    assert liquidations(response) == [
        (1, pb.LIQUIDATION_REASON_ALREADY_BANKRUPT, 100, [(FPM, -10, 100)]),
        (2, pb.LIQUIDATION_REASON_FIRST_BANKRUPTCY_PRICE, 120, [(FPM, -5, 120)]),
    ]
    already_bankrupt, first_bankrupt = response.liquidations
    assert already_bankrupt.equity_before == pytest.approx(-30)
    # Closing the short at 100 realises nothing, so the balance moved is the -30.
    assert [(b.currency_id, b.amount) for b in already_bankrupt.balances] == [(USD, pytest.approx(-30))]
    assert first_bankrupt.equity_before == pytest.approx(0, abs=TOLERANCE)
    assert_moved_balances_are_zero(first_bankrupt)
    assert adl_fills(response) == []
    # Fund: 2000 - 30 (absorbed deficit) - 10*(120-100) (the short it took at 100) = 1770;
    # account 2's takeover at 120 is at zero equity.
    assert response.insurance_fund_equity_before == pytest.approx(2000)
    assert response.insurance_fund_equity_after == pytest.approx(1770)
    assert response.insurance_fund_deficit == 0
    assert fund_equity(stub) == pytest.approx(1770)
    # Fund holds short 15 with K = -1000 - 600 = -1600.
    fund_position = position(stub, FUND, FPM)
    assert (fund_position.qty, fund_position.cost) == (-15, pytest.approx(-1600))
    # Account 1 ends flat with no balance; account 3 at 120: 5000 + 15*20 = 5300.
    assert list(account(stub, 1).positions) == [] and list(account(stub, 1).balances) == []
    assert account(stub, 3).equity == pytest.approx(5300)
    assert list(response.negative_equity_accounts) == []
    assert_invariants_after_cap(stub, book, before, response, fund_floor=0.0)
