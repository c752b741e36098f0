"""The range of numbers the engine accepts for prices, multipliers and currency prices.

Every price, multiplier and currency price lies in [PRICE_MIN, PRICE_MAX]. The
range keeps every derived quantity the engine computes finite and normal:
features 1/p of inverse instruments, position values q*m*p and q*m/p with q up
to 2^63, and the index's bounds. A subnormal or absurd value (5e-324 as a mark)
is refused naming the value, before anything is applied; without the range one
such mark made an inverse instrument's feature 1/p infinite.
"""
from __future__ import annotations

import math

import numpy as np

from .errors import InvalidInput

PRICE_MIN = 1e-12
PRICE_MAX = 1e12


def require_in_range(value: float, field: str) -> float:
    """`value` as a float if finite and within [PRICE_MIN, PRICE_MAX]; else InvalidInput naming it."""
    value = float(value)
    if not (math.isfinite(value) and PRICE_MIN <= value <= PRICE_MAX):
        raise InvalidInput(f"{field} is {value!r}: must be a finite number in [{PRICE_MIN!r}, {PRICE_MAX!r}]",
                           field=field, value=value)
    return value


def out_of_range(values: np.ndarray) -> np.ndarray:
    """Mask over a float64 array: True where `require_in_range` would refuse the value (NaN included)."""
    with np.errstate(invalid="ignore"):
        return ~((values >= PRICE_MIN) & (values <= PRICE_MAX))
