"""The crash preview as a ladder: a dry-run sweep (SPEC 3 "Sweep") grouped by price level.

`markcap ladder INSTRUMENT --to PRICE` asks the server for the sweep toward PRICE as a dry
run (nothing changes) and shows, for equal slices of the price path from the current mark to
where the sweep stopped, the accounts the fund takes over, the contracts deleveraged and the
fund's equity after the slice's last step; `--png FILE` draws the same ladder with the fund's
equity step by step beside it.
"""
from __future__ import annotations

from dataclasses import dataclass

from markcap.v1 import risk_engine_pb2 as pb

from .enums import short_name
from .tables import NO_VALUE, format_fields, format_number, format_table

BAR_WIDTH = 30


@dataclass(frozen=True)
class Level:
    """One slice of the price path: [start, end] in the direction of the sweep."""

    start: float
    end: float
    liquidations: int
    adl_contracts: int
    fund_equity_after: float | None  # after the slice's last step; None: no step ended in it


def levels_of(response: pb.ApplyMarkResponse, count: int) -> list[Level]:
    """`count` equal slices of the path from the previous mark to the sweep's last price; each
    step counts in the slice holding its applied price (a step exactly on a boundary in the
    slice it ends)."""
    start = response.previous_price
    end = response.steps[-1].applied_price if response.steps else response.applied_price
    width = (end - start) / count
    liquidations, contracts = [0] * count, [0] * count
    equity: list[float | None] = [None] * count
    adl_offset = 0
    for step in response.steps:
        k = _slice(step.applied_price, start, width, count)
        liquidations[k] += step.liquidation_count
        fills = response.adl_fills[adl_offset: adl_offset + step.adl_fill_count]
        adl_offset += step.adl_fill_count
        contracts[k] += sum(abs(fill.qty) for fill in fills)
        equity[k] = step.insurance_fund_equity_after
    return [Level(start + k * width, end if k == count - 1 else start + (k + 1) * width,
                  liquidations[k], contracts[k], equity[k]) for k in range(count)]


def _slice(price: float, start: float, width: float, count: int) -> int:
    if width == 0:
        return count - 1
    position = (price - start) / width  # in (0, count] along the path
    return min(count - 1, max(0, int(-(-position // 1)) - 1))


def render_ladder(response: pb.ApplyMarkResponse, levels: list[Level], symbol: str) -> str:
    """A summary, then one row per level with a bar of its liquidations."""
    summary = format_fields([
        ("instrument", f"{symbol} ({response.instrument_id}), dry run: nothing changed"),
        ("price", f"{format_number(response.previous_price)} -> {format_number(response.applied_price)}  "
                  f"(requested {format_number(response.requested_price)})"),
        ("stopped", short_name(pb.SweepStopReason, response.sweep_stop_reason).lower().replace("_", " ")),
        ("steps", len(response.steps)),
        ("liquidations", len(response.liquidations)),
        ("ADL contracts", sum(abs(fill.qty) for fill in response.adl_fills)),
        ("fund equity", f"{format_number(response.insurance_fund_equity_before)} -> "
                        f"{format_number(response.insurance_fund_equity_after)}"),
    ])
    most = max((level.liquidations for level in levels), default=0)
    rows = [[f"{format_number(level.start)} .. {format_number(level.end)}", level.liquidations,
             level.adl_contracts, NO_VALUE if level.fund_equity_after is None else level.fund_equity_after,
             _bar(level.liquidations, most)]
            for level in levels]
    # The response gives the fund's equity at each step's end only, not between steps.
    table = format_table(["price level", "liquidations", "ADL contracts", "fund at last step", "liquidations"],
                         rows)
    return f"{summary}\n\n{table}"


def _bar(value: int, most: int) -> str:
    if not most or not value:
        return ""
    return "#" * max(1, round(BAR_WIDTH * value / most))


def draw_png(response: pb.ApplyMarkResponse, levels: list[Level], symbol: str, path: str) -> None:
    """Price on the vertical axis, as on a trading ladder: liquidations per level, ADL contracts
    per level, and the fund's equity after each step, side by side."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, (taken, deleveraged, fund) = pyplot.subplots(1, 3, sharey=True, figsize=(12, 6))
    middles = [(level.start + level.end) / 2 for level in levels]
    height = abs(levels[0].end - levels[0].start) * 0.8 if levels else 1.0
    taken.barh(middles, [level.liquidations for level in levels], height, color="tab:red")
    taken.set_xlabel("liquidations (accounts) per level")
    taken.set_ylabel(f"{symbol} mark")
    deleveraged.barh(middles, [level.adl_contracts for level in levels], height, color="tab:blue")
    deleveraged.set_xlabel("ADL contracts per level")
    prices = [response.previous_price] + [step.applied_price for step in response.steps]
    equities = [response.insurance_fund_equity_before] + [s.insurance_fund_equity_after for s in response.steps]
    fund.plot(equities, prices, color="tab:green", drawstyle="steps-post")
    fund.axvline(0, color="grey", linewidth=0.8)
    fund.set_xlabel("insurance fund equity (valuation currency)")
    figure.suptitle(f"{symbol}: sweep preview {format_number(response.previous_price)} -> "
                    f"{format_number(response.applied_price)}, {len(response.liquidations):,} liquidations, "
                    f"{sum(abs(f.qty) for f in response.adl_fills):,} ADL contracts")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
