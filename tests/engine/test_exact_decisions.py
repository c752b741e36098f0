"""Decisions on the exact state (SPEC 1 "Numbers", 3.5-3.7): the knife edges float64 got wrong.

The same economic situation must give the same decision whatever the last bit of a float
would have said: a fund exactly at its floor that takes over an account at exactly zero
equity is still at its floor and deleverages.
"""
import pytest

from markcap.engine import ContractKind, Currency, Engine, ExchangeConfig, Instrument

from .helpers import INVERSE_ID, LINEAR_ID, BTC, USD, exchange, send, trade


def _fund_at_floor_with_one_short(cash: float, tick: float = 0.1) -> Engine:
    """The fund at exactly 0 = its floor; account 1 short 7 at 100 (m 0.1) with `cash` USD, b = 100 +
    cash/0.7; the rich long 50 on the other side."""
    engine = exchange(multiplier=0.1, tick_size=tick)
    send(engine, transfers=[(1, USD, cash), (50, USD, 100_000.0)])
    trade(engine, 50, 1, 7, 100.0)
    return engine


@pytest.mark.parametrize("cash, bankruptcy", [(15.33, 121.9), (3.01, 104.3)])
def test_a_fund_at_its_floor_taking_over_an_account_at_zero_deleverages(cash, bankruptcy):
    engine = _fund_at_floor_with_one_short(cash)
    outcome = engine.apply_mark(0, LINEAR_ID, 130.0)
    assert (outcome.capped, outcome.applied_price, outcome.first_bankruptcy_price) == (True, bankruptcy, bankruptcy)
    [liquidation] = outcome.liquidations
    assert (liquidation.account_id, liquidation.equity_before) == (1, 0.0)
    assert outcome.insurance_fund_equity_after == 0.0  # exactly at the floor: insolvent, so ADL
    assert [(f.account_id, f.qty) for f in outcome.adl_fills] == [(50, -7)]
    assert outcome.insurance_fund_deficit == 0.0


def test_an_off_grid_bankruptcy_price_leaves_the_taken_over_account_a_little_equity():
    engine = _fund_at_floor_with_one_short(15.33, tick=0.5)  # b = 121.9, between 121.5 and 122
    outcome = engine.apply_mark(0, LINEAR_ID, 130.0)
    assert (outcome.applied_price, outcome.first_bankruptcy_price) == (121.5, 121.9)
    assert outcome.liquidations[0].equity_before == 0.28  # 15.33 - 0.7*21.5, exactly
    assert outcome.insurance_fund_equity_after == 0.28 and not outcome.adl_fills  # the fund gained


def test_equal_bankruptcy_prices_reached_through_different_fills_are_taken_together():
    """Account 1 shorts 7 at 100 in one fill; account 2 reaches the same K in three fills at
    other prices (7 at an average of 100). Both are bankrupt at exactly 121.9."""
    engine = exchange(multiplier=0.1, tick_size=0.1)
    send(engine, transfers=[(0, USD, 10_000.0), (1, USD, 15.33), (2, USD, 15.33), (50, USD, 100_000.0)])
    trade(engine, 50, 1, 7, 100.0)
    trade(engine, 50, 2, 3, 98.0)
    trade(engine, 50, 2, 2, 101.0)
    trade(engine, 50, 2, 2, 102.0)  # K = -0.1*(294 + 202 + 204) = -70, as for account 1
    outcome = engine.apply_mark(0, LINEAR_ID, 130.0)
    assert (outcome.applied_price, outcome.first_bankruptcy_price) == (121.9, 121.9)
    assert sorted(l.account_id for l in outcome.liquidations) == [1, 2]
    assert all(l.equity_before == 0.0 for l in outcome.liquidations)


def test_inverse_contracts_with_coin_collateral_cap_on_the_grid():
    """Short 100 inverse contracts (m 100) at 50,000 with 0.1 BTC: K = -0.2 BTC, equity at p is
    0.1 - 0.2 + 10,000/p BTC, zero at exactly 100,000."""
    engine = exchange()
    send(engine, transfers=[(0, BTC, 1.0), (1, BTC, 0.1), (50, BTC, 100.0)])
    trade(engine, 50, 1, 100, 50_000.0, INVERSE_ID)
    outcome = engine.apply_mark(0, INVERSE_ID, 120_000.0)
    assert (outcome.capped, outcome.applied_price, outcome.first_bankruptcy_price) == (True, 100_000.0, 100_000.0)
    assert [(l.account_id, l.equity_before) for l in outcome.liquidations] == [(1, 0.0)]
    assert outcome.insurance_fund_equity_after == 50_000.0  # 1 BTC at 50,000 USD: untouched


def test_rounding_residue_goes_to_the_fund_and_totals_are_conserved():
    """m 0.001, tick 0.5: a trade of 3 at 50.5 is worth 15.15 cents; the buyer's cost rounds up to
    16 cents, the seller is owed 15, and the cent between goes to the fund."""
    engine = exchange(multiplier=0.001, tick_size=0.5, mark_price=50.5)
    trade(engine, 1, 2, 3, 50.5)
    state = engine.state
    assert engine.account(1).positions[0].cost == 0.16
    assert engine.account(2).positions[0].cost == -0.15
    assert engine.insurance_fund().account.balances == ((USD, 0.01),)
    assert sum(state.accounts.units[: state.accounts.count, 0].tolist()) == 1  # the fund's cent
    # at the mark 50.5 each side lost its rounding, 0.85 and 0.15 cents; the fund holds the cent
    assert (engine.account(1).equity, engine.account(2).equity) == (-0.0085, -0.0015)
