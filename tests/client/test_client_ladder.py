"""The ladder's levels (markcap ladder) computed from a sweep response built by hand."""
from __future__ import annotations

from markcap.client.ladder import levels_of, render_ladder
from markcap.v1 import risk_engine_pb2 as pb


def _sweep(steps, adl_qty) -> pb.ApplyMarkResponse:
    """steps: (applied price, liquidations, ADL fills, fund equity after); adl_qty: every fill's qty."""
    return pb.ApplyMarkResponse(
        instrument_id=7, previous_price=100.0, requested_price=60.0, applied_price=steps[-1][0],
        dry_run=True, insurance_fund_equity_before=50.0, insurance_fund_equity_after=steps[-1][3],
        steps=[pb.MarkStep(applied_price=p, liquidation_count=n, adl_fill_count=a,
                           insurance_fund_equity_after=e) for p, n, a, e in steps],
        liquidations=[pb.Liquidation(account_id=i) for i in range(sum(s[1] for s in steps))],
        adl_fills=[pb.AdlFill(account_id=i, qty=q) for i, q in enumerate(adl_qty)])


def test_each_step_counts_in_the_level_holding_its_price():
    # a fall from 100 to 60 in 4 levels of 10: 100..90, 90..80, 80..70, 70..60
    response = _sweep([(95.0, 2, 0, 40.0), (90.0, 1, 2, 0.0), (72.5, 3, 1, 0.0), (60.0, 0, 0, 0.0)],
                      adl_qty=[-3, 4, 5])
    levels = levels_of(response, 4)
    assert [(level.start, level.end) for level in levels] == [(100, 90), (90, 80), (80, 70), (70, 60)]
    assert [level.liquidations for level in levels] == [3, 0, 3, 0]  # 90 ends the first level
    assert [level.adl_contracts for level in levels] == [7, 0, 5, 0]  # |qty| of each step's own fills
    assert [level.fund_equity_after for level in levels] == [0.0, None, 0.0, 0.0]
    text = render_ladder(response, levels, "BTC-PERP")
    assert "ADL contracts  12" in text and "liquidations   6" in text


def test_a_level_without_steps_shows_no_fund_figure():
    # the response has the fund's equity at step ends only, not between them
    response = _sweep([(99.0, 1, 0, 30.0), (60.0, 0, 0, 20.0)], adl_qty=[])
    levels = levels_of(response, 4)
    assert [level.fund_equity_after for level in levels] == [30.0, None, None, 20.0]
    rows = {line.split("  ")[0]: line.split() for line in render_ladder(response, levels, "BTC-PERP").splitlines()
            if " .. " in line}
    assert rows["90 .. 80"][-1] == "-" and rows["70 .. 60"][-1] == "20"
    assert sum(level.liquidations for level in levels) == 1


def test_a_sweep_that_did_not_move_puts_its_takeovers_in_one_level():
    response = _sweep([(100.0, 2, 0, 10.0)], adl_qty=[])
    levels = levels_of(response, 3)
    assert sum(level.liquidations for level in levels) == 2
