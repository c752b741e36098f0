"""Takeover of an account by the insurance fund (SPEC 4).

Each position moves to the fund at its instrument's current mark as a fill
pair (the account closes, realising its PnL; the fund opens or extends), then
each non-zero balance moves as a transfer pair. The account ends flat with
zero balances and the fund gains the account's equity (negative for an
account that was already bankrupt): value moves, none is created.
"""
from __future__ import annotations

from .state import ExchangeState
from .types import Liquidation, LiquidationReason, MovedBalance, MovedPosition
from .valuation import exact_equity


def take_over(state: ExchangeState, slot: int, reason: LiquidationReason, price: float) -> Liquidation:
    """Moves everything the account in `slot` holds to the fund; `price` is the marked instrument's."""
    fund = state.fund_slot
    equity_before = float(exact_equity(state, slot))
    moved_positions = []
    for instrument, qty, _cost in state.positions_of(slot):
        ticks = state.mark_ticks(instrument)
        state.fill(slot, instrument, -qty, ticks, "liquidation")
        state.fill(fund, instrument, qty, ticks, "liquidation")
        moved_positions.append(MovedPosition(instrument.instrument_id, qty, instrument.mark_price))
    moved_balances = []
    for currency in state.currencies.sorted():
        column = state.currencies.column[currency.currency_id]
        units = state.accounts.balance_units(slot, column)
        if units != 0:
            amount = state.accounts.balance(slot, column)
            state.transfer(slot, currency.currency_id, -units, "liquidation")
            state.transfer(fund, currency.currency_id, units, "liquidation")
            moved_balances.append(MovedBalance(currency.currency_id, amount))
    account_id = int(state.accounts.ids[slot])
    return Liquidation(account_id, equity_before, tuple(moved_positions), tuple(moved_balances),
                       reason, price)
