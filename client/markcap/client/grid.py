"""Putting prices and amounts onto markcap's grids before sending them (SPEC 1 "Numbers").

markcap refuses a price that is not a whole number of its instrument's `tick_size` and an
amount finer than its currency's minor unit (10**-decimals). A double stands for the
shortest decimal that reads back as it, so these return the double of the exact decimal.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def nearest_price(value: float, tick_size: float) -> float:
    """The multiple of `tick_size` nearest to `value` (ties to even), at least one tick."""
    tick = _decimal(tick_size)
    steps = (_decimal(value) / tick).to_integral_value(ROUND_HALF_EVEN)
    return float(max(steps, Decimal(1)) * tick)


def nearest_amount(value: float, decimals: int) -> float:
    """`value` rounded to a whole number of minor units 10**-decimals (ties to even)."""
    return float(_decimal(value).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_EVEN))
