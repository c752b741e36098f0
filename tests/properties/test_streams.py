"""Random zero-sum streams on the engine and the reference side by side (SPEC §7).

After every step: engine equals reference (accounts, mark outcomes), and the
§7 invariants hold; after the stream: a fresh engine replays it identically.
"""
from __future__ import annotations

from hypothesis import example, given

from markcap.engine.types import (
    AdlAllocation, ContractKind, Currency, ExchangeConfig, Instrument,
)

from .harness import run
from .inputs import DeltasInput, MarkInput
from .profiles import PROPERTY_SETTINGS
from .strategies import Scenario, fund_exposure_scenarios, jump_steps, scenarios, thin_values

USD = Currency(1, "USD", 1.0, True, decimals=2)


def seed_config(floor: float, allocation: AdlAllocation) -> ExchangeConfig:
    perp = Instrument(1, "PERP", ContractKind.LINEAR, 1, 1.0, 100.0, adl_allocation=allocation,
                      tick_size=0.01)
    return ExchangeConfig((USD,), (perp,), 0, floor)


# SPEC §3 seed 1: a short bankrupt at 115 caps a rise 100 -> 120; the fund stays solvent.
SEED_ONE = Scenario(seed_config(0.0, AdlAllocation.PRO_RATA), (
    DeltasInput(((2, 1, 10, 100.0), (1, 1, -10, 100.0), (2, 1, 5, 100.0), (3, 1, -5, 100.0)),
                ((0, 1, 500.0), (1, 1, 150.0), (3, 1, 150.0), (2, 1, 1000.0))),
    MarkInput(1, 120.0),
))

# SPEC §3 seed 2: a short and the fund (F = 100) both bankrupt at 125 on a rise 100 -> 150:
# liquidation at 125, then ADL of the fund's short against the best longs.
SEED_TWO_FILLS = ((4, 1, 10, 80.0), (5, 1, -10, 80.0), (2, 1, 8, 100.0), (1, 1, -8, 100.0),
                  (3, 1, 2, 110.0), (1, 1, -2, 110.0), (2, 1, 4, 100.0), (0, 1, -4, 100.0))
SEED_TWO_CASH = ((0, 1, 200.0), (1, 1, 230.0), (5, 1, 10_000.0))


def seed_two(allocation: AdlAllocation) -> Scenario:
    return Scenario(seed_config(100.0, allocation), (
        DeltasInput(SEED_TWO_FILLS, SEED_TWO_CASH), MarkInput(1, 150.0), MarkInput(1, 160.0)))


@PROPERTY_SETTINGS
@given(scenarios())
@example(SEED_ONE)
def test_mixed_streams_match_the_reference_and_keep_the_invariants(scenario):
    run(scenario)


@PROPERTY_SETTINGS
@given(scenarios(steps=jump_steps, funding_values=thin_values))
@example(seed_two(AdlAllocation.PRO_RATA))
@example(seed_two(AdlAllocation.QUEUE))
def test_jumps_on_thin_accounts_liquidate_and_deleverage_like_the_reference(scenario):
    run(scenario)


@PROPERTY_SETTINGS
@given(scenarios(steps=jump_steps, funding_values=thin_values, max_instruments=1, max_steps=30))
def test_one_crowded_instrument_deleverages_like_the_reference(scenario):
    run(scenario)


@PROPERTY_SETTINGS
@given(fund_exposure_scenarios())
def test_an_exposed_fund_deleverages_like_the_reference(scenario):
    run(scenario)


def test_seed_two_runs_into_adl_on_the_engine():
    """The explicit seed really exercises liquidation and ADL (guards the examples above)."""
    harness = run(seed_two(AdlAllocation.PRO_RATA))
    rise = harness.outcomes[1]
    assert (rise.applied_price, rise.capped) == (125.0, True)
    assert [l.account_id for l in rise.liquidations] == [1]
    assert [(f.account_id, f.qty) for f in rise.adl_fills] == [(4, -6), (2, -8)]


def test_a_fund_exactly_at_its_floor_deleverages_on_the_engine():
    """Equality counts (SPEC §3.7): an empty fund taking over at zero equity is at F = 0."""
    harness = run(Scenario(seed_config(0.0, AdlAllocation.PRO_RATA), (
        DeltasInput(((2, 1, 10, 100.0), (1, 1, -10, 100.0)), ((1, 1, 150.0), (2, 1, 1000.0))),
        MarkInput(1, 120.0))))
    rise = harness.outcomes[1]
    assert [(f.account_id, f.qty, f.price) for f in rise.adl_fills] == [(2, -10, 115.0)]
