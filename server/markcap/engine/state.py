"""The exchange as markcap holds it: reference data, accounts, positions, the fund.

Every mutation goes through the methods here so that the undo log sees it, and
is logged in `changes` for the structures derived from this state (risk.py),
which this module never calls: the flow is one-way.
Invariants (checked by `check_invariants`): books hold only open positions and
agree with the account-major holdings; balances and costs are exact int64 minor units
with float64 mirrors that equal units / 10^decimals; marks are on their grids; the fund
account exists; each book's settlement currency exists; each currency's rounding
residue owed to the fund lies in [0, 1) minor unit.

Conservation (SPEC 1 "Numbers"): a fill changes the account's W (balance - K for
LINEAR, balance + K for INVERSE) by floor of its exact change and adds exact - floor
to the currency's residue; whole units of residue go to the fund's balance at once.
So sum(W) + residue per currency changes by exactly the sum of the fills' exact
changes: zero for fills that come in opposite pairs at one price.
"""
from __future__ import annotations

import dataclasses
import math
from contextlib import contextmanager
from fractions import Fraction

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
from .units import fund_floor_units, price_ticks


def checked_balance(balance: int, units: int, field: str) -> int:
    """`balance` (minor units) after adding `units`, refused beyond int64."""
    if not contracts.INT64_MIN <= balance <= contracts.INT64_MAX:
        raise InvalidInput(f"{field}: balance would be {balance} minor units, beyond int64",
                           field=field, value=units)
    return balance


class ExchangeState:
    def __init__(self, config: ExchangeConfig):
        self.undo = UndoLog()
        self.changes = StateChanges()
        self.currencies = CurrencyTable(config.currencies)
        self.instruments = InstrumentTable()
        self.books: dict[int, PositionBook] = {}
        self.accounts = AccountTable(self.undo, self.currencies.decimals_by_column())
        self.holdings = Holdings(len(self.accounts.ids))  # (account, book) -> row for every book
        self.instrument_of_bit: list[int] = []  # book number in the holdings -> instrument id
        self.fund_account_id = int(config.insurance_fund_account_id)
        self.floor = float(config.insurance_fund_floor)
        valuation = self.currencies.by_id[self.currencies.valuation_id]
        self.floor_exact = Fraction(fund_floor_units(self.floor, valuation.decimals, valuation.code),
                                    10**valuation.decimals)
        self.residue: dict[int, Fraction] = {}  # currency -> rounding residue owed to the fund, minor units
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
        self._set_book_power(instrument)

    def _set_book_power(self, instrument: Instrument) -> None:
        book = self.books[instrument.instrument_id]
        if not len(book):  # costs are in the settlement currency's minor units
            book.power = 10.0 ** self.currencies.by_id[instrument.settlement_currency_id].decimals

    def put_currency(self, currency: Currency, is_new: bool) -> None:
        """A currency price moves the value of balances and settlement: every key is rebuilt."""
        self.currencies.apply(currency, is_new)
        if is_new:
            self.accounts.add_currency_column(currency.decimals)
        else:  # decimals change only while nothing is held in the currency
            self.accounts.powers[self.currencies.column[currency.currency_id]] = 10.0 ** currency.decimals
            for instrument in self.instruments.by_id.values():
                self._set_book_power(instrument)
        self.changes.revalue_all()

    def set_mark(self, instrument_id: int, price: float) -> None:
        old = self.instruments.by_id[instrument_id]
        moved = dataclasses.replace(old, mark_price=price)
        self.instruments.put(moved)
        self.undo.record(lambda: self.instruments.put(old))

    def has_balances(self, currency_id: int) -> bool:
        """Whether any account holds a non-zero balance in the currency, or a position settled in it
        (a scan: reference data only). Its amounts are whole minor units while so."""
        column = self.currencies.column[currency_id]
        if (self.accounts.units[: self.accounts.count, column] != 0).any():
            return True
        return any(len(self.books[i]) and x.settlement_currency_id == currency_id
                   for i, x in self.instruments.by_id.items())

    def sigma(self, instrument: Instrument) -> float:
        """Price of the instrument's settlement currency in valuation currency."""
        return self.currencies.price(instrument.settlement_currency_id)

    # ---- position and cash changes -------------------------------------------

    def terms(self, instrument: Instrument) -> contracts.Terms:
        """The instrument's exact constant (contracts.py), in its settlement currency's minor units."""
        decimals = self.currencies.by_id[instrument.settlement_currency_id].decimals
        return contracts.terms_of(instrument.kind, instrument.multiplier, instrument.tick_size, decimals)

    def mark_ticks(self, instrument: Instrument) -> int:
        return price_ticks(instrument.tick_size, instrument.mark_price)

    def fill_result(self, instrument: Instrument, qty: int, cost: int, qty_delta: int, ticks: int,
                    field: str = "fill") -> contracts.FillResult:
        """The kernel's fill of a position (qty, cost), refused when its quantity or cost would
        leave int64; nothing changes."""
        result = contracts.kernel(instrument.kind).fill(self.terms(instrument), qty, cost, qty_delta, ticks)
        if not contracts.INT64_MIN <= result.qty <= contracts.INT64_MAX:
            raise InvalidInput(f"{field}: position would be {result.qty} contracts, beyond int64",
                               field=field, value=result.qty)
        if not contracts.INT64_MIN <= result.cost <= contracts.INT64_MAX:
            raise InvalidInput(f"{field}: position cost would be {result.cost} minor units, beyond int64",
                               field=field, value=qty_delta)
        return result

    def fill(self, slot: int, instrument: Instrument, qty_delta: int, ticks: int,
             field: str = "fill", owe=None) -> None:
        """Applies one fill at `ticks` to the account in `slot` (SPEC 2), exactly: the kernel's
        rounding rules (contracts.py), realised PnL into its balance, the residue to the fund
        (`owe(currency_id, residue)`: to whoever holds the fund's account instead, a sweep's ledger)."""
        book = self.books[instrument.instrument_id]
        qty, cost = book.get(slot)
        result = self.fill_result(instrument, qty, cost, qty_delta, ticks, field)
        # A takeover can hand the fund every position of one side: each side's total must fit too.
        open_long = book.open_long + max(result.qty, 0) - max(qty, 0)
        open_short = book.open_short + max(-result.qty, 0) - max(-qty, 0)
        if max(open_long, open_short) > contracts.INT64_MAX:
            side, total = ("long", open_long) if open_long > contracts.INT64_MAX else ("short", open_short)
            raise InvalidInput(f"{field}: instrument {instrument.instrument_id} would have {total} contracts "
                               f"open {side}, beyond int64 (the insurance fund could not take them over)",
                               field=field, value=qty_delta)
        book.set(slot, result.qty, result.cost)
        self.changes.account(slot)
        currency_id = instrument.settlement_currency_id
        if result.realised:
            self.transfer(slot, currency_id, result.realised, field)
        if result.residue_numerator:
            (owe or self.owe_fund)(currency_id, result.residue)

    def owe_fund(self, currency_id: int, residue: Fraction) -> None:
        """Adds rounding residue (minor units, >= 0) owed to the fund; whole units are paid at once."""
        old = self.residue.get(currency_id, Fraction(0))
        owed = old + residue
        whole = math.floor(owed)
        self.residue[currency_id] = owed - whole
        self.undo.record(lambda: self.residue.__setitem__(currency_id, old))
        if whole:
            self.transfer(self.fund_slot, currency_id, whole, "rounding residue")

    def set_residue(self, currency_id: int, residue: Fraction) -> None:
        """Sets the residue owed to the fund in a currency (a sweep's ledger reached it), undone as
        `owe_fund` is."""
        old = self.residue.get(currency_id, Fraction(0))
        self.residue[currency_id] = residue
        self.undo.record(lambda: self.residue.__setitem__(currency_id, old))

    def transfer(self, slot: int, currency_id: int, units: int, field: str = "transfer") -> None:
        """Adds `units` minor units of the currency to the account's balance."""
        column = self.currencies.column[currency_id]
        balance = checked_balance(self.accounts.balance_units(slot, column) + units, units, field)
        self.accounts.set_units(slot, column, balance)
        self.changes.account(slot)

    # ---- reading --------------------------------------------------------------

    def positions_of(self, slot: int) -> list[tuple[Instrument, int, int]]:
        """(instrument, qty, cost in minor units) of every open position of the account, ascending
        instrument_id."""
        return [(x, q, int(cost)) for x, q, cost in self._positions(slot, "cost_units")]

    def position_mirrors_of(self, slot: int) -> list[tuple[Instrument, int, float]]:
        """(instrument, qty, float64 cost mirror) of every open position, ascending instrument_id."""
        return [(x, q, float(cost)) for x, q, cost in self._positions(slot, "cost")]

    def _positions(self, slot: int, cost_column: str):
        held = []
        for bit, row in self.holdings.books_of(slot):
            instrument_id = self.instrument_of_bit[bit]
            book = self.books[instrument_id]
            held.append((self.instruments.by_id[instrument_id], int(book.qty[row]),
                         getattr(book, cost_column)[row]))
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
        n = accounts.count
        assert (accounts.balances[:n] == accounts.units[:n] / accounts.powers).all(), "balance mirrors drifted"
        assert all(0 <= r < 1 for r in self.residue.values())
        assert self.currencies.prices[self.currencies.column[self.currencies.valuation_id]] == 1.0
        for instrument_id, book in self.books.items():
            instrument = self.instruments.by_id[instrument_id]
            assert instrument.settlement_currency_id in self.currencies.by_id
            assert math.isfinite(instrument.mark_price) and instrument.mark_price > 0
            slots, qty, cost = book.columns()
            assert (qty != 0).all(), f"flat position kept in book {instrument_id}"
            assert book.open_long == sum(q for q in qty.tolist() if q > 0), f"open_long drifted in {instrument_id}"
            assert book.open_short == -sum(q for q in qty.tolist() if q < 0), f"open_short drifted in {instrument_id}"
            assert max(book.open_long, book.open_short) <= contracts.INT64_MAX
            assert (cost == book.cost_units[: len(book)] / book.power).all(), "cost mirrors drifted"
            self.instruments.grid(instrument).units(instrument.mark_price, "mark_price")
            assert (slots < accounts.count).all() and len(np.unique(slots)) == len(slots)
            assert book.rows_in(slots).tolist() == list(range(len(slots)))
            where, rows = self.holdings.rows_of(slots).get(book.bit, (np.zeros(0, int), np.zeros(0, int)))
            held = sorted(zip(slots[where].tolist(), rows.tolist()))
            assert held == sorted(zip(slots.tolist(), range(len(slots)))), f"holdings disagree with book {instrument_id}"
        holdings = self.holdings
        recorded = int((holdings.bit >= 0).sum()) + sum(len(extra) for extra in holdings.overflow.values())
        assert recorded == self.position_count(), "holdings record positions no book holds"
