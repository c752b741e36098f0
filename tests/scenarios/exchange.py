"""Small helpers to drive a markcap server over gRPC in scenario tests and check SPEC 7."""
from __future__ import annotations

import pytest

from markcap.v1 import risk_engine_pb2 as pb

from .book import DEALER_ACCOUNT_ID, Book, net_quantity

# Equities are sums of a few products of modest numbers: 1e-6 is far above
# float64 rounding and far below any amount a scenario reasons about.
TOLERANCE = 1e-6



def fpm_config(floor: float = 0.0, cap_policy: str = "CAP_TO_FIRST_BANKRUPTCY_PRICE",
               ranking: str = "PNL", allocation: str = "PRO_RATA") -> str:
    """The scenarios' exchange: linear instrument 1 (FPM-PERP), multiplier 1, mark 100,
    settled in USD, the valuation currency; fund account 0 with the given floor."""
    return f"""
insurance_fund_account_id = 0
insurance_fund_floor = {floor!r}

[[currencies]]
currency_id = 1
code = "USD"
decimals = 2
price = 1.0
valuation = true

[[instruments]]
instrument_id = 1
symbol = "FPM-PERP"
kind = "LINEAR"
settlement_currency_id = 1
multiplier = 1.0
tick_size = 0.01
mark_price = 100.0
cap_policy = "{cap_policy}"
adl_ranking = "{ranking}"
adl_allocation = "{allocation}"
"""

def next_seq(stub) -> int:
    return stub.GetStatus(pb.GetStatusRequest()).applied_seq + 1


def apply_mark(stub, instrument_id: int, price: float,
               cap_policy: int = pb.CAP_POLICY_UNSPECIFIED, dry_run: bool = False, sweep: bool = False,
               max_steps: int = 0) -> pb.ApplyMarkResponse:
    """ApplyMark at the next seq (seq 0 for a dry run, which consumes none)."""
    seq = 0 if dry_run else next_seq(stub)
    request = pb.ApplyMarkRequest(seq=seq, instrument_id=instrument_id, price=price,
                                  cap_policy=cap_policy, dry_run=dry_run, sweep=sweep, max_steps=max_steps)
    return stub.ApplyMark(request, timeout=10)


def account(stub, account_id: int) -> pb.Account:
    return stub.GetAccount(pb.GetAccountRequest(account_id=account_id)).account


def position(stub, account_id: int, instrument_id: int) -> pb.Position | None:
    """The account's position in the instrument, None when flat."""
    for held in account(stub, account_id).positions:
        if held.instrument_id == instrument_id:
            return held
    return None


def equities(stub, account_ids: list[int]) -> dict[int, float]:
    return {account_id: account(stub, account_id).equity for account_id in account_ids}


def fund_equity(stub) -> float:
    return stub.GetInsuranceFund(pb.GetInsuranceFundRequest()).account.equity


def liquidations(response: pb.ApplyMarkResponse) -> list[tuple]:
    """(account_id, reason, price, [(instrument_id, qty, price)]) per liquidation, in order."""
    return [(liq.account_id, liq.reason, round(liq.price, 6),
             [(moved.instrument_id, moved.qty, round(moved.price, 6)) for moved in liq.positions])
            for liq in response.liquidations]


def adl_fills(response: pb.ApplyMarkResponse) -> list[tuple]:
    """(account_id, instrument_id, qty, price, rank) per ADL fill, in order."""
    return [(fill.account_id, fill.instrument_id, fill.qty, round(fill.price, 6), fill.rank)
            for fill in response.adl_fills]


def assert_moved_balances_are_zero(liquidation: pb.Liquidation) -> None:
    """At the first bankruptcy price the account's cash exactly pays its loss."""
    for moved in liquidation.balances:
        assert abs(moved.amount) < TOLERANCE, moved


def assert_invariants_after_cap(stub, book: Book, equities_before: dict[int, float],
                                response: pb.ApplyMarkResponse, fund_floor: float) -> None:
    """SPEC 7 as far as GetAccount shows it, after a capped update.

    No account has a negative equity it did not have before; the fund is not
    below its floor unless it started there; each instrument still nets to 0;
    liquidation and ADL moved value without creating any: the equities sum to
    what the givens are worth at the applied price.
    """
    after = equities(stub, book.accounts())
    after_without_dealer = sum(equity for account_id, equity in after.items() if account_id != DEALER_ACCOUNT_ID)
    assert after_without_dealer == pytest.approx(book.total_equity_at(response.applied_price), abs=TOLERANCE)
    for account_id, equity in after.items():
        if equity < -TOLERANCE:
            assert equities_before[account_id] < 0, f"account {account_id} newly negative: {equity}"
    fund_id = book.fund_account_id
    if equities_before[fund_id] >= fund_floor:
        assert after[fund_id] >= fund_floor - TOLERANCE, f"fund below floor: {after[fund_id]}"
    assert net_quantity(stub, book.accounts(), book.instrument_id) == 0
