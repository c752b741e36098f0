"""Runs one stream on the engine and the reference side by side, checking after every step."""
from __future__ import annotations

from dataclasses import replace

from hypothesis import event, note
from hypothesis.control import currently_in_test_context

from fractions import Fraction

from markcap.engine import ContractKind, Engine
from markcap.engine.types import ExchangeConfig

from reference.exchange import ReferenceExchange
from reference.grid import exact

from .compare import compare_accounts, compare_mark, compare_negative_equity
from .inputs import CurrencyInput, DeltasInput, MarkInput, account_ids, apply_to_engine, apply_to_reference
from .invariants import check_deterministic, check_mark_invariants, check_zero_sum, snapshot
from .strategies import Scenario, resolve


class Harness:
    def __init__(self, config: ExchangeConfig):
        self.config = config
        self.engine = Engine(config)
        self.reference = ReferenceExchange.from_config(config)
        self.account_ids = {config.insurance_fund_account_id}
        self.inputs: list = []
        self.outcomes: list = []
        self.totals = {c.currency_id: self.reference.total(c.currency_id) for c in config.currencies}

    def step(self, plan) -> None:
        concrete = resolve(plan, self.reference)
        if currently_in_test_context():
            note(f"step {len(self.inputs) + 1}: {concrete!r}")
        self.account_ids |= account_ids(concrete)
        before = snapshot(self.engine, self.account_ids)
        rehearsal = self.dry_run(concrete)
        outcome = apply_to_engine(self.engine, concrete)
        if rehearsal is not None:
            assert replace(rehearsal, seq=outcome.seq, dry_run=False) == outcome, "dry run differs"
        expected = apply_to_reference(self.reference, concrete)
        after = snapshot(self.engine, self.account_ids)
        self.inputs.append(concrete)
        self.outcomes.append(outcome)
        if isinstance(concrete, MarkInput):
            label(outcome)
            check_mark_invariants(before, after, outcome)
            compare_mark(outcome, expected, self.reference)
            compare_accounts(after, self.reference)
        else:
            if isinstance(concrete, CurrencyInput):
                compare_negative_equity(outcome.negative_equity_accounts, expected, self.reference)
            compare_accounts(after, self.reference)
        check_zero_sum(after)
        if isinstance(concrete, DeltasInput):
            for _, currency_id, amount in concrete.transfers:
                self.totals[currency_id] += exact(amount)
        check_conserved(self.engine, self.reference, self.totals)

    def dry_run(self, step):
        """A mark's dry run (SPEC §6), checked to change nothing; None for other inputs."""
        if not isinstance(step, MarkInput):
            return None
        state_hash = self.engine.status().state_hash
        rehearsal = self.engine.apply_mark(0, step.instrument_id, step.price, step.cap_policy,
                                           dry_run=True)
        assert rehearsal.dry_run and rehearsal.seq == 0
        assert self.engine.status().state_hash == state_hash, "a dry run changed the state"
        return rehearsal

    def finish(self) -> None:
        check_deterministic(self.config, self.inputs, self.outcomes,
                            self.engine.status().state_hash, apply_to_engine)


def run(scenario: Scenario) -> Harness:
    harness = Harness(scenario.config)
    for plan in scenario.plans:
        harness.step(plan)
    harness.finish()
    return harness


def engine_total(engine: Engine, currency_id: int) -> Fraction:
    """The engine's exact balances plus costs of a currency plus its residue owed to the fund
    (SPEC §1 "Numbers"), from its integer state."""
    state = engine.state
    column, decimals = state.currencies.column[currency_id], state.currencies.by_id[currency_id].decimals
    units = int(sum(state.accounts.units[: state.accounts.count, column].tolist()))
    for instrument_id, book in state.books.items():
        instrument = state.instruments.by_id[instrument_id]
        if instrument.settlement_currency_id == currency_id:
            costs = sum(book.cost_units[: len(book)].tolist())
            units += -costs if instrument.kind == ContractKind.LINEAR else costs
    return (units + state.residue.get(currency_id, Fraction(0))) / 10**decimals


def check_conserved(engine: Engine, reference: ReferenceExchange, totals: dict[int, Fraction]) -> None:
    """Each currency's total moves only by transfers (zero-sum fills, takeovers and ADL conserve it
    exactly), and the engine's equals the reference's to the unit."""
    for currency_id, expected in totals.items():
        assert reference.total(currency_id) == expected, f"reference total of currency {currency_id}"
        assert engine_total(engine, currency_id) == expected, f"total of currency {currency_id} not conserved"


def label(outcome) -> None:
    """Statistics (pytest --hypothesis-show-statistics): how often the interesting paths ran."""
    if not currently_in_test_context():
        return
    if outcome.capped:
        event("mark capped")
    if outcome.liquidations:
        event("liquidation")
    if outcome.adl_fills:
        event("ADL")
    if outcome.adl_fills and outcome.insurance_fund_deficit == 0:
        event("ADL leaving the fund at or above its floor")
    if outcome.insurance_fund_deficit > 0:
        event("fund deficit")
