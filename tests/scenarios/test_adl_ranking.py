"""PNL and PNL_RATIO_TIMES_LEVERAGE rank the same longs in opposite orders (SPEC 5.3).

Linear instrument 1, multiplier 1, mark 100, USD valuation, fund floor 0,
PRO_RATA allocation; only adl_ranking differs.
"""
import pytest

from markcap.v1 import risk_engine_pb2 as pb

from .book import Book
from .exchange import (
    fpm_config, TOLERANCE, adl_fills, apply_mark, assert_invariants_after_cap, equities, fund_equity,
    liquidations, position,
)

FPM = 1
FUND = 0


def big_calm_long_and_small_leveraged_long_book() -> Book:
    """At 120 the fund is left short 5 at zero equity (as in the allocation scenario).

    1: b = (-300-60)/-3 = 120; fund: b = (-200-40)/-2 = 120; 4: b = (-1000-10000)/-10 = 1100.
    At 120, for the longs (r = upnl/|K|, L = |q*120|/E):
      2: upnl 1200-1000 = 200, r = 0.2, E = 10200, L = 1200/10200, r*L = 0.0235294...
      3: upnl  600-500  = 100, r = 0.2, E =   200, L =  600/200 = 3, r*L = 0.6
    PNL puts 2 first, PNL_RATIO_TIMES_LEVERAGE puts 3 first; either alone holds >= 5.
    """
    return (Book(instrument_id=FPM)
            .short(account=1, qty=3, price=100).deposit(account=1, usd=60)
            .short(account=FUND, qty=2, price=100).deposit(account=FUND, usd=40)
            .short(account=4, qty=10, price=100).deposit(account=4, usd=10000)
            .long(account=2, qty=10, price=100).deposit(account=2, usd=10000)
            .long(account=3, qty=5, price=100).deposit(account=3, usd=100))


@pytest.mark.parametrize("ranking, expected_fill, score, expected_longs", [
    ("PNL", (2, FPM, -5, 120, 1), 200, {2: 5, 3: 5}),
    ("PNL_RATIO_TIMES_LEVERAGE", (3, FPM, -5, 120, 1), 0.6, {2: 10, 3: 0}),
])
def test_fund_short_5_is_deleveraged_against_the_top_of_the_instruments_ranking(
        open_exchange, ranking, expected_fill, score, expected_longs):
    stub = open_exchange(fpm_config(ranking=ranking))
    # Given
    book = big_calm_long_and_small_leveraged_long_book()
    book.send(stub)
    book.verify(stub)
    before = equities(stub, book.accounts())
    # When
    response = apply_mark(stub, FPM, 150)
    # Then
    assert response.applied_price == pytest.approx(120)
    assert [liq[0] for liq in liquidations(response)] == [1]
    assert adl_fills(response) == [expected_fill]
    assert response.adl_fills[0].score == pytest.approx(score, rel=1e-9)
    for account_id, qty in expected_longs.items():
        held = position(stub, account_id, FPM)
        assert (held.qty if held else 0) == qty
    assert fund_equity(stub) == pytest.approx(0, abs=TOLERANCE)
    assert_invariants_after_cap(stub, book, before, response, fund_floor=0.0)


# At 110 (below every b, so applied as requested), for the longs:
#   2: upnl 1100-1000 = 100, r = 0.1, E = 10100, L = 1100/10100 -> r*L = 110/10100
#   3: upnl  550-500  =  50, r = 0.1, E =   150, L =  550/150   -> r*L = 55/150
@pytest.mark.parametrize("ranking, expected_queue", [
    ("PNL", [(2, 10, 100, 1), (3, 5, 50, 2)]),
    ("PNL_RATIO_TIMES_LEVERAGE", [(3, 5, 55 / 150, 1), (2, 10, 110 / 10100, 2)]),
])
def test_the_long_adl_queue_publishes_the_instruments_ranking_and_scores(open_exchange, ranking, expected_queue):
    stub = open_exchange(fpm_config(ranking=ranking))
    big_calm_long_and_small_leveraged_long_book().send(stub)
    assert not apply_mark(stub, FPM, 110).capped
    queue = stub.GetAdlQueue(pb.GetAdlQueueRequest(instrument_id=FPM, side=pb.SIDE_LONG, limit=10))
    assert [(entry.account_id, entry.qty, entry.score, entry.rank) for entry in queue.entries] == [
        (account_id, qty, pytest.approx(score, rel=1e-9), rank) for account_id, qty, score, rank in expected_queue]
