"""Snapping test inputs onto SPEC 1's grids, independently of the engine's units module.

A double stands for the shortest decimal that reads back as it (`repr`), so a
step of 0.01 is exactly 1/100 here and the snapped value is the double nearest
to a whole number of steps.
"""
from __future__ import annotations

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
