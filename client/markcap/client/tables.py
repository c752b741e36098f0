"""Plain-text formatting for people: numbers without exponents, aligned tables."""
from __future__ import annotations

import math
from typing import Iterable, Sequence

# Enough decimals for prices and amounts; residues such as 4e-14 read as 0.
DECIMALS = 8


def format_number(value: float | int) -> str:
    """A decimal without exponent or trailing zeros: 125.0 -> "125", 1e-3 -> "0.001",
    1e16 -> "10000000000000000"; at most DECIMALS decimals; never "-0"."""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def format_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Columns padded to their widest cell, two spaces apart; a column whose cells
    are all numbers is right-aligned. Floats go through format_number."""
    cells = [[_cell_text(value) for value in row] for row in rows]
    right = [_is_numeric_column(cells, index) for index in range(len(headers))]
    widths = [max([len(header)] + [len(row[index]) for row in cells])
              for index, header in enumerate(headers)]
    lines = [_join(headers, widths, right)] + [_join(row, widths, right) for row in cells]
    return "\n".join(lines)


def format_fields(pairs: Iterable[tuple[str, object]]) -> str:
    """"label  value" lines with the values aligned."""
    pairs = [(label, _cell_text(value)) for label, value in pairs]
    width = max((len(label) for label, _ in pairs), default=0)
    return "\n".join(f"{label.ljust(width)}  {value}".rstrip() for label, value in pairs)


def _cell_text(value: object) -> str:
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, (int, float)):
        return format_number(value)
    return "" if value is None else str(value)


NO_VALUE = "-"  # a cell with nothing to show; it does not stop a column being numeric


def _is_numeric_column(cells: list[list[str]], index: int) -> bool:
    values = [row[index] for row in cells if row[index] not in ("", NO_VALUE)]
    return bool(values) and all(_looks_numeric(value) for value in values)


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _join(values: Sequence[str], widths: list[int], right: list[bool]) -> str:
    padded = [value.rjust(width) if align_right else value.ljust(width)
              for value, width, align_right in zip(values, widths, right)]
    return "  ".join(padded).rstrip()
