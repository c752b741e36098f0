"""Decimal grids: prices on an instrument's tick grid, amounts in a currency's minor unit (SPEC 1).

A double on the wire stands for the shortest decimal that reads back as it
(Python's `repr`: 0.1 means 1/10). A grid is a decimal step `scaled * 10**-exponent`
(tick 0.5 is 5e-1; the minor unit of USD with 2 decimals is 1e-2); a value is on
the grid when its decimal is a whole number of steps, its unit count. A count of
2**53 or more is refused: the engine holds it exactly, but its double would not
say which count it means. Outputs go back as the double nearest to the exact
decimal (`value`), which for counts below 2**53 reads back as that decimal.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from .errors import InvalidInput

MAX_UNITS = 2**53         # a unit count must be below this in magnitude
MAX_DECIMALS = 18         # of a currency; 10**-18 is the finest minor unit
MAX_STEP_EXPONENT = 18    # a tick size has at most 18 decimals


def decimal_of(value: float) -> Decimal:
    """The shortest decimal that reads back as `value` (exact, no binary expansion)."""
    return Decimal(repr(float(value)))


@dataclass(frozen=True)
class Grid:
    """The multiples of `step` = scaled * 10**-exponent (scaled > 0 an integer); `name` says
    which step it is in error messages, e.g. "tick 0.5" or "minor unit 0.01 USD"."""

    step: float
    scaled: int
    exponent: int
    name: str

    def units(self, value: float, field: str) -> int:
        """The whole number of steps `value` stands for; InvalidInput naming value and unit if it is
        not one, or if it is 2**53 steps or more."""
        count = self.units_or_none(value)
        if count is None:
            raise InvalidInput(self.problem(value, field), field=field, value=float(value))
        return count

    def units_or_none(self, value: float) -> int | None:
        value = float(value)
        if not np.isfinite(value):
            return None
        steps = decimal_of(value).scaleb(self.exponent) / self.scaled
        if steps != steps.to_integral_value() or abs(steps) >= MAX_UNITS:
            return None
        return int(steps)

    def problem(self, value: float, field: str) -> str:
        """Why `units_or_none(value)` is None, naming the value and the unit."""
        value = float(value)
        if np.isfinite(value):
            steps = decimal_of(value).scaleb(self.exponent) / self.scaled
            if steps == steps.to_integral_value():
                return (f"{field} is {value!r}: 2^53 or more times the {self.name}, too large to hold "
                        f"exactly")
        return f"{field} is {value!r}: not a whole multiple of the {self.name}"

    def units_array(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(unit counts int64, bad mask) for float64 values (n,): bad where a value is not on the grid.

        Fast path: the candidate count n = rint(v / step) is right when the double
        nearest to n*scaled / 10**exponent (both exact doubles, one correctly
        rounded division) is v itself and n*scaled < 2**53, since a decimal of at
        most 15 significant digits is the shortest that reads back as its double;
        other elements are decided by `units_or_none` in decimal.
        """
        values = np.asarray(values, dtype=np.float64)
        power = 10.0 ** self.exponent
        with np.errstate(invalid="ignore", over="ignore"):
            guess = np.rint(values * power / self.scaled)
            scaled = guess * self.scaled
            fast = np.isfinite(scaled) & (np.abs(scaled) < 1e15)
            exact = fast & (np.where(fast, scaled, 0.0) / power == values)
        counts = np.where(exact, guess, 0.0).astype(np.int64)
        bad = ~exact
        for i in np.flatnonzero(bad).tolist():  # off the grid, huge or many digits: decide in decimal
            count = self.units_or_none(values[i])
            if count is not None:
                counts[i], bad[i] = count, False
        return counts, bad

    def units_toward(self, value: float, direction: int) -> int:
        """The unit count of the last grid price at or before `value` seen from the side a move in
        `direction` comes from: rounded down for a rise (+1), up for a fall (-1); the decimal's
        own count when the double stands for a grid price (SPEC 1 "On the wire")."""
        on_grid = self.units_or_none(value)
        if on_grid is not None:
            return on_grid
        steps = Fraction(float(value)) * 10**self.exponent / self.scaled
        return math.floor(steps) if direction > 0 else math.ceil(steps)

    def value(self, units: int) -> float:
        """The double nearest to units * step."""
        return float(Decimal(int(units) * self.scaled).scaleb(-self.exponent))


@functools.lru_cache(maxsize=4096)
def tick_grid(tick_size: float) -> Grid:
    """The price grid of a tick size (a validated decimal step)."""
    digits = decimal_of(tick_size).normalize().as_tuple()
    scaled = int("".join(map(str, digits.digits)))
    exponent = -digits.exponent
    if exponent < 0:  # a tick of 10, 100, ... : a whole scaled value
        scaled, exponent = scaled * 10**-exponent, 0
    return Grid(float(tick_size), scaled, exponent, f"tick {float(tick_size)!r}")


@functools.lru_cache(maxsize=65536)
def price_ticks(tick_size: float, price: float) -> int:
    """A grid price in ticks (marks are looked up often; the decimal work is done once)."""
    return tick_grid(tick_size).units(price, "price")


def fund_floor_units(value: float, decimals: int, code: str) -> int:
    """The insurance fund's floor F in minor units of the valuation currency (`decimals`, `code`):
    it must be a finite whole number of them (SPEC 1); InvalidInput naming the value otherwise."""
    return minor_unit_grid(decimals, code).units(value, "insurance_fund_floor")


@functools.lru_cache(maxsize=256)
def minor_unit_grid(decimals: int, code: str) -> Grid:
    """The amounts of a currency with `decimals` decimals: multiples of 10**-decimals."""
    return Grid(10.0 ** -decimals, 1, int(decimals), f"minor unit {Decimal(1).scaleb(-decimals)} {code}")


def require_tick_size(value: float, field: str) -> float:
    """A tick size: a finite decimal > 0 with at most MAX_STEP_EXPONENT decimals."""
    value = float(value)
    if not (np.isfinite(value) and value > 0) or -decimal_of(value).normalize().as_tuple().exponent \
            > MAX_STEP_EXPONENT:
        raise InvalidInput(f"{field} is {value!r}: must be a decimal > 0 with at most "
                           f"{MAX_STEP_EXPONENT} decimals", field=field, value=value)
    return value


def require_decimals(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DECIMALS:
        raise InvalidInput(f"{field} is {value!r}: must be a whole number from 0 to {MAX_DECIMALS}",
                           field=field, value=value)
    return value
