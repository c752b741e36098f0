"""Percentiles of timing samples, and how to print durations."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Summary:
    """p50 and p99 of one set of samples, in microseconds (numpy's linear interpolation)."""

    count: int
    p50_us: float
    p99_us: float

    @staticmethod
    def of(seconds: list[float]) -> "Summary":
        if not seconds:
            return Summary(0, float("nan"), float("nan"))
        p50, p99 = np.percentile(np.asarray(seconds) * 1e6, [50, 99])
        return Summary(len(seconds), float(p50), float(p99))


def duration(microseconds: float) -> str:
    """1234.5 -> '1.23 ms'; 87.1 -> '87 µs'; 2.5e6 -> '2.50 s'."""
    if microseconds != microseconds:  # NaN: not measured
        return "-"
    if microseconds < 1_000:
        return f"{microseconds:.0f} µs"
    if microseconds < 1_000_000:
        return f"{microseconds / 1_000:.2f} ms"
    return f"{microseconds / 1_000_000:.2f} s"
