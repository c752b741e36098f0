"""The same book deleveraged PRO_RATA and QUEUE gives different fills (SPEC 5.4, 5.5).

Linear instrument 1, multiplier 1, mark 100, USD valuation, fund floor 0,
PNL ranking; only adl_allocation differs.
"""
import pytest

from .book import Book
from .exchange import (
    fpm_config, TOLERANCE, adl_fills, apply_mark, assert_invariants_after_cap, equities, fund_equity,
    liquidations, position,
)

FPM = 1
FUND = 0


def fund_short_five_after_liquidation_book() -> Book:
    """At 120 the fund is left short 5 at zero equity, against longs of 4, 6 and 5.

    1:    K=-300,  E'=60         -> b = -360/-3 = 120
    fund: K=-200,  E'-F=40       -> b = -240/-2 = 120
    4:    K=-1000, E'=10000      -> b = -11000/-10 = 1100
    upnl at 120: 2: 480-320 = 160 (rank 1), 3: 720-600 = 120 (rank 2), 5: 600-500 = 100 (rank 3).
    """
    return (Book(instrument_id=FPM)
            .short(account=1, qty=3, price=100).deposit(account=1, usd=60)
            .short(account=FUND, qty=2, price=100).deposit(account=FUND, usd=40)
            .short(account=4, qty=10, price=100).deposit(account=4, usd=10000)
            .long(account=2, qty=4, price=80).deposit(account=2, usd=100)
            .long(account=3, qty=6, price=100).deposit(account=3, usd=100)
            .long(account=5, qty=5, price=100).deposit(account=5, usd=10000))


# Selection: account 2 holds 4 < 5, so account 3 is added (4+6 = 10 >= 5); account 5 is not
# (over all three, pro rata would give 5*4/15, 5*6/15, 5*5/15 = 1.33, 2, 1.67 instead).
# PRO_RATA: 5*4/10 = 2 and 5*6/10 = 3. QUEUE: account 2 closed fully (4), then 1 from account 3.
@pytest.mark.parametrize("allocation, expected_fills, expected_longs", [
    ("PRO_RATA", [(2, FPM, -2, 120, 1), (3, FPM, -3, 120, 2)], {2: 2, 3: 3, 5: 5}),
    ("QUEUE", [(2, FPM, -4, 120, 1), (3, FPM, -1, 120, 2)], {2: 0, 3: 5, 5: 5}),
])
def test_fund_short_5_is_split_over_longs_of_4_and_6_by_the_instruments_allocation(
        open_exchange, allocation, expected_fills, expected_longs):
    stub = open_exchange(fpm_config(allocation=allocation))
    # Given
    book = fund_short_five_after_liquidation_book()
    book.send(stub)
    book.verify(stub)
    before = equities(stub, book.accounts())
    # When
    response = apply_mark(stub, FPM, 150)
    # Then: account 1 taken over at 120; fund short 5, K = -200-360 = -560, cash 40:
    # equity 40 + (-600+560) = 0 <= F, so ADL of all 5 at 120.
    assert response.applied_price == pytest.approx(120)
    assert [liq[0] for liq in liquidations(response)] == [1]
    assert adl_fills(response) == expected_fills
    assert [fill.score for fill in response.adl_fills] == [pytest.approx(160), pytest.approx(120)]
    for account_id, qty in expected_longs.items():
        held = position(stub, account_id, FPM)
        assert (held.qty if held else 0) == qty
    assert position(stub, FUND, FPM) is None
    assert fund_equity(stub) == pytest.approx(0, abs=TOLERANCE)
    assert response.insurance_fund_deficit == pytest.approx(0, abs=TOLERANCE)
    assert_invariants_after_cap(stub, book, before, response, fund_floor=0.0)
