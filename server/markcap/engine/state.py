"""The exchange as markcap holds it: reference data, accounts, positions, the fund.

Every mutation goes through the methods here so that the undo log sees it, and
is logged in `changes` for the structures derived from this state (risk.py),
which this module never calls: the flow is one-way.
Invariants (checked by `check_invariants`): books hold only open positions and
agree with the account-major holdings; balances, costs and marks are finite; the fund
account exists; each book's settlement currency exists.
"""
from __future__ import annotations

import dataclasses
import math
from contextlib import contextmanager

import numpy as np

from . import contracts
from .accounts import AccountTable
from .changes import StateChanges
from .errors import InvalidInput
from .holdings import Holdings
from .positions import PositionBook
from .reference_data import CurrencyTable, InstrumentTable
from .types import Currency, ExchangeConfig, Instrument, InstrumentUpdate
from .undo import UndoLog


class ExchangeState:
    def __init__(self, config: ExchangeConfig):
        self.undo = UndoLog()
        self.changes = StateChanges()
        self.currencies = CurrencyTable(config.currencies)
        self.instruments = InstrumentTable()
        self.books: dict[int, PositionBook] = {}
        self.accounts = AccountTable(self.undo, len(self.currencies.prices))
        self.holdings = Holdings(len(self.accounts.ids))  # (account, book) -> row for every book
        self.instrument_of_bit: list[int] = []  # book number in the holdings -> instrument id
        self.fund_account_id = int(config.insurance_fund_account_id)
        self.floor = float(config.insurance_fund_floor)
        if not math.isfinite(self.floor):
            raise InvalidInput(f"insurance_fund_floor is {self.floor!r}: must be finite",
                               field="insurance_fund_floor", value=self.floor)
        self.currencies.minor_unit(self.currencies.valuation_id).units(self.floor, "insurance_fund_floor")
        self.fund_slot = self.accounts.ensure(self.fund_account_id)
        for instrument in config.instruments:
            update = InstrumentUpdate(**dataclasses.asdict(instrument))
            self.put_instrument(self.instruments.validate(update, self.currencies, has_positions=False))

    @contextmanager
    def operation(self, *, always_rollback: bool = False):
        """An undo transaction: every change inside it is reverted if it fails (or always)."""
        with self.undo.transaction(always_rollback=always_rollback):
            yield

    # ---- reference data -----------------------------------------------------

    def put_instrument(self, instrument: Instrument) -> None:
        self.instruments.put(instrument)
        if instrument.instrument_id not in self.books:
            book = PositionBook(self.undo, self.holdings, self.changes, len(self.books))
            self.books[instrument.instrument_id] = book
            self.instrument_of_bit.append(instrument.instrument_id)
            self.changes.book_added()
        elif not len(self.books[instrument.instrument_id]):  # terms may change only while unheld
            self.changes.unheld_terms_changed(instrument.instrument_id)

    def put_currency(self, currency: Currency, is_new: bool) -> None:
        """A currency price moves the value of balances and settlement: every key is rebuilt."""
        self.currencies.apply(currency, is_new)
        if is_new:
            self.accounts.add_currency_column()
        self.changes.revalue_all()

    def set_mark(self, instrument_id: int, price: float) -> None:
        old = self.instruments.by_id[instrument_id]
        moved = dataclasses.replace(old, mark_price=price)
        self.instruments.put(moved)
        self.undo.record(lambda: self.instruments.put(old))

    def has_balances(self, currency_id: int) -> bool:
        """Whether any account holds a non-zero balance in the currency (a scan: reference data only)."""
        column = self.currencies.column[currency_id]
        return bool((self.accounts.balances[: self.accounts.count, column] != 0).any())

    def sigma(self, instrument: Instrument) -> float:
        """Price of the instrument's settlement currency in valuation currency."""
        return self.currencies.price(instrument.settlement_currency_id)

    # ---- position and cash changes -------------------------------------------

    def fill(self, slot: int, instrument: Instrument, qty_delta: int, price: float,
             field: str = "fill") -> None:
        """Applies one fill to the account in `slot` (SPEC 2), realising PnL into its balance."""
        book = self.books[instrument.instrument_id]
        qty, cost = book.get(slot)
        new_qty, new_cost, realised = contracts.apply_fill(
            instrument.kind, instrument.multiplier, qty, cost, qty_delta, price)
        if not contracts.INT64_MIN <= new_qty <= contracts.INT64_MAX:
            raise InvalidInput(f"{field}: position would be {new_qty} contracts, beyond int64",
                               field=field, value=new_qty)
        if not (math.isfinite(new_cost) and math.isfinite(realised)):
            raise InvalidInput(f"{field}: position cost or realised PnL overflows float64",
                               field=field, value=qty_delta)
        book.set(slot, new_qty, new_cost)
        self.changes.account(slot)
        if realised:
            self.transfer(slot, instrument.settlement_currency_id, realised, field)

    def transfer(self, slot: int, currency_id: int, amount: float, field: str = "transfer") -> None:
        column = self.currencies.column[currency_id]
        balance = self.accounts.balance(slot, column) + amount
        if not math.isfinite(balance):
            raise InvalidInput(f"{field}: balance would overflow float64", field=field, value=amount)
        self.accounts.set_balance(slot, column, balance)
        self.changes.account(slot)

    # ---- reading --------------------------------------------------------------

    def positions_of(self, slot: int) -> list[tuple[Instrument, int, float]]:
        """(instrument, qty, cost) of every open position of the account, ascending instrument_id."""
        held = []
        for bit, row in self.holdings.books_of(slot):
            instrument_id = self.instrument_of_bit[bit]
            book = self.books[instrument_id]
            held.append((self.instruments.by_id[instrument_id], int(book.qty[row]), float(book.cost[row])))
        return sorted(held, key=lambda position: position[0].instrument_id)

    def position_count(self) -> int:
        return sum(len(book) for book in self.books.values())

    def check_invariants(self) -> None:
        """Raises AssertionError when the internal structures disagree (tests call it after every step)."""
        accounts = self.accounts
        assert accounts.slot_of.get(self.fund_account_id) == self.fund_slot
        assert len(accounts.slot_of) == accounts.count
        for account_id, slot in accounts.slot_of.items():
            assert int(accounts.ids[slot]) == account_id
        assert np.isfinite(accounts.balances[: accounts.count]).all()
        assert self.currencies.prices[self.currencies.column[self.currencies.valuation_id]] == 1.0
        for instrument_id, book in self.books.items():
            instrument = self.instruments.by_id[instrument_id]
            assert instrument.settlement_currency_id in self.currencies.by_id
            assert math.isfinite(instrument.mark_price) and instrument.mark_price > 0
            slots, qty, cost = book.columns()
            assert (qty != 0).all(), f"flat position kept in book {instrument_id}"
            assert np.isfinite(cost).all()
            assert (slots < accounts.count).all() and len(np.unique(slots)) == len(slots)
            assert book.rows_in(slots).tolist() == list(range(len(slots)))
            where, rows = self.holdings.rows_of(slots).get(book.bit, (np.zeros(0, int), np.zeros(0, int)))
            held = sorted(zip(slots[where].tolist(), rows.tolist()))
            assert held == sorted(zip(slots.tolist(), range(len(slots)))), f"holdings disagree with book {instrument_id}"
        holdings = self.holdings
        recorded = int((holdings.bit >= 0).sum()) + sum(len(extra) for extra in holdings.overflow.values())
        assert recorded == self.position_count(), "holdings record positions no book holds"
