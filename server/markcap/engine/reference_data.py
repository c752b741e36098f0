"""Currencies and instruments: validation of upserts and the current terms.

Invariants: exactly one valuation currency, price 1, never changed; every
currency has a balance column (`column[currency_id]`) and `prices[column]` is
its price; every instrument's settlement currency exists; codes and symbols are
unique; all prices and multipliers lie in numbers.PRICE_MIN..PRICE_MAX; every
currency has 0..18 decimals; every instrument's tick size is a decimal step and its
mark is a whole number of ticks (units.py).
"""
from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np

from .errors import InvalidInput, PreconditionFailed, UnknownId
from .numbers import require_in_range
from .units import Grid, decimal_of, minor_unit_grid, require_decimals, require_tick_size, tick_grid
from .types import (
    DEFAULT_ADL_ALLOCATION, DEFAULT_ADL_RANKING, DEFAULT_CAP_POLICY, Currency, CurrencyUpdate,
    Instrument, InstrumentUpdate,
)


class CurrencyTable:
    def __init__(self, currencies: tuple[Currency, ...]):
        valuation = [c for c in currencies if c.valuation]
        if len(valuation) != 1:
            raise InvalidInput(f"exactly one valuation currency is required, got {len(valuation)}",
                               field="currencies.valuation", value=len(valuation))
        self.by_id: dict[int, Currency] = {}
        self.column: dict[int, int] = {}
        self.prices = np.zeros(0, dtype=np.float64)
        self.exact_prices: dict[int, Fraction] = {}  # the decimal each price stands for (SPEC 1)
        self.unit_values: dict[int, tuple[int, int]] = {}  # one minor unit in valuation currency (n, d)
        self.valuation_id = valuation[0].currency_id
        for currency in currencies:
            if currency.currency_id in self.by_id:
                raise InvalidInput(f"currency {currency.currency_id} is defined twice",
                                   field="currencies.currency_id", value=currency.currency_id)
            price = 1.0 if currency.valuation else require_in_range(currency.price, "currency.price")
            if currency.valuation and currency.price != 1.0:
                raise InvalidInput(f"the valuation currency's price must be 1, got {currency.price!r}",
                                   field="currency.price", value=currency.price)
            self._check_code(currency.code, currency.currency_id)
            require_decimals(currency.decimals, "currency.decimals")
            self._add(dataclasses.replace(currency, price=price))

    def _add(self, currency: Currency) -> None:
        self.column[currency.currency_id] = len(self.prices)
        self.prices = np.append(self.prices, currency.price)
        self.by_id[currency.currency_id] = currency
        self._set_exact(currency)

    def _check_code(self, code: str | None, currency_id: int) -> None:
        if not code:
            raise InvalidInput(f"currency {currency_id} needs a code", field="currency.code", value=code)
        for other in self.by_id.values():
            if other.code == code and other.currency_id != currency_id:
                raise PreconditionFailed(f"currency code {code!r} is already used by currency {other.currency_id}")

    def get(self, currency_id: int, field: str = "currency_id") -> Currency:
        currency = self.by_id.get(currency_id)
        if currency is None:
            raise UnknownId(f"unknown currency {currency_id}", kind="currency", id_value=currency_id, field=field)
        return currency

    def price(self, currency_id: int) -> float:
        return float(self.prices[self.column[currency_id]])

    def _set_exact(self, currency: Currency) -> None:
        price = Fraction(decimal_of(currency.price))
        self.exact_prices[currency.currency_id] = price
        unit = price / 10**currency.decimals
        self.unit_values[currency.currency_id] = (unit.numerator, unit.denominator)

    def decimals_by_column(self) -> list[int]:
        return [c.decimals for c in sorted(self.by_id.values(), key=lambda c: self.column[c.currency_id])]

    def minor_unit(self, currency_id: int) -> Grid:
        """The grid of the currency's amounts: multiples of 10**-decimals."""
        currency = self.by_id[currency_id]
        return minor_unit_grid(currency.decimals, currency.code)

    def validate(self, update: CurrencyUpdate, has_balances) -> tuple[Currency, bool]:
        """The currency as it would be after `update`, and whether it is new. Changes nothing.

        `has_balances(currency_id)` says whether any account holds a balance in it: its
        decimals cannot change then (the balances are whole minor units)."""
        existing = self.by_id.get(update.currency_id)
        price = require_in_range(update.price, "currency.price")
        if update.valuation and update.currency_id != self.valuation_id:
            raise PreconditionFailed(
                f"currency {self.valuation_id} is the valuation currency; "
                f"currency {update.currency_id} cannot become it")
        if update.currency_id == self.valuation_id and price != 1.0:
            raise PreconditionFailed(
                f"currency {update.currency_id} is the valuation currency: its price is 1 "
                f"and cannot change (got {price!r})")
        code = update.code or (existing.code if existing else None)
        self._check_code(code, update.currency_id)
        decimals = existing.decimals if existing and update.decimals is None else update.decimals
        if decimals is None:
            raise InvalidInput(f"currency {update.currency_id} is new: decimals required",
                               field="currency.decimals", value=None)
        require_decimals(decimals, "currency.decimals")
        if existing and decimals != existing.decimals and has_balances(update.currency_id):
            raise PreconditionFailed(
                f"currency {update.currency_id} has balances: its decimals cannot change "
                f"from {existing.decimals} to {decimals}")
        valuation = update.currency_id == self.valuation_id
        return Currency(update.currency_id, code, price, valuation, decimals=decimals), existing is None

    def apply(self, currency: Currency, is_new: bool) -> None:
        if is_new:
            self._add(currency)
        else:
            self.by_id[currency.currency_id] = currency
            self.prices[self.column[currency.currency_id]] = currency.price
            self._set_exact(currency)

    def sorted(self) -> list[Currency]:
        return [self.by_id[k] for k in sorted(self.by_id)]


class InstrumentTable:
    def __init__(self) -> None:
        self.by_id: dict[int, Instrument] = {}
        self.version = 0  # bumped by every put (undo restores go through put too)
        self.last_put: int | None = None  # the instrument of the latest put (version step)

    def get(self, instrument_id: int, field: str = "instrument_id") -> Instrument:
        instrument = self.by_id.get(instrument_id)
        if instrument is None:
            raise UnknownId(f"unknown instrument {instrument_id}", kind="instrument",
                            id_value=instrument_id, field=field)
        return instrument

    def validate(self, update: InstrumentUpdate, currencies: CurrencyTable,
                 has_positions: bool) -> Instrument:
        """The instrument as it would be after `update`. Changes nothing."""
        existing = self.by_id.get(update.instrument_id)
        if existing is None:
            instrument = self._created(update)
        else:
            instrument = self._updated(existing, update, has_positions)
        currencies.get(instrument.settlement_currency_id, "instrument.settlement_currency_id")
        if existing is None or update.mark_price is not None or update.tick_size is not None:
            tick_grid(instrument.tick_size).units(instrument.mark_price, "instrument.mark_price")
        for other in self.by_id.values():
            if other.symbol == instrument.symbol and other.instrument_id != instrument.instrument_id:
                raise PreconditionFailed(
                    f"symbol {instrument.symbol!r} is already used by instrument {other.instrument_id}")
        return instrument

    @staticmethod
    def _created(update: InstrumentUpdate) -> Instrument:
        missing = [name for name in ("symbol", "kind", "settlement_currency_id", "multiplier", "tick_size",
                                     "mark_price")
                   if getattr(update, name) in (None, "")]
        if missing:
            raise InvalidInput(f"instrument {update.instrument_id} is new: {', '.join(missing)} required",
                               field=f"instrument.{missing[0]}", value=None)
        return Instrument(
            instrument_id=update.instrument_id, symbol=update.symbol, kind=update.kind,
            settlement_currency_id=update.settlement_currency_id,
            multiplier=require_in_range(update.multiplier, "instrument.multiplier"),
            tick_size=require_tick_size(require_in_range(update.tick_size, "instrument.tick_size"),
                                        "instrument.tick_size"),
            mark_price=require_in_range(update.mark_price, "instrument.mark_price"),
            cap_policy=update.cap_policy or DEFAULT_CAP_POLICY,
            adl_ranking=update.adl_ranking or DEFAULT_ADL_RANKING,
            adl_allocation=update.adl_allocation or DEFAULT_ADL_ALLOCATION)

    @staticmethod
    def _updated(existing: Instrument, update: InstrumentUpdate, has_positions: bool) -> Instrument:
        changes = {}
        for name in ("symbol", "kind", "settlement_currency_id", "multiplier", "tick_size", "mark_price",
                     "cap_policy", "adl_ranking", "adl_allocation"):
            value = getattr(update, name)
            if value is None or value == "":
                continue
            if name in ("multiplier", "tick_size", "mark_price"):
                value = require_in_range(value, f"instrument.{name}")
            if name == "tick_size":
                value = require_tick_size(value, "instrument.tick_size")
            changes[name] = value
        for name in ("kind", "settlement_currency_id", "multiplier", "tick_size", "mark_price"):
            if has_positions and name in changes and changes[name] != getattr(existing, name):
                raise PreconditionFailed(
                    f"instrument {existing.instrument_id} has open positions: its {name} cannot change "
                    f"from {getattr(existing, name)!r} to {changes[name]!r}"
                    + (" (marks move through ApplyMark)" if name == "mark_price" else ""))
        return dataclasses.replace(existing, **changes)

    @staticmethod
    def grid(instrument: Instrument) -> Grid:
        """The instrument's price grid: multiples of its tick size."""
        return tick_grid(instrument.tick_size)

    def put(self, instrument: Instrument) -> None:
        self.by_id[instrument.instrument_id] = instrument
        self.version += 1  # lets derived caches (the index's mark features) notice any change
        self.last_put = instrument.instrument_id

    def sorted(self) -> list[Instrument]:
        return [self.by_id[k] for k in sorted(self.by_id)]
