"""Takeover of an account by the insurance fund (SPEC 4).

Each position moves to the fund at its instrument's current mark as a fill
pair (the account closes, realising its PnL; the fund opens or extends), then
each non-zero balance moves as a transfer pair. The account ends flat with
zero balances and the fund gains the account's equity (negative for an
account that was already bankrupt): value moves, none is created.

`close_account` computes the account's side in integers with the kernel's rules
(contracts.py: what the account realises rounds down, the residue is owed to the
fund) and hands the fund its side through a `FundAccount`: the state itself for a
single step (`take_over`), or a sweep's ledger (sweep_ledger.py), which holds the
fund's account for the call and writes the accounts it took over at its end.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Protocol

import numpy as np

from .state import ExchangeState, checked_balance
from .types import Instrument, Liquidation, LiquidationReason, MovedBalance, MovedPosition
from .valuation import exact_equity_parts


class FundAccount(Protocol):
    """Where the fund's side of a takeover goes."""

    def fill(self, instrument: Instrument, qty_delta: int, ticks: int, field: str) -> None: ...

    def credit(self, currency_id: int, units: int, field: str) -> None: ...

    def owe(self, currency_id: int, numerator: int, denominator: int) -> None: ...


class FundOnState:
    """The fund's account on the state, for the takeover of the account in `slot`: each of the
    account's positions leaves its book just before the fund's fill in it, so a side's open
    interest never counts the position twice (the state refuses a total beyond int64)."""

    def __init__(self, state: ExchangeState, slot: int):
        self.state, self.slot = state, slot

    def fill(self, instrument: Instrument, qty_delta: int, ticks: int, field: str) -> None:
        self.state.books[instrument.instrument_id].set(self.slot, 0, 0)
        self.state.fill(self.state.fund_slot, instrument, qty_delta, ticks, field)

    def credit(self, currency_id: int, units: int, field: str) -> None:
        self.state.transfer(self.state.fund_slot, currency_id, units, field)

    def owe(self, currency_id: int, numerator: int, denominator: int) -> None:
        self.state.owe_fund(currency_id, Fraction(numerator, denominator))


def close_account(state: ExchangeState, slot: int, reason: LiquidationReason, price: float,
                  fund: FundAccount) -> tuple[Liquidation, list[int]]:
    """The takeover of the account in `slot` as SPEC 4 makes it, the fund's side handed to `fund`
    (which, on the state, also closes each position); the account's balances are not written (the
    caller clears them). Returns
    the report and the instruments the account held; `price` is the marked instrument's."""
    accounts, currencies = state.accounts, state.currencies
    positions = state.positions_of(slot)
    numerator, denominator = exact_equity_parts(state, slot, positions=positions)
    equity_before = numerator / denominator  # the double nearest to it (int division rounds correctly)
    units = accounts.units[slot].tolist()
    moved_positions, held = [], []
    for instrument, qty, cost in positions:
        ticks = state.mark_ticks(instrument)
        closing = state.fill_result(instrument, qty, cost, -qty, ticks, "liquidation")
        currency_id = instrument.settlement_currency_id
        if closing.realised:
            column = currencies.column[currency_id]
            units[column] = checked_balance(units[column] + closing.realised, closing.realised, "liquidation")
        if closing.residue_numerator:
            fund.owe(currency_id, closing.residue_numerator, closing.residue_denominator)
        fund.fill(instrument, qty, ticks, "liquidation")
        moved_positions.append(MovedPosition(instrument.instrument_id, qty, instrument.mark_price))
        held.append(instrument.instrument_id)
    moved_balances = []
    for currency in currencies.sorted():
        column = currencies.column[currency.currency_id]
        if units[column] != 0:
            moved_balances.append(MovedBalance(currency.currency_id, float(units[column] / accounts.powers[column])))
            fund.credit(currency.currency_id, units[column], "liquidation")
    liquidation = Liquidation(int(accounts.ids[slot]), equity_before, tuple(moved_positions),
                              tuple(moved_balances), reason, price)
    return liquidation, held


def take_over(state: ExchangeState, slot: int, reason: LiquidationReason, price: float) -> Liquidation:
    """Moves everything the account in `slot` holds to the fund, on the state."""
    liquidation, _ = close_account(state, slot, reason, price, FundOnState(state, slot))
    state.accounts.clear_balances(np.array([slot], dtype=np.int64))
    state.changes.account(slot)
    return liquidation
