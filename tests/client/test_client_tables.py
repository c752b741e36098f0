"""Plain-text formatting: decimals, alignment, and the rendered views."""
from __future__ import annotations

import pytest

from markcap.client.tables import format_fields, format_number, format_table
from markcap.client.views import Names, render_account, render_band, render_mark
from markcap.v1 import risk_engine_pb2 as pb


@pytest.mark.parametrize("value, text", [
    (100.0, "100"), (1e2, "100"), (125.5, "125.5"), (0.001, "0.001"), (1e-3, "0.001"),
    (1e16, "10000000000000000"), (-2.25, "-2.25"), (-4e-14, "-0.00000000000004"),
    (1e-9, "0.000000001"), (1 / 3, "0.3333333333333333"), (54591.59281045354, "54591.59281045354"),
    (121.89999999999999, "121.89999999999999"), (0.0, "0"), (-0.0, "0"), (7, "7"), (-6, "-6"),
    (float("inf"), "inf"), (float("nan"), "nan"),
])
def test_numbers_print_as_decimals(value, text):
    assert format_number(value) == text


def test_table_pads_columns_and_right_aligns_numbers():
    text = format_table(["account", "symbol", "qty"], [[1, "BTC-PERP", -10], [22, "ETH", 3.5]])
    assert text.splitlines() == [
        "account  symbol    qty",
        "      1  BTC-PERP  -10",
        "     22  ETH       3.5",
    ]


def test_a_column_with_any_text_is_left_aligned():
    assert format_table(["price"], [[1.5], ["none"]]).splitlines() == [
        "price", "1.5", "none"]


def test_fields_align_values_and_print_booleans():
    assert format_fields([("capped", True), ("first price", 125.0)]).splitlines() == [
        "capped       yes", "first price  125"]


NAMES = Names({7: "BTC-PERP"}, {1: "USD"})


def _capped_mark() -> pb.ApplyMarkResponse:
    return pb.ApplyMarkResponse(
        seq=3, instrument_id=7, previous_price=100, requested_price=150, applied_price=125,
        capped=True, first_bankruptcy_price=125, cap_policy=pb.CAP_POLICY_CAP_TO_FIRST_BANKRUPTCY_PRICE,
        liquidations=[pb.Liquidation(
            account_id=1, equity_before=0.0, reason=pb.LIQUIDATION_REASON_FIRST_BANKRUPTCY_PRICE,
            price=125, positions=[pb.LiquidatedPosition(instrument_id=7, qty=-10, price=125)],
            balances=[pb.LiquidatedBalance(currency_id=1, amount=12.5)])],
        adl_fills=[pb.AdlFill(account_id=2, instrument_id=7, qty=-6, price=125, rank=1, score=270),
                   pb.AdlFill(account_id=4, instrument_id=7, qty=-6, price=125, rank=2, score=175)],
        negative_equity_accounts=[pb.AccountEquity(account_id=8, equity=-1.5)],
        insurance_fund_equity_before=50, insurance_fund_equity_after=0)


def test_mark_view_shows_prices_cap_liquidations_adl_and_fund():
    lines = render_mark(_capped_mark(), NAMES).splitlines()
    assert "price                   100 -> 150 -> 125  (previous -> requested -> applied)" in lines
    assert "instrument              BTC-PERP (7)" in lines
    assert "capped                  yes" in lines
    assert "first bankruptcy price  125" in lines
    assert "fund equity             50 -> 0" in lines
    liquidation = lines[lines.index("liquidations:") + 2].split()
    assert liquidation == ["1", "first", "bankruptcy", "price", "0", "BTC-PERP", "-10", "@",
                           "125", "USD", "12.5"]
    adl_at = lines.index("ADL fills:")
    assert lines[adl_at + 1].split() == ["rank", "account", "qty", "price", "score"]
    assert [line.split() for line in lines[adl_at + 2:adl_at + 4]] == [
        ["1", "2", "-6", "125", "270"], ["2", "4", "-6", "125", "175"]]
    negative_at = lines.index("negative-equity accounts:")
    assert lines[negative_at + 2].split() == ["8", "-1.5"]


def test_uncapped_dry_run_says_so_and_has_no_first_bankruptcy_price():
    response = pb.ApplyMarkResponse(instrument_id=8, previous_price=3000, requested_price=2500,
                                    applied_price=2500, dry_run=True,
                                    cap_policy=pb.CAP_POLICY_NO_CAP)
    text = render_mark(response, NAMES)
    assert "seq                     dry run: nothing changed" in text
    assert "first bankruptcy price  none" in text
    assert "instrument              8 (8)" in text
    assert "liquidations: none" in text and "ADL fills: none" in text


def test_account_view_uses_codes_and_symbols():
    account = pb.Account(account_id=2, equity=220, balances=[pb.Balance(currency_id=1, amount=100)],
                         positions=[pb.Position(instrument_id=7, qty=6, entry_price=80, upnl=120,
                                                cost=480, adl_rank=1, adl_indicator=5)])
    lines = render_account(account, NAMES).splitlines()
    assert lines[:2] == ["account  2", "equity   220"]
    assert lines[lines.index("balances:") + 2].split() == ["USD", "100"]
    assert lines[lines.index("positions:") + 2].split() == [
        "BTC-PERP", "6", "80", "480", "120", "none", "1", "5"]


def test_band_view():
    band = pb.GetBankruptcyBandResponse(mark_price=100, upper_price=125, upper_account_ids=[1, 3])
    assert render_band(band, "BTC-PERP").splitlines() == [
        "instrument   BTC-PERP", "upper price  125", "  accounts   1, 3", "mark         100",
        "lower price  none", "  accounts   -"]
