"""Engine against the exact reference: everything equal.

Both sides hold exact values and report the double nearest to each, so every
number (prices, equities, balances to the minor unit, costs, scores) must be
the same double, and every decision the same.
"""
from __future__ import annotations

from markcap.engine.types import AccountEquity, MarkOutcome

from reference.exchange import ReferenceExchange
from reference.outcome import RefMarkOutcome

from .invariants import Snapshot

def close(got: float, expected, scale: float = 1.0) -> bool:
    """The engine's double is the one nearest to the reference's exact value (scale: unused,
    kept so call sites read the same)."""
    return got == float(expected)


def account_scale(reference: ReferenceExchange, account_id: int) -> float:
    return 1.0


def exchange_scale(reference: ReferenceExchange) -> float:
    return 1.0


def compare_accounts(state: Snapshot, reference: ReferenceExchange) -> None:
    """Every account the reference knows: equity, positions (qty exact, cost), balances."""
    for account_id in sorted(reference.accounts):
        assert account_id in state.accounts, f"engine does not know account {account_id}"
        view, scale = state.accounts[account_id], account_scale(reference, account_id)
        assert_ascending([c for c, _ in view.balances], f"account {account_id} balances")
        assert_ascending([p.instrument_id for p in view.positions], f"account {account_id} positions")
        expected_equity = reference.equity(account_id)
        assert close(view.equity, expected_equity, scale), (
            f"account {account_id}: equity {view.equity}, reference {expected_equity}")
        account = reference.accounts[account_id]
        expected_qty = {i: p.qty for i, p in account.positions.items() if p.qty != 0}
        assert {p.instrument_id: p.qty for p in view.positions if p.qty != 0} == expected_qty, (
            f"account {account_id}: positions differ")
        for position in view.positions:
            expected_cost = account.positions[position.instrument_id].cost
            assert close(position.cost, expected_cost, scale), (
                f"account {account_id} instrument {position.instrument_id}: "
                f"cost {position.cost}, reference {expected_cost}")
        compare_amounts(dict(view.balances), account.balances, scale, f"account {account_id} balances")


def assert_ascending(ids: list[int], what: str) -> None:
    assert ids == sorted(set(ids)), f"{what} not in ascending id order: {ids}"


def compare_amounts(got: dict[int, float], expected: dict[int, float], scale: float, what: str) -> None:
    """Per-currency amounts, a missing currency counting as 0."""
    for currency_id in sorted(set(got) | set(expected)):
        assert close(got.get(currency_id, 0.0), expected.get(currency_id, 0.0), scale), (
            f"{what}: currency {currency_id}: {got.get(currency_id)}, "
            f"reference {expected.get(currency_id)}")


def compare_negative_equity(got: tuple[AccountEquity, ...], expected: list[tuple[int, float]],
                            reference: ReferenceExchange) -> None:
    """The same accounts with the same equities, exactly."""
    assert_ascending([entry.account_id for entry in got], "negative equity accounts")
    assert [(entry.account_id, entry.equity) for entry in got] == list(expected)


def compare_mark(got: MarkOutcome, expected: RefMarkOutcome, reference: ReferenceExchange) -> None:
    """Every field of SPEC §3 step 8 that the reference models."""
    scale = exchange_scale(reference)
    assert (got.instrument_id, got.cap_policy) == (expected.instrument_id, expected.cap_policy)
    assert close(got.previous_price, expected.previous_price)
    assert close(got.requested_price, expected.requested_price)
    assert got.capped == expected.capped, f"capped {got.capped}, reference {expected.capped}"
    assert close(got.applied_price, expected.applied_price), (
        f"applied {got.applied_price}, reference {expected.applied_price}")
    assert (got.first_bankruptcy_price is None) == (expected.first_bankruptcy_price is None), (
        f"FBP {got.first_bankruptcy_price}, reference {expected.first_bankruptcy_price}")
    if expected.first_bankruptcy_price is not None:
        assert close(got.first_bankruptcy_price, expected.first_bankruptcy_price)
    compare_liquidations(got, expected, scale)
    compare_adl(got, expected)
    compare_negative_equity(got.negative_equity_accounts, expected.negative_equity_accounts, reference)
    fund_scale = account_scale(reference, reference.fund_id) + scale
    assert close(got.insurance_fund_equity_before, expected.fund_equity_before, fund_scale)
    assert close(got.insurance_fund_equity_after, expected.fund_equity_after, fund_scale)
    assert close(got.insurance_fund_deficit, expected.deficit, fund_scale)


def compare_liquidations(got: MarkOutcome, expected: RefMarkOutcome, scale: float) -> None:
    assert [(l.account_id, l.reason) for l in got.liquidations] == [
        (l.account_id, l.reason) for l in expected.liquidations], "liquidations differ"
    for mine, theirs in zip(got.liquidations, expected.liquidations):
        what = f"liquidation of {mine.account_id}"
        assert close(mine.price, theirs.price), what
        assert close(mine.equity_before, theirs.equity_before, scale), (
            f"{what}: equity before {mine.equity_before}, reference {theirs.equity_before}")
        assert [(p.instrument_id, p.qty) for p in mine.positions] == [
            (instrument_id, qty) for instrument_id, qty, _ in theirs.positions], what
        for moved, (_, _, price) in zip(mine.positions, theirs.positions):
            assert close(moved.price, price), what
        assert_ascending([b.currency_id for b in mine.balances], f"{what}: balances moved")
        compare_amounts({b.currency_id: b.amount for b in mine.balances}, theirs.balances,
                        scale, f"{what}: balances moved")


def compare_adl(got: MarkOutcome, expected: RefMarkOutcome) -> None:
    mine = [(f.account_id, f.instrument_id, f.qty, f.rank) for f in got.adl_fills]
    theirs = [(f.account_id, f.instrument_id, f.qty, f.rank) for f in expected.adl_fills]
    assert mine == theirs, f"ADL fills {mine}, reference {theirs}"
    for fill, reference_fill in zip(got.adl_fills, expected.adl_fills):
        assert close(fill.price, reference_fill.price)
        assert close(fill.score, reference_fill.score), (
            f"ADL score of {fill.account_id}: {fill.score}, reference {reference_fill.score}")
