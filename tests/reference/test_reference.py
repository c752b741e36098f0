"""Hand-computed checks of the reference itself (SPEC §1-§5 seed examples and ANCHORS)."""
from __future__ import annotations

import pytest

from markcap.engine.types import (
    AdlAllocation, AdlRanking, CapPolicy, ContractKind, Currency, Instrument, LiquidationReason,
)

from reference.adl import allocate_pro_rata, allocate_queue, select
from reference.exchange import ReferenceExchange

USD, BTC = 1, 2
PERP = 7


def linear_exchange(floor: float = 0.0, mark: float = 100.0, **policies) -> ReferenceExchange:
    instrument = Instrument(PERP, "PERP", ContractKind.LINEAR, USD, 1.0, mark, **policies, tick_size=0.01)
    return ReferenceExchange([Currency(USD, "USD", 1.0, True, decimals=2)], [instrument], 0, floor)


def inverse_exchange(mark: float, btc_price: float) -> ReferenceExchange:
    currencies = [Currency(USD, "USD", 1.0, True, decimals=2), Currency(BTC, "BTC", btc_price, decimals=8)]
    instrument = Instrument(PERP, "INV", ContractKind.INVERSE, BTC, 1.0, mark, tick_size=0.01)
    return ReferenceExchange(currencies, [instrument])


def trade(exchange, buyer: int, seller: int, qty: int, price: float) -> None:
    exchange.apply_fill(buyer, PERP, qty, price)
    exchange.apply_fill(seller, PERP, -qty, price)


# ---- average cost (SPEC §2) ---------------------------------------------------

def test_linear_average_cost_realises_on_reduce_and_flip():
    exchange = linear_exchange()
    exchange.apply_fill(1, PERP, 10, 100.0)
    exchange.apply_fill(1, PERP, 10, 110.0)
    position = exchange.accounts[1].positions[PERP]
    assert (position.qty, position.cost) == (20, 2100.0)  # entry 105
    exchange.apply_fill(1, PERP, -5, 120.0)
    assert exchange.accounts[1].balances[USD] == pytest.approx(75.0)  # 5 * (120 - 105)
    assert position.cost == pytest.approx(1575.0)
    exchange.apply_fill(1, PERP, -20, 90.0)  # closes 15 at 90, opens 5 short at 90
    assert exchange.accounts[1].balances[USD] == pytest.approx(75.0 - 225.0)
    assert (position.qty, position.cost) == (-5, -450.0)


def test_inverse_long_gains_coins_when_price_doubles():
    exchange = inverse_exchange(mark=50.0, btc_price=50.0)
    exchange.apply_fill(1, PERP, 100, 50.0)  # 100 one-dollar contracts cost 2 BTC
    assert exchange.accounts[1].positions[PERP].cost == pytest.approx(2.0)
    exchange.apply_fill(1, PERP, -100, 100.0)  # worth 1 BTC now: realises 2 - 1
    assert exchange.accounts[1].balances[BTC] == pytest.approx(1.0)
    assert exchange.accounts[1].positions[PERP].cost == 0.0


def test_equity_values_balances_and_upnl_in_valuation_currency():
    exchange = inverse_exchange(mark=100.0, btc_price=200.0)
    exchange.apply_transfer(1, USD, 30.0)
    exchange.apply_transfer(1, BTC, 0.5)
    exchange.apply_fill(1, PERP, 100, 50.0)  # K = 2 BTC; upnl(100) = 2 - 1 = 1 BTC
    assert exchange.equity(1) == pytest.approx(30.0 + 0.5 * 200.0 + 1.0 * 200.0)


# ---- bankruptcy prices (ANCHORS) ----------------------------------------------

def test_linear_isolated_bankruptcy_price_at_50x():
    exchange = linear_exchange(mark=10_000.0)
    exchange.apply_transfer(1, USD, 200.0)  # isolated margin 10,000 / 50
    exchange.apply_fill(1, PERP, 1, 10_000.0)
    exchange.apply_transfer(2, USD, 200.0)
    exchange.apply_fill(2, PERP, -1, 10_000.0)
    assert exchange.bankruptcy_price(1, PERP, -1) == pytest.approx(9_800.0)
    assert exchange.bankruptcy_price(2, PERP, +1) == pytest.approx(10_200.0)
    assert exchange.bankruptcy_price(1, PERP, +1) is None  # a rise does not harm a long


def test_inverse_isolated_bankruptcy_price_at_50x():
    entry = 7_890.08
    exchange = inverse_exchange(mark=entry, btc_price=entry)
    margin_btc = round((1.0 / entry) / 50, 8)  # position value in BTC over leverage, in satoshis
    for account_id, qty in ((1, 1), (2, -1)):
        exchange.apply_transfer(account_id, BTC, margin_btc)
        exchange.apply_fill(account_id, PERP, qty, entry)
        # K = 1/entry rounded to the satoshi against the account: under a satoshi's worth off
        assert abs(float(exchange.equity(account_id)) - margin_btc * entry) < 1e-8 * entry
    # E*L/(L+1) and E*L/(L-1), within what the satoshi roundings move them (under a dollar)
    assert float(exchange.bankruptcy_price(1, PERP, -1)) == pytest.approx(7_735.37, abs=0.5)
    assert float(exchange.bankruptcy_price(2, PERP, +1)) == pytest.approx(8_051.10, abs=1.0)


def test_inverse_short_with_enough_coins_never_goes_bankrupt():
    exchange = inverse_exchange(mark=100.0, btc_price=100.0)
    exchange.apply_transfer(1, BTC, 5.0)
    exchange.apply_fill(1, PERP, -100, 100.0)  # K = -1 BTC; upnl -> -1 BTC as p -> inf
    assert exchange.bankruptcy_price(1, PERP, +1) is None


# ---- SPEC §3 seed example 1: capped at a trader's bankruptcy, fund solvent ------

def seed_one() -> ReferenceExchange:
    exchange = linear_exchange()
    exchange.apply_transfer(0, USD, 500.0)
    exchange.apply_transfer(1, USD, 150.0)   # short 10 @100: bankrupt at 115
    exchange.apply_transfer(3, USD, 150.0)   # short 5 @100: bankrupt at 130
    exchange.apply_transfer(2, USD, 1000.0)
    trade(exchange, buyer=2, seller=1, qty=10, price=100.0)
    trade(exchange, buyer=2, seller=3, qty=5, price=100.0)
    return exchange


def test_seed_one_rise_is_capped_at_the_first_bankruptcy_price():
    exchange = seed_one()
    assert exchange.bankruptcy_price(1, PERP, +1) == 115.0
    assert exchange.bankruptcy_price(3, PERP, +1) == 130.0
    outcome = exchange.apply_mark(PERP, 120.0)
    assert (outcome.applied_price, outcome.capped, outcome.first_bankruptcy_price) == (115.0, True, 115.0)
    [liquidation] = outcome.liquidations
    assert (liquidation.account_id, liquidation.reason) == (1, LiquidationReason.FIRST_BANKRUPTCY_PRICE)
    assert liquidation.positions == [(PERP, -10, 115.0)]
    assert liquidation.balances == {}  # 150 - 10*(115 - 100) = 0
    assert liquidation.equity_before == 0.0
    assert outcome.adl_fills == []
    assert (outcome.fund_equity_before, outcome.fund_equity_after, outcome.deficit) == (500.0, 500.0, 0.0)
    assert exchange.qty(0, PERP) == -10 and exchange.accounts[0].positions[PERP].cost == -1150.0
    assert exchange.equity(3) == pytest.approx(75.0)
    assert outcome.negative_equity_accounts == []


def test_first_bankruptcy_price_beyond_the_request_is_reported_but_not_applied():
    exchange = seed_one()
    outcome = exchange.apply_mark(PERP, 110.0)
    assert (outcome.applied_price, outcome.capped, outcome.first_bankruptcy_price) == (110.0, False, 115.0)
    assert outcome.liquidations == [] and exchange.mark(PERP) == 110.0


def test_no_cap_applies_the_request_and_lists_negative_equity():
    exchange = seed_one()
    outcome = exchange.apply_mark(PERP, 140.0, CapPolicy.NO_CAP)
    assert (outcome.applied_price, outcome.capped, outcome.first_bankruptcy_price) == (140.0, False, None)
    assert outcome.liquidations == []
    assert outcome.negative_equity_accounts == [(1, -250.0), (3, -50.0)]


def test_no_move_does_nothing():
    exchange = seed_one()
    outcome = exchange.apply_mark(PERP, 100.0)
    assert (outcome.applied_price, outcome.capped, outcome.first_bankruptcy_price) == (100.0, False, None)
    assert outcome.liquidations == [] and outcome.adl_fills == []


def test_already_bankrupt_account_is_taken_over_at_the_previous_mark_first():
    exchange = seed_one()
    exchange.apply_transfer(3, USD, -160.0)  # equity -10 at 100: already bankrupt
    outcome = exchange.apply_mark(PERP, 120.0)
    first, second = outcome.liquidations
    assert (first.account_id, first.reason, first.price) == (3, LiquidationReason.ALREADY_BANKRUPT, 100.0)
    assert first.equity_before == -10.0 and first.balances == {USD: -10.0}
    assert (second.account_id, second.reason) == (1, LiquidationReason.FIRST_BANKRUPTCY_PRICE)
    # The fund now holds 3's short 5 @100 with 490: its own b is 100 + 490/5 = 198, beyond 115.
    assert outcome.applied_price == 115.0
    assert outcome.fund_equity_after == pytest.approx(490.0 - 5 * 15.0)
    assert outcome.adl_fills == []


def test_a_fund_exactly_at_its_floor_after_a_takeover_deleverages():
    """Equality counts (SPEC §3.7): a fund with nothing takes over at zero equity, stays at F = 0."""
    exchange = linear_exchange()
    exchange.apply_transfer(1, USD, 150.0)
    exchange.apply_transfer(2, USD, 1000.0)
    trade(exchange, buyer=2, seller=1, qty=10, price=100.0)
    outcome = exchange.apply_mark(PERP, 120.0)
    assert [l.account_id for l in outcome.liquidations] == [1]
    assert [(f.account_id, f.qty, f.rank, f.price) for f in outcome.adl_fills] == [(2, -10, 1, 115.0)]
    assert exchange.qty(0, PERP) == 0 and outcome.fund_equity_after == 0.0


# ---- SPEC §3 seed example 2: the fund reaches its floor, ADL --------------------

def seed_two(allocation: AdlAllocation) -> ReferenceExchange:
    """A (1) short 10 bankrupt at 125; fund short 4 reaching F=100 at 125; longs D, B, C."""
    exchange = linear_exchange(floor=100.0, adl_allocation=allocation)
    exchange.apply_transfer(0, USD, 200.0)
    exchange.apply_transfer(1, USD, 230.0)
    exchange.apply_transfer(5, USD, 10_000.0)
    trade(exchange, buyer=4, seller=5, qty=10, price=80.0)   # D long 10 @80
    trade(exchange, buyer=2, seller=1, qty=8, price=100.0)   # B long 8 @100
    trade(exchange, buyer=3, seller=1, qty=2, price=110.0)   # C long 2 @110; A: K = -1020
    trade(exchange, buyer=2, seller=0, qty=4, price=100.0)   # fund short 4 @100
    return exchange


def test_seed_two_fund_at_its_floor_deleverages_pro_rata():
    exchange = seed_two(AdlAllocation.PRO_RATA)
    assert exchange.bankruptcy_price(1, PERP, +1) == 125.0
    assert exchange.bankruptcy_price(0, PERP, +1) == 125.0
    outcome = exchange.apply_mark(PERP, 150.0)
    assert (outcome.applied_price, outcome.capped, outcome.first_bankruptcy_price) == (125.0, True, 125.0)
    assert [(l.account_id, l.reason) for l in outcome.liquidations] == [
        (1, LiquidationReason.FIRST_BANKRUPTCY_PRICE)]
    # Ranking at 125 by PnL: D 450, B 300, C 30. Need 14: D(10)+B(12) selected.
    # 14*10/22 = 6 r8, 14*12/22 = 7 r14 -> the one left goes to B.
    got = [(f.account_id, f.qty, f.rank, f.score, f.price) for f in outcome.adl_fills]
    assert got == [(4, -6, 1, 450.0, 125.0), (2, -8, 2, 300.0, 125.0)]
    assert exchange.qty(0, PERP) == 0
    assert outcome.fund_equity_before == 200.0
    assert outcome.fund_equity_after == pytest.approx(100.0)
    assert outcome.deficit == pytest.approx(0.0, abs=1e-9)
    assert exchange.accounts[4].balances[USD] == pytest.approx(6 * 45.0)


def test_seed_two_queue_closes_the_top_account_fully():
    exchange = seed_two(AdlAllocation.QUEUE)
    outcome = exchange.apply_mark(PERP, 150.0)
    assert [(f.account_id, f.qty, f.rank) for f in outcome.adl_fills] == [(4, -10, 1), (2, -4, 2)]


def test_ratio_times_leverage_ranks_the_more_leveraged_winner_first():
    exchange = seed_two(AdlAllocation.QUEUE)
    exchange.set_instrument_policies(PERP, adl_ranking=AdlRanking.PNL_RATIO_TIMES_LEVERAGE)
    exchange.apply_transfer(4, USD, 10_000.0)  # D: r = 450/800, L = 1250/10450
    outcome = exchange.apply_mark(PERP, 150.0)
    # B: r = 300/1200 = 0.25, L = 1500/300 = 5 -> 1.25; C: r = 30/220, L = 250/30 -> 1.136...
    d_score = (450 / 800) * (1250 / 10_450)
    got = [(f.account_id, f.qty, f.rank) for f in outcome.adl_fills]
    assert got == [(2, -12, 1), (3, -2, 2)]
    assert outcome.adl_fills[0].score == pytest.approx(1.25)
    assert d_score < outcome.adl_fills[1].score == pytest.approx((30 / 220) * (250 / 30))


def test_fund_already_below_its_floor_stops_the_mark_at_once():
    exchange = seed_two(AdlAllocation.PRO_RATA)
    exchange.apply_transfer(0, USD, -150.0)  # fund equity 50 < F = 100, harmed by a rise
    outcome = exchange.apply_mark(PERP, 150.0)
    assert (outcome.applied_price, outcome.capped) == (100.0, True)
    assert outcome.liquidations == []
    assert sum(f.qty for f in outcome.adl_fills) == -4
    assert outcome.deficit == pytest.approx(50.0)


# ---- allocation helpers -------------------------------------------------------

def test_selection_walks_until_enough_is_held():
    assert select([10, 12, 2], 14) == 2
    assert select([10, 12, 2], 10) == 1
    assert select([1, 1], 5) == 2


def test_pro_rata_largest_remainder_with_ties_in_ranking_order():
    assert allocate_pro_rata([10, 12], 14) == [6, 8]
    assert allocate_pro_rata([5, 5], 3) == [2, 1]
    assert allocate_pro_rata([1, 1, 1], 2) == [1, 1, 0]
    assert allocate_pro_rata([3, 7], 10) == [3, 7]


def test_queue_fills_in_order_with_a_partial_last():
    assert allocate_queue([10, 12], 14) == [10, 4]
