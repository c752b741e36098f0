"""Snapping test inputs onto SPEC 1's grids, independently of the engine's units module.

A double stands for the shortest decimal that reads back as it (`repr`), so a
step of 0.01 is exactly 1/100 here and the snapped value is the double nearest
to a whole number of steps.
"""
from __future__ import annotations

import math
from fractions import Fraction


def exact(value: float) -> Fraction:
    """The decimal a double stands for, exactly."""
    return Fraction(repr(float(value)))


def on_grid(value: float, step: float) -> float:
    """The double nearest to the multiple of `step` nearest to `value` (at least one step)."""
    steps = max(1, round(exact(value) / exact(step)))
    return float(steps * exact(step))


def in_units(value: float, decimals: int) -> float:
    """`value` rounded to a whole number of minor units 10**-decimals (may be 0 or negative)."""
    unit = Fraction(1, 10**decimals)
    return float(round(exact(value) / unit) * unit)


def toward_start(value: float, step: float, direction: int, start: float) -> tuple[float, float]:
    """(p*, next): the last multiple of `step` at or before `value` for a move from `start` in
    `direction` (the value's decimal when that is a multiple, else floor on a rise, ceil on a
    fall, of the double's exact value; never behind `start`), and the multiple beyond it."""
    steps = exact(value) / exact(step)
    if steps.denominator != 1:
        steps = Fraction(float(value)) / exact(step)
    count = math.floor(steps) if direction > 0 else math.ceil(steps)
    first = exact(start) / exact(step)
    if (count - first) * direction < 0:
        count = int(first)
    return float(count * exact(step)), float((count + direction) * exact(step))
