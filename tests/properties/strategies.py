"""Hypothesis strategies for random zero-sum exchanges and streams.

Steps are drawn as plans relative to the state they meet (a mark as a factor
of the current mark, a transfer as a value in valuation currency) and resolved
to concrete inputs when run, so every drawn stream is meaningful and shrinks
towards small moves, few steps and few accounts.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

from markcap.engine.types import (
    AdlAllocation, AdlRanking, CapPolicy, ContractKind, Currency, ExchangeConfig, Instrument,
)

from reference.exchange import ReferenceExchange
from reference.grid import in_units, on_grid

from .inputs import CurrencyInput, DeltasInput, Input, MarkInput, PolicyInput

# Ids span their whole unsigned range and are not created in ascending order, so
# "ascending id" orderings and 64-bit account ids are exercised; the fund is usually 0.
ACCOUNT_IDS = (0, 1, 2, 3, 5, 2**63 + 8)
FUND_IDS = (0, 0, 0, 3)
INSTRUMENT_IDS = (7, 1, 2**32 - 1)
USD = Currency(10, "USD", 1.0, True, decimals=2)
COIN_DECIMALS = 8
BTC_ID, ETH_ID = 2, 2**32 - 1

# ---- plans ----------------------------------------------------------------------


@dataclass(frozen=True)
class TradePlan:
    """Zero-sum fills: (buyer, seller, instrument index, qty, price as a factor of the mark)."""

    pairs: tuple[tuple[int, int, int, int, float], ...]


@dataclass(frozen=True)
class TransferPlan:
    """(account, currency index, value in valuation currency): deposits and withdrawals."""

    rows: tuple[tuple[int, int, float], ...]


@dataclass(frozen=True)
class MarkPlan:
    instrument_index: int
    factor: float
    cap_policy: CapPolicy | None


@dataclass(frozen=True)
class CurrencyPlan:
    currency_index: int
    factor: float


@dataclass(frozen=True)
class PolicyPlan:
    instrument_index: int
    cap_policy: CapPolicy | None
    adl_ranking: AdlRanking | None
    adl_allocation: AdlAllocation | None


@dataclass(frozen=True)
class Scenario:
    config: ExchangeConfig
    plans: tuple


def resolve(plan, reference: ReferenceExchange) -> Input:
    """Turns a plan into a concrete input against the reference's current state (inputs pass as they are)."""
    if isinstance(plan, (DeltasInput, MarkInput, CurrencyInput, PolicyInput)):
        return plan
    instrument_ids = sorted(reference.instruments)
    currency_ids = sorted(reference.currency_price)

    def tick(instrument_id: int) -> float:
        return reference.instruments[instrument_id].tick_size
    if isinstance(plan, TradePlan):
        fills = []
        for buyer, seller, index, qty, factor in plan.pairs:
            instrument_id = instrument_ids[index % len(instrument_ids)]
            price = on_grid(reference.mark(instrument_id) * factor, tick(instrument_id))
            fills += [(buyer, instrument_id, qty, price), (seller, instrument_id, -qty, price)]
        return DeltasInput(tuple(fills))
    if isinstance(plan, TransferPlan):
        rows = []
        for account_id, index, value in plan.rows:
            currency_id = currency_ids[index % len(currency_ids)]
            decimals = 2 if currency_id == reference.valuation_id else COIN_DECIMALS
            rows.append((account_id, currency_id,
                         in_units(value / reference.currency_price[currency_id], decimals)))
        return DeltasInput((), tuple(rows))
    if isinstance(plan, MarkPlan):
        instrument_id = instrument_ids[plan.instrument_index % len(instrument_ids)]
        return MarkInput(instrument_id, on_grid(reference.mark(instrument_id) * plan.factor,
                                                tick(instrument_id)), plan.cap_policy)
    if isinstance(plan, CurrencyPlan):
        movable = [c for c in currency_ids if c != reference.valuation_id]
        currency_id = movable[plan.currency_index % len(movable)]
        return CurrencyInput(currency_id, reference.currency_price[currency_id] * plan.factor)
    instrument_id = instrument_ids[plan.instrument_index % len(instrument_ids)]
    return PolicyInput(instrument_id, plan.cap_policy, plan.adl_ranking, plan.adl_allocation)


# ---- reference data -------------------------------------------------------------


@st.composite
def instruments(draw, instrument_id: int, currencies: list[Currency]) -> Instrument:
    """An instrument whose contract is worth about `contract_value` valuation units at its first mark."""
    kind = draw(st.sampled_from(ContractKind))
    settlement = draw(st.sampled_from(currencies))
    multiplier = draw(st.sampled_from([0.1, 1.0, 10.0]))
    contract_value = draw(st.sampled_from([40.0, 100.0, 137.0]))
    if kind == ContractKind.LINEAR:
        mark = contract_value / (multiplier * settlement.price)
    else:
        mark = multiplier * settlement.price / contract_value
    tick_size = float(f"1e{math.floor(math.log10(mark)) - 4}")  # about five significant digits
    return Instrument(
        instrument_id, f"X{instrument_id}", kind, settlement.currency_id, multiplier,
        on_grid(mark, tick_size), tick_size=tick_size,
        cap_policy=draw(st.sampled_from([CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE] * 3
                                        + [CapPolicy.NO_CAP])),
        adl_ranking=draw(st.sampled_from(AdlRanking)),
        adl_allocation=draw(st.sampled_from(AdlAllocation)))


@st.composite
def exchange_configs(draw, max_instruments: int = 3) -> ExchangeConfig:
    """USD (valuation) and BTC, sometimes ETH; 1-3 instruments; the fund (usually 0), sometimes a floor."""
    currencies = [USD, Currency(BTC_ID, "BTC", draw(st.sampled_from([40.0, 100.0, 250.0])),
                                   decimals=COIN_DECIMALS)]
    if draw(st.booleans()):
        currencies.append(Currency(ETH_ID, "ETH", draw(st.sampled_from([2.0, 8.0])),
                                   decimals=COIN_DECIMALS))
    count = draw(st.integers(1, max_instruments))
    drawn = [draw(instruments(INSTRUMENT_IDS[index], currencies)) for index in range(count)]
    floor = draw(st.sampled_from([0.0, 0.0, 25.0]))
    return ExchangeConfig(tuple(currencies), tuple(drawn), draw(st.sampled_from(FUND_IDS)), floor)


# ---- steps ----------------------------------------------------------------------

accounts = st.sampled_from(ACCOUNT_IDS)
counterparties = st.lists(accounts, min_size=2, max_size=2, unique=True)
transfer_values = st.sampled_from([-300.0, -30.0, -3.0, 2.0, 10.0, 50.0, 200.0, 1000.0, 5000.0])
# Repeated small sizes make equal positions, hence pro-rata remainder ties.
quantities = st.one_of(st.sampled_from([1, 2, 5]), st.integers(1, 30))
small_moves = st.sampled_from([0.9, 0.97, 0.995, 1.0, 1.005, 1.03, 1.1])
mark_factors = st.one_of(
    st.sampled_from([1.0, 0.995, 1.005, 0.97, 1.03, 0.9, 1.1, 0.75, 1.3, 0.5, 1.6, 2.5]),
    st.floats(0.4, 2.5))
cap_overrides = st.sampled_from([None, None, None, CapPolicy.NO_CAP,
                                 CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE])


@st.composite
def trade_plans(draw, max_pairs: int = 4) -> TradePlan:
    pairs = []
    for _ in range(draw(st.integers(1, max_pairs))):
        buyer, seller = draw(counterparties)
        pairs.append((buyer, seller, draw(st.integers(0, 2)), draw(quantities), draw(small_moves)))
    return TradePlan(tuple(pairs))


def transfer_plans(values=transfer_values) -> st.SearchStrategy[TransferPlan]:
    row = st.tuples(accounts, st.integers(0, 2), values)
    return st.lists(row, min_size=1, max_size=4).map(lambda rows: TransferPlan(tuple(rows)))


# The fund mostly starts solvent, so that ADL is reached through its own bankruptcy price.
fund_values = st.sampled_from([300.0, 2000.0, 50.0, 5.0, -20.0])


def funding_plans(fund_id: int, values=transfer_values) -> st.SearchStrategy[TransferPlan]:
    """One deposit (or withdrawal) per account, so some start thin and some rich."""
    rows = st.tuples(*[st.tuples(st.just(a), st.integers(0, 2), fund_values if a == fund_id else values)
                       for a in ACCOUNT_IDS])
    return rows.map(lambda drawn: TransferPlan(tuple(drawn)))


def mark_plans(factors=mark_factors, overrides=cap_overrides) -> st.SearchStrategy[MarkPlan]:
    return st.builds(MarkPlan, st.integers(0, 2), factors, overrides)


currency_plans = st.builds(CurrencyPlan, st.integers(0, 1), st.sampled_from([0.7, 0.9, 1.1, 1.5]))
policy_plans = st.builds(
    PolicyPlan, st.integers(0, 2),
    st.sampled_from([None, CapPolicy.NO_CAP, CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE]),
    st.sampled_from([None, *AdlRanking]), st.sampled_from([None, *AdlAllocation]))

mixed_steps = st.one_of(mark_plans(), trade_plans(), mark_plans(), transfer_plans(),
                        mark_plans(), trade_plans(), currency_plans, policy_plans)

# Thin accounts and big one-way jumps under the cap: liquidations and ADL.
thin_values = st.sampled_from([-20.0, 1.0, 5.0, 20.0, 60.0, 300.0])
jump_factors = st.sampled_from([1.15, 1.4, 2.0, 3.0, 0.85, 0.6, 0.4])
capped = st.just(CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE)
jump_steps = st.one_of(mark_plans(jump_factors, capped), trade_plans(),
                       mark_plans(jump_factors, capped), transfer_plans(thin_values))


@st.composite
def scenarios(draw, steps=mixed_steps, funding_values=transfer_values,
              max_instruments: int = 3, max_steps: int = 20) -> Scenario:
    """A config, a funding batch, an opening trade batch, then random steps."""
    config = draw(exchange_configs(max_instruments))
    funding = funding_plans(config.insurance_fund_account_id, funding_values)
    opening = (draw(funding), draw(trade_plans(max_pairs=6)))
    rest = draw(st.lists(steps, min_size=1, max_size=max_steps))
    return Scenario(config, (*opening, *rest))


@st.composite
def fund_exposure_scenarios(draw) -> Scenario:
    """The fund thin and exposed in one instrument against rich traders, who also trade among
    themselves in small equal sizes; then moves against the fund: ADL with remainder ties."""
    config = draw(exchange_configs(max_instruments=1))
    fund = config.insurance_fund_account_id
    traders = [a for a in ACCOUNT_IDS if a != fund]
    fund_side = draw(st.sampled_from([1, -1]))
    small = st.sampled_from([1, 2, 3])
    pairs = []
    for trader in traders:
        if draw(st.booleans()):
            buyer, seller = (fund, trader) if fund_side > 0 else (trader, fund)
            pairs.append((buyer, seller, 0, draw(small), draw(small_moves)))
    for _ in range(draw(st.integers(0, 4))):
        buyer, seller = draw(st.lists(st.sampled_from(traders), min_size=2, max_size=2, unique=True))
        pairs.append((buyer, seller, 0, draw(small), draw(small_moves)))
    rich = st.sampled_from([2000.0, 5000.0])
    funding = TransferPlan(((fund, 0, draw(st.sampled_from([0.0, 5.0, 20.0]))),
                            *[(a, 0, draw(rich)) for a in traders]))
    against_fund = st.sampled_from([0.85, 0.6, 0.4] if fund_side > 0 else [1.15, 1.6, 2.5])
    marks = draw(st.lists(mark_plans(against_fund, capped), min_size=1, max_size=3))
    return Scenario(config, (funding, TradePlan(tuple(pairs)), *marks))
