"""The cap lands on the price grid (SPEC 3.5-3.6).

p* is the last grid price at or before the first bankruptcy price, seen from P0;
every harmed account bankrupt before the next grid price is taken over at p*,
with equity >= 0 there, so the takeovers never cost the fund.
"""
import pytest

from .helpers import LINEAR_ID, USD, exchange, send, trade

TICK = 0.5


def _shorts(engine, cash_by_account: dict[int, float], qty: int = 7):
    """Each account short `qty` at 100 (multiplier 0.1) against the rich long 50: b = 100 + cash/(0.1 qty)."""
    send(engine, transfers=[(0, USD, 10_000.0), (50, USD, 100_000.0)]
         + [(account, USD, cash) for account, cash in cash_by_account.items()])
    for account in cash_by_account:
        trade(engine, 50, account, qty, 100.0)


def _engine():
    return exchange(multiplier=0.1, tick_size=TICK)


def test_an_off_grid_bankruptcy_price_caps_at_the_grid_price_before_it():
    engine = _engine()
    _shorts(engine, {1: 15.33})  # b = 121.9 exactly
    outcome = engine.apply_mark(0, LINEAR_ID, 130.0)
    assert (outcome.capped, outcome.applied_price) == (True, 121.5)
    assert outcome.first_bankruptcy_price == pytest.approx(121.9)
    [liquidation] = outcome.liquidations
    assert liquidation.account_id == 1
    assert liquidation.equity_before == pytest.approx(15.33 - 0.7 * 21.5)  # 0.28 >= 0: the fund gains
    assert engine.state.instruments.by_id[LINEAR_ID].mark_price == 121.5


def test_every_account_bankrupt_before_the_next_grid_price_is_taken_over_together():
    engine = _engine()
    _shorts(engine, {1: 15.33, 2: 15.12, 3: 15.4, 4: 16.0})  # b = 121.9, 121.6, 122.0, ~122.857
    outcome = engine.apply_mark(0, LINEAR_ID, 130.0)
    assert outcome.applied_price == 121.5
    assert [liquidation.account_id for liquidation in outcome.liquidations] == [1, 2]
    assert all(liquidation.equity_before >= 0 for liquidation in outcome.liquidations)
    # 3 is bankrupt exactly at the next grid price, 122.0: it has equity 0.35 at 121.5 and stays
    assert engine.account(3).positions


def test_a_bankruptcy_price_on_the_grid_is_the_applied_price():
    engine = _engine()
    _shorts(engine, {1: 15.4})  # b = 122.0
    outcome = engine.apply_mark(0, LINEAR_ID, 130.0)
    assert outcome.applied_price == 122.0
    assert [liquidation.account_id for liquidation in outcome.liquidations] == [1]


def test_a_fall_rounds_up_toward_the_previous_mark():
    engine = _engine()
    send(engine, transfers=[(0, USD, 10_000.0), (50, USD, 100_000.0), (1, USD, 15.19)])
    trade(engine, 1, 50, 7, 100.0)  # long 7 at 100: b = 100 - 15.19/0.7 = 78.3
    outcome = engine.apply_mark(0, LINEAR_ID, 60.0)
    assert outcome.applied_price == 78.5
    assert outcome.first_bankruptcy_price == pytest.approx(78.3)
    assert [liquidation.account_id for liquidation in outcome.liquidations] == [1]


def test_a_bankruptcy_price_within_the_first_tick_liquidates_at_the_previous_mark():
    engine = _engine()
    _shorts(engine, {1: 0.21})  # b = 100.3: the grid price at or before it is P0 itself
    outcome = engine.apply_mark(0, LINEAR_ID, 101.0)
    assert (outcome.capped, outcome.applied_price) == (True, 100.0)
    assert [liquidation.account_id for liquidation in outcome.liquidations] == [1]
