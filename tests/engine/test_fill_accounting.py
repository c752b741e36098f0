"""Average-cost accounting of fills (SPEC 2) in exact units, on hand-computed numbers.

Costs and realised PnL are in minor units of the settlement currency (USD 2 decimals:
cents; BTC 8: satoshis); prices in ticks. Each rounding goes against the account and
its residue is owed to the fund.
"""
from fractions import Fraction

import pytest

from markcap.engine import ContractKind
from markcap.engine.contracts import Inverse, Linear, bankruptcy_price, terms_of

LINEAR, INVERSE = ContractKind.LINEAR, ContractKind.INVERSE
USD_TICK_1 = terms_of(LINEAR, 2.0, 1.0, 2)          # m 2, tick 1, cents: A = 200 cents per contract-tick


def test_opening_and_growing_a_linear_position_adds_cost_at_each_price():
    first = Linear.fill(USD_TICK_1, 0, 0, 3, 100)
    assert (first.qty, first.cost, first.realised, first.residue) == (3, 60_000, 0, 0)
    second = Linear.fill(USD_TICK_1, 3, 60_000, 1, 120)
    assert (second.qty, second.cost) == (4, 84_000)  # 840.00 USD: entry 105


def test_reducing_a_linear_long_realises_against_the_average_cost():
    # long 4 at avg 105 (m=2, K=840); sell 1 at 110: realised 1*(2*110 - 840/4) = 10
    result = Linear.fill(USD_TICK_1, 4, 84_000, -1, 110)
    assert (result.qty, result.cost, result.realised, result.residue) == (3, 63_000, 1_000, 0)


def test_flipping_closes_everything_then_opens_the_rest_at_the_fill_price():
    terms = terms_of(LINEAR, 1.0, 1.0, 2)
    result = Linear.fill(terms, -2, -20_000, 5, 90)  # realised 20, long 3 at 90
    assert (result.qty, result.cost, result.realised) == (3, 27_000, 2_000)


def test_a_linear_cost_share_rounds_so_the_realised_pnl_rounds_down():
    # long 3 with K = 100.00 USD; sell 1 at 50 (m 1): exact K share 33.333..., rounded up to 33.34,
    # so realised = 50.00 - 33.34 = 16.66 (exact 16.666...) and 66.66 stays as cost
    terms = terms_of(LINEAR, 1.0, 1.0, 2)
    result = Linear.fill(terms, 3, 10_000, -1, 50)
    assert (result.qty, result.cost, result.realised) == (2, 6_666, 1_666)
    assert result.residue == 0  # a split between balance and cost moves no value


def test_a_fractional_linear_value_rounds_against_the_account_and_the_rest_goes_to_the_fund():
    # m 0.001, tick 0.5, cents: A = 0.05 cent. Buying 3 at 101 ticks (50.5 USD) costs 15.15 cents exact
    terms = terms_of(LINEAR, 0.001, 0.5, 2)
    buy = Linear.fill(terms, 0, 0, 3, 101)
    assert buy.cost == 16 and buy.residue == Fraction(85, 100)   # the buyer owes 16, 0.85 to the fund
    sell = Linear.fill(terms, 0, 0, -3, 101)
    assert sell.cost == -15 and sell.residue == Fraction(15, 100)  # the seller is owed 15
    assert buy.residue + sell.residue == 1  # the pair's whole unit goes to the fund


def test_inverse_long_realises_in_the_settlement_currency_rounded_down():
    # long 100 contracts of m=1 at 50,000 (tick 0.5): K = 100/50000 BTC = 200,000 sat; close at 40,000:
    # realised = K - q*m/p = 200,000 - 250,000 sat = -50,000 sat
    terms = terms_of(INVERSE, 1.0, 0.5, 8)
    opened = Inverse.fill(terms, 0, 0, 100, 100_000)
    assert (opened.cost, opened.residue) == (200_000, 0)
    closed = Inverse.fill(terms, 100, 200_000, -100, 80_000)
    assert (closed.qty, closed.cost, closed.realised, closed.residue) == (0, 0, -50_000, 0)


def test_an_inverse_value_off_the_satoshi_grid_rounds_down_for_the_account():
    terms = terms_of(INVERSE, 1.0, 0.5, 8)
    buy = Inverse.fill(terms, 0, 0, 1, 2 * 30_001)  # 1/30001 BTC = 3333.2222... sat
    assert buy.cost == 3_333 and buy.residue == Fraction(10**8, 30_001) - 3_333


@pytest.mark.parametrize("kernel, kind", [(Linear, LINEAR), (Inverse, INVERSE)])
def test_residues_are_never_negative_and_below_one_unit_per_rounding(kernel, kind):
    terms = terms_of(kind, 0.37, 0.25, 2)
    qty, cost = 0, 0
    for dq, ticks in [(7, 401), (-3, 397), (5, 411), (-12, 389), (4, 402), (-1, 400)]:
        result = kernel.fill(terms, qty, cost, dq, ticks)
        flips = qty != 0 and (qty > 0) != (qty + dq > 0) and qty + dq != 0
        assert 0 <= result.residue < (2 if flips else 1)  # a flip rounds the close and the open
        qty, cost = result.qty, result.cost
    assert qty == 0 and cost == 0


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


def test_a_kind_without_a_kernel_fails_loudly():
    from markcap.engine.contracts import kernel
    with pytest.raises(ValueError, match="no contract kernel"):
        kernel(0)
