"""Average-cost accounting of fills (SPEC 2), checked on hand-computed numbers."""
import pytest

from markcap.engine import ContractKind
from markcap.engine.contracts import apply_fill, bankruptcy_price, entry_price

LINEAR, INVERSE = ContractKind.LINEAR, ContractKind.INVERSE


def test_opening_and_growing_a_linear_position_adds_cost_at_each_price():
    qty, cost, realised = apply_fill(LINEAR, 2.0, 0, 0.0, 3, 100.0)
    assert (qty, cost, realised) == (3, 600.0, 0.0)
    qty, cost, realised = apply_fill(LINEAR, 2.0, qty, cost, 1, 120.0)
    assert (qty, cost, realised) == (4, 840.0, 0.0)
    assert entry_price(LINEAR, qty, cost, 2.0) == 105.0


def test_reducing_a_linear_long_realises_against_the_average_cost():
    # long 4 at avg 105 (m=2, K=840); sell 1 at 110: realised 1*(2*110 - 840/4) = 10
    qty, cost, realised = apply_fill(LINEAR, 2.0, 4, 840.0, -1, 110.0)
    assert (qty, cost, realised) == (3, 630.0, 10.0)


def test_flipping_closes_everything_then_opens_the_rest_at_the_fill_price():
    # short 2 at 100 (K=-200); buy 5 at 90: closes 2 (realised -2*(90-100) = 20), opens long 3 at 90
    qty, cost, realised = apply_fill(LINEAR, 1.0, -2, -200.0, 5, 90.0)
    assert (qty, cost, realised) == (3, 270.0, 20.0)


def test_closing_flat_resets_cost_to_zero():
    assert apply_fill(LINEAR, 1.0, -2, -200.0, 2, 150.0) == (0, 0.0, -100.0)


def test_inverse_long_realises_in_the_settlement_currency():
    # long 100 contracts of m=1 at 50,000: K = 100/50000 = 0.002 BTC; close all at 40,000:
    # realised = K - q*m/p = 0.002 - 0.0025 = -0.0005 BTC
    qty, cost, realised = apply_fill(INVERSE, 1.0, 0, 0.0, 100, 50_000.0)
    assert cost == pytest.approx(0.002)
    qty, cost, realised = apply_fill(INVERSE, 1.0, qty, cost, -100, 40_000.0)
    assert (qty, cost) == (0, 0.0) and realised == pytest.approx(-0.0005)


def test_isolated_linear_long_at_50x_is_bankrupt_two_percent_below_entry():
    # ANCHORS: 10,000 at 50x long -> 9,800; margin 200 is the only equity
    assert bankruptcy_price(LINEAR, 1, 10_000.0, 1.0, 1.0, 200.0) == pytest.approx(9_800.0)


def test_isolated_inverse_long_at_50x_matches_the_exchange_formula():
    # ANCHORS: inverse long entry 7,890.08 at 50x -> E*L/(L+1) = 7,735.37; margin K/50 in BTC
    entry, leverage, sigma = 7_890.08, 50, 7_890.08
    cost = 1.0 / entry
    margin_valuation = cost / leverage * sigma
    b = bankruptcy_price(INVERSE, 1, cost, 1.0, sigma, margin_valuation)
    assert b == pytest.approx(7_735.37, abs=0.01)


def test_no_bankruptcy_price_when_no_positive_price_zeroes_the_equity():
    # a linear long with more equity than its notional cannot go bankrupt on a fall
    assert bankruptcy_price(LINEAR, 1, 100.0, 1.0, 1.0, 500.0) is None
