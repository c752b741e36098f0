"""The §7 checks themselves reject broken states (so a passing property test means something)."""
from __future__ import annotations

import pytest

from markcap.engine.types import (
    AccountView, CapPolicy, ContractKind, Instrument, MarkOutcome, PositionView,
)

from .invariants import (
    Snapshot, check_capped_update_harms_nobody, check_deficit_reported, check_value_conserved,
    check_zero_sum,
)


def view(account_id: int, balance: float, qty: int = 0, cost: float = 0.0, mark: float = 100.0):
    positions = (PositionView(1, qty, cost, cost / qty, qty * mark - cost, None, 0, 0),) if qty else ()
    return AccountView(account_id, balance + (qty * mark - cost if qty else 0.0),
                       ((1, balance),) if balance else (), positions)


def state(*views: AccountView, mark: float = 100.0, floor: float = 0.0) -> Snapshot:
    instrument = Instrument(1, "X", ContractKind.LINEAR, 1, 1.0, mark, tick_size=0.01)
    return Snapshot({1: 1.0}, {1: instrument}, {v.account_id: v for v in views}, 0, floor, {1: 0.01})


def outcome(applied: float, fund_before: float, fund_after: float, deficit: float,
            policy: CapPolicy = CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE) -> MarkOutcome:
    return MarkOutcome(1, 1, 100.0, applied, applied, False, None, (), (), (),
                       fund_before, fund_after, deficit, policy)


def test_zero_sum_rejects_an_unbalanced_instrument():
    check_zero_sum(state(view(1, 0.0, 10, 1000.0), view(2, 0.0, -10, -1000.0)))
    with pytest.raises(AssertionError):
        check_zero_sum(state(view(1, 0.0, 10, 1000.0), view(2, 0.0, -9, -900.0)))


def test_value_conservation_rejects_value_created_by_a_takeover():
    before = state(view(0, 0.0), view(1, 0.0, 10, 1000.0))
    fair = state(view(0, 0.0, 10, 1100.0, mark=110.0), view(1, 100.0), mark=110.0)
    check_value_conserved(before, fair, outcome(110.0, 0.0, 0.0, 0.0))
    generous = state(view(0, 5.0, 10, 1100.0, mark=110.0), view(1, 100.0), mark=110.0)
    with pytest.raises(AssertionError):
        check_value_conserved(before, generous, outcome(110.0, 0.0, 5.0, 0.0))


def test_capped_update_rejects_a_new_negative_equity_but_not_under_no_cap():
    before = state(view(0, 0.0), view(1, 50.0, -10, -1000.0))
    after = state(view(0, 0.0), view(1, 50.0, -10, -1000.0, mark=110.0), mark=110.0)  # equity -50
    with pytest.raises(AssertionError):
        check_capped_update_harms_nobody(before, after, outcome(110.0, 0.0, 0.0, 0.0))
    check_capped_update_harms_nobody(before, after, outcome(110.0, 0.0, 0.0, 0.0, CapPolicy.NO_CAP))


def test_fund_below_its_floor_must_have_started_there():
    before = state(view(0, 30.0), floor=20.0)
    after = state(view(0, 10.0), floor=20.0)
    with pytest.raises(AssertionError):
        check_capped_update_harms_nobody(before, after, outcome(110.0, 30.0, 10.0, 10.0))
    check_capped_update_harms_nobody(before, after, outcome(110.0, 15.0, 10.0, 10.0))


def test_deficit_must_be_reported():
    before, after = state(view(0, 3.0)), state(view(0, -3.0))
    check_deficit_reported(before, after, outcome(100.0, 3.0, -3.0, 3.0))
    with pytest.raises(AssertionError):
        check_deficit_reported(before, after, outcome(100.0, 3.0, -3.0, 0.0))
    with pytest.raises(AssertionError):
        check_deficit_reported(before, after, outcome(100.0, 9.0, -3.0, 3.0))
