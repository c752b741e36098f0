"""The exchange's TOML configuration (SPEC 9) -> ExchangeConfig.

Every problem is a ConfigError naming the file, the key (e.g.
`instruments[1].multiplier`, indexes from 0) and what is wrong with it. Unknown
keys are errors too: a typo must not silently become a default.
"""
from __future__ import annotations

import enum
import math
import tomllib
from importlib import resources
from pathlib import Path

from markcap.engine import (AdlAllocation, AdlRanking, CapPolicy, ContractKind, Currency,
                            ExchangeConfig, Instrument)
from markcap.engine.errors import InvalidInput
from markcap.engine.units import MAX_DECIMALS, fund_floor_units, require_tick_size, tick_grid

DEFAULT_EXCHANGE = "default_exchange.toml"
MAX_UINT32 = 2**32 - 1
MAX_UINT64 = 2**64 - 1
TOP_LEVEL_KEYS = ("insurance_fund_account_id", "insurance_fund_floor", "retained_outcomes",
                  "currencies", "instruments")
CURRENCY_KEYS = ("currency_id", "code", "price", "decimals", "valuation")
INSTRUMENT_KEYS = ("instrument_id", "symbol", "kind", "settlement_currency_id", "multiplier",
                   "tick_size", "mark_price", "cap_policy", "adl_ranking", "adl_allocation")


class ConfigError(Exception):
    def __init__(self, source: str, key: str, problem: str):
        super().__init__(f"{source}: {key}: {problem}" if key else f"{source}: {problem}")
        self.source, self.key, self.problem = source, key, problem


_REQUIRED = object()  # default meaning "the key must be present"


class _Table:
    """One TOML table and its key path, with typed readers that raise ConfigError."""

    def __init__(self, data: dict, path: str, source: str, allowed: tuple[str, ...]):
        self.data, self.path, self.source = data, path, source
        for key in data:
            if key not in allowed:
                self.fail(key, f"unknown key; expected one of {', '.join(allowed)}")

    def key_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, problem: str):
        raise ConfigError(self.source, self.key_path(key), problem)

    def _get(self, key: str, default):
        if key not in self.data and default is _REQUIRED:
            self.fail(key, "missing")
        return self.data.get(key, default)

    def integer(self, key: str, default, maximum: int, minimum: int = 0) -> int:
        value = self._get(key, default)
        if type(value) is not int:
            self.fail(key, f"must be an integer, got {value!r}")
        if not minimum <= value <= maximum:
            self.fail(key, f"must be between {minimum} and {maximum}, got {value}")
        return value

    def number(self, key: str, default, positive: bool = True) -> float:
        value = self._get(key, default)
        if type(value) not in (int, float):
            self.fail(key, f"must be a number, got {value!r}")
        if not math.isfinite(value) or (positive and value <= 0):
            self.fail(key, f"must be finite{' and > 0' if positive else ''}, got {value!r}")
        return float(value)

    def string(self, key: str) -> str:
        value = self._get(key, _REQUIRED)
        if type(value) is not str or not value:
            self.fail(key, f"must be a non-empty string, got {value!r}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, default)
        if type(value) is not bool:
            self.fail(key, f"must be true or false, got {value!r}")
        return value

    def choice(self, key: str, enum_class: type[enum.Enum], default):
        value = self._get(key, default)
        if isinstance(value, enum_class):
            return value
        if type(value) is not str or value not in enum_class.__members__:
            names = ", ".join(f'"{name}"' for name in enum_class.__members__)
            self.fail(key, f"unknown value {value!r}; expected one of {names}")
        return enum_class[value]

    def tables(self, key: str, allowed: tuple[str, ...], required: bool) -> list["_Table"]:
        value = self._get(key, _REQUIRED if required else [])
        if type(value) is not list or not all(type(item) is dict for item in value):
            self.fail(key, f"must be an array of tables ([[{key}]])")
        return [_Table(item, f"{self.key_path(key)}[{index}]", self.source, allowed)
                for index, item in enumerate(value)]


def _currency(table: _Table) -> Currency:
    valuation = table.boolean("valuation", default=False)
    price = table.number("price", default=1.0 if valuation else _REQUIRED)
    if valuation and price != 1.0:
        table.fail("price", f"the valuation currency's price must be 1.0, got {price!r}")
    return Currency(currency_id=table.integer("currency_id", _REQUIRED, MAX_UINT32),
                    code=table.string("code"), price=price, valuation=valuation,
                    decimals=table.integer("decimals", _REQUIRED, MAX_DECIMALS))


def _instrument(table: _Table, currency_ids: set[int]) -> Instrument:
    settlement = table.integer("settlement_currency_id", _REQUIRED, MAX_UINT32)
    if settlement not in currency_ids:
        table.fail("settlement_currency_id", f"unknown currency {settlement}")
    tick_size = table.number("tick_size", _REQUIRED)
    try:
        require_tick_size(tick_size, "tick_size")
    except InvalidInput as error:
        table.fail("tick_size", str(error).removeprefix("tick_size is "))
    return Instrument(
        instrument_id=table.integer("instrument_id", _REQUIRED, MAX_UINT32),
        symbol=table.string("symbol"),
        kind=table.choice("kind", ContractKind, _REQUIRED),
        settlement_currency_id=settlement,
        multiplier=table.number("multiplier", _REQUIRED),
        tick_size=tick_size,
        mark_price=_on_grid(table, "mark_price", tick_size),
        cap_policy=table.choice("cap_policy", CapPolicy, CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE),
        adl_ranking=table.choice("adl_ranking", AdlRanking, AdlRanking.PNL),
        adl_allocation=table.choice("adl_allocation", AdlAllocation, AdlAllocation.PRO_RATA),
    )


def _on_grid(table: _Table, key: str, tick_size: float) -> float:
    """A price that must be a whole number of ticks (SPEC 1 "Numbers")."""
    value = table.number(key, _REQUIRED)
    grid = tick_grid(tick_size)
    if grid.units_or_none(value) is None:
        table.fail(key, grid.problem(value, key).removeprefix(f"{key} is "))
    return value


def _floor(root: _Table, valuation: Currency) -> float:
    """The fund's floor: a whole number of the valuation currency's minor units."""
    value = root.number("insurance_fund_floor", 0.0, positive=False)
    try:
        fund_floor_units(value, valuation.decimals, valuation.code)  # the engine's rule, one place
    except InvalidInput as error:
        root.fail("insurance_fund_floor", str(error).removeprefix("insurance_fund_floor is "))
    return value


def _reject_duplicates(tables: list[_Table], items: list, attribute: str) -> None:
    seen: dict[object, str] = {}
    for table, item in zip(tables, items):
        value = getattr(item, attribute)
        if value in seen:
            table.fail(attribute, f"duplicate {value!r} (also at {seen[value]})")
        seen[value] = table.path


def _check_one_valuation(root: _Table, tables: list[_Table], currencies: list[Currency]) -> None:
    valuation = [(t, c) for t, c in zip(tables, currencies) if c.valuation]
    if not valuation:
        root.fail("currencies", "no currency has valuation = true; exactly one must")
    if len(valuation) > 1:
        valuation[1][0].fail("valuation",
                             f"a second valuation currency ({valuation[0][0].path} is one); "
                             "exactly one must be")


def parse_config(data: dict, source: str) -> ExchangeConfig:
    """Checks a parsed TOML document and builds the engine's configuration."""
    root = _Table(data, "", source, TOP_LEVEL_KEYS)
    currency_tables = root.tables("currencies", CURRENCY_KEYS, required=True)
    currencies = [_currency(table) for table in currency_tables]
    _reject_duplicates(currency_tables, currencies, "currency_id")
    _reject_duplicates(currency_tables, currencies, "code")
    _check_one_valuation(root, currency_tables, currencies)
    currency_ids = {currency.currency_id for currency in currencies}
    instrument_tables = root.tables("instruments", INSTRUMENT_KEYS, required=False)
    instruments = [_instrument(table, currency_ids) for table in instrument_tables]
    _reject_duplicates(instrument_tables, instruments, "instrument_id")
    _reject_duplicates(instrument_tables, instruments, "symbol")
    return ExchangeConfig(
        currencies=tuple(currencies),
        instruments=tuple(instruments),
        insurance_fund_account_id=root.integer("insurance_fund_account_id", 0, MAX_UINT64),
        insurance_fund_floor=_floor(root, next(c for c in currencies if c.valuation)),
        retained_outcomes=root.integer("retained_outcomes", ExchangeConfig.retained_outcomes,
                                       MAX_UINT32, minimum=1),
    )


def _parse_text(text: str, source: str) -> ExchangeConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(source, "", f"not valid TOML: {error}") from None
    return parse_config(data, source)


def load_config(path: Path) -> ExchangeConfig:
    """Reads and checks a config file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(str(path), "", f"cannot read: {error}") from None
    return _parse_text(text, str(path))


def load_default() -> ExchangeConfig:
    """The embedded default exchange (SPEC 9's example plus two more instruments)."""
    text = resources.files(__package__).joinpath(DEFAULT_EXCHANGE).read_text(encoding="utf-8")
    return _parse_text(text, f"<embedded {DEFAULT_EXCHANGE}>")
