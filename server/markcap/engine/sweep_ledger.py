"""The insurance fund's account during a sweep (SPEC 3 "Sweep"), held aside and written once.

A sweep takes over thousands of accounts, one or a few per step, and each step's
decisions read only a little of what the takeovers change: the fund's exact equity,
its position in the marked instrument x and its bankruptcy price. The accounts
taken over are never read again within the call (they leave the harmed window and
cannot be on x's winning side, the only side ADL reads). So the ledger keeps the
fund's positions, balances and rounding residues itself, takes every account over
through the same `liquidation.close_account` a single step uses, applying the fund's
fills with the kernel's rules in the same order (so every decision and every number is
the one the step-by-step path makes), and writes the result to the state once, at the
end, undo-logged:

- each account taken over ends flat with zero balances;
- the fund holds the positions, balances and residues the ledger reached.

ADL fills change x's winning side on the state at once (the ranking reads it); the
fund's side of each fill and the residue owed go to the ledger.

Open interest needs no check here: a takeover moves a position to the fund on the
same side (closing the fund's opposite position first) and ADL only shrinks
positions, so neither side's total ever grows during a sweep. Costs and balances are
checked against int64 as the state checks them.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .liquidation import close_account
from .state import ExchangeState, checked_balance
from .types import Instrument, Liquidation, LiquidationReason
from .valuation import upnl_value_parts


class SweepLedger:
    """The fund's account and the takeovers of one sweep of instrument `marked_id`."""

    def __init__(self, state: ExchangeState, marked_id: int):
        self.state, self.marked_id = state, marked_id
        fund = state.fund_slot
        self.units = state.accounts.units[fund].tolist()  # the fund's balances by column
        self.positions = {x.instrument_id: (qty, cost) for x, qty, cost in state.positions_of(fund)}
        # Rounding residue owed to the fund per currency, (numerator, denominator > 0), in [0, 1).
        self.residue = {c: (r.numerator, r.denominator) for c, r in state.residue.items()}
        self.taken: list[tuple[int, list[int]]] = []  # (slot, instruments it held), in takeover order
        self._changed_positions: set[int] = set()
        self._changed_columns: set[int] = set()
        self._changed_residues: set[int] = set()
        self._currency_of_column = {column: currency_id for currency_id, column in state.currencies.column.items()}
        # The exact value of the fund's balances and of its positions other than x's (their marks
        # are fixed during the call), as an integer over a common denominator kept up to date.
        self._numerator, self._denominator = 0, 1
        for column, units in enumerate(self.units):
            self._add(self._balance_term(column, units), 1)
        for instrument_id in self.positions:
            if instrument_id != marked_id:
                self._add(self._term(instrument_id), 1)
        self._version = 0  # counts changes, for the equity remembered at a mark
        self._equity: tuple | None = None
        self.written = False

    # ---- what the steps read ------------------------------------------------------

    def position(self, instrument_id: int) -> tuple[int, int]:
        """The fund's (qty, cost in minor units) in an instrument."""
        return self.positions.get(instrument_id, (0, 0))

    def equity(self) -> Fraction:
        """The fund's exact equity at the current marks (valuation currency)."""
        key = (self._version, self.state.instruments.by_id[self.marked_id].mark_price)
        if self._equity is None or self._equity[0] != key:
            n, d = self._term(self.marked_id)
            self._equity = (key, Fraction(self._numerator * d + n * self._denominator, self._denominator * d))
        return self._equity[1]

    def _term(self, instrument_id: int) -> tuple[int, int]:
        """The exact upnl of the fund's position in an instrument, valuation currency, (n, d > 0)."""
        qty, cost = self.position(instrument_id)
        if qty == 0:
            return 0, 1
        return upnl_value_parts(self.state, self.state.instruments.by_id[instrument_id], qty, cost)

    def _balance_term(self, column: int, units: int) -> tuple[int, int]:
        n, d = self.state.currencies.unit_values[self._currency_of_column[column]]
        return units * n, d

    def _add(self, term: tuple[int, int], sign: int) -> None:
        """Adds sign * term to the running value, widening the common denominator when needed."""
        n, d = term
        if n == 0:
            return
        if self._denominator % d:
            wider = math.lcm(self._denominator, d)
            self._numerator *= wider // self._denominator
            self._denominator = wider
        self._numerator += sign * n * (self._denominator // d)

    # ---- what the steps change ------------------------------------------------------

    def take_over(self, slot: int, reason: LiquidationReason, price: float) -> Liquidation:
        """liquidation.take_over, with the fund's side kept here and the account's written by `write`."""
        liquidation, held = close_account(self.state, slot, reason, price, self)
        self.taken.append((slot, held))
        return liquidation

    def adl_fill(self, slot: int, instrument: Instrument, change: int, ticks: int) -> None:
        """One ADL fill pair: the winning account on the state (its residue owed here), the fund here."""
        self.state.fill(slot, instrument, change, ticks, "adl",
                        owe=lambda currency_id, residue: self.owe(currency_id, residue.numerator,
                                                                  residue.denominator))
        self.fill(instrument, -change, ticks, "adl")

    # ---- the fund's account (liquidation.FundAccount) ---------------------------------

    def fill(self, instrument: Instrument, qty_delta: int, ticks: int, field: str) -> None:
        """A fill of the fund's, as state.fill makes it."""
        instrument_id = instrument.instrument_id
        qty, cost = self.position(instrument_id)
        result = self.state.fill_result(instrument, qty, cost, qty_delta, ticks, field)
        if instrument_id != self.marked_id:
            self._add(self._term(instrument_id), -1)
        self.positions[instrument_id] = (result.qty, result.cost)
        if instrument_id != self.marked_id:
            self._add(self._term(instrument_id), 1)
        self._changed_positions.add(instrument_id)
        self._version += 1
        currency_id = instrument.settlement_currency_id
        if result.realised:
            self.credit(currency_id, result.realised, field)
        if result.residue_numerator:
            self.owe(currency_id, result.residue_numerator, result.residue_denominator)

    def credit(self, currency_id: int, units: int, field: str) -> None:
        """A transfer to the fund's balance, as state.transfer makes it."""
        column = self.state.currencies.column[currency_id]
        self.units[column] = checked_balance(self.units[column] + units, units, field)
        self._add(self._balance_term(column, units), 1)
        self._changed_columns.add(column)
        self._version += 1

    def owe(self, currency_id: int, numerator: int, denominator: int) -> None:
        """state.owe_fund on the ledger, in integers: whole units of residue go to the fund's
        balance at once, the rest (reduced) is carried."""
        held, below = self.residue.get(currency_id, (0, 1))
        if below == denominator:
            owed = held + numerator
        else:
            owed, denominator = held * denominator + numerator * below, below * denominator
        whole = owed // denominator
        owed -= whole * denominator
        common = math.gcd(owed, denominator)
        self.residue[currency_id] = (owed // common, denominator // common)
        self._changed_residues.add(currency_id)
        if whole:
            self.credit(currency_id, whole, "rounding residue")

    # ---- the end -------------------------------------------------------------------

    def write(self) -> None:
        """Writes what the sweep changed to the state (undo-logged, changes logged); once."""
        assert not self.written, "a sweep's ledger is written once"
        self.written = True
        state = self.state
        by_book: dict[int, list[int]] = {}
        for slot, held in self.taken:
            for instrument_id in held:
                by_book.setdefault(instrument_id, []).append(slot)
        for instrument_id in sorted(by_book):
            state.books[instrument_id].remove_many(by_book[instrument_id])
        if self.taken:
            slots = np.array([slot for slot, _ in self.taken], dtype=np.int64)
            state.accounts.clear_balances(slots)
            state.changes.accounts(slots)
        fund = state.fund_slot
        for instrument_id in sorted(self._changed_positions):
            state.books[instrument_id].set(fund, *self.positions[instrument_id])
        for column in sorted(self._changed_columns):
            state.accounts.set_units(fund, column, self.units[column])
        for currency_id in sorted(self._changed_residues):
            state.set_residue(currency_id, Fraction(*self.residue[currency_id]))
        state.changes.account(fund)
