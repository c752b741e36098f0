"""SPEC 3 seed example 2 through the CLI: `markcap load examples/seed2.csv` then
`markcap mark BTC-PERP 150` applies 125, liquidates account 1 into the fund and
ADLs the fund's 12 short contracts against the highest-PnL longs.

Expected numbers, by hand (BTC-PERP linear, multiplier 1, USD, mark 100):
  account 1: 250 + 1000 - 10p = 0 at p = 125; fund: 50 + 200 - 2p = 0 at 125;
  account 5: 10000 + 500 - 5p = 0 at 2100. First bankruptcy price 125 < 150.
  Account 1 moves to the fund: fund short 12, equity 0 = floor -> ADL of 12.
  Longs' upnl at 125: account 2 6*125-480 = 270, account 4 7*125-700 = 175,
  account 3 4*125-360 = 140. Selected 2 and 4 (6+7 = 13 >= 12); pro rata
  72/13 = 5 r 7 and 84/13 = 6 r 6; the spare contract goes to account 2.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from markcap.client.cli import main

SEED2 = Path(__file__).resolve().parents[2] / "examples" / "seed2.csv"
BTC_PERP, USD = 7, 1


def _average_cost_book(path: Path) -> dict[int, tuple[int, float, float]]:
    """Independent replay of SPEC 2 (linear, multiplier 1) over the CSV rows:
    account -> (qty, cost K, USD balance)."""
    book: dict[int, list] = {}
    lines = [line for line in path.read_text().splitlines()
             if line.strip() and not line.startswith("#")][1:]
    for line in lines:
        kind, account, _, _, qty, price, amount = line.split(",")
        state = book.setdefault(int(account), [0, 0.0, 0.0])
        if kind == "transfer":
            state[2] += float(amount)
            continue
        qty, price = int(qty), float(price)
        old_qty, cost = state[0], state[1]
        if old_qty == 0 or (old_qty > 0) == (qty > 0):
            state[0], state[1] = old_qty + qty, cost + qty * price
            continue
        closed = -qty if abs(qty) <= abs(old_qty) else old_qty
        state[2] += closed * (price - cost / old_qty)
        state[1] = cost - cost * closed / old_qty
        state[0] = old_qty - closed
        opened = qty + closed
        state[0], state[1] = state[0] + opened, state[1] + opened * price
    return {account: tuple(state) for account, state in book.items()}


def test_the_csv_builds_the_seed_book():
    assert _average_cost_book(SEED2) == {
        1: (-10, -1000.0, 250.0), 0: (-2, -200.0, 50.0), 5: (-5, -500.0, 10000.0),
        2: (6, 480.0, 100.0), 3: (4, 360.0, 100.0), 4: (7, 700.0, 1000.0)}


def _run(capsys, target: str, *argv: str):
    code = main(["--target", target, *argv])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    return captured.out


def _account(capsys, target: str, account_id: int) -> dict:
    return json.loads(_run(capsys, target, "--json", "account", str(account_id)))["account"]


def _position_and_usd(account: dict) -> tuple[int, float]:
    qty = sum(int(p["qty"]) for p in account["positions"] if p["instrument_id"] == BTC_PERP)
    usd = sum(b["amount"] for b in account["balances"] if b["currency_id"] == USD)
    return qty, usd


def test_load_and_mark_150_caps_at_125_liquidates_and_deleverages(in_process_server, capsys):
    loaded = json.loads(_run(capsys, in_process_server.address, "--json", "load", str(SEED2)))
    assert (loaded["fills"], loaded["transfers"]) == (10, 6)

    mark = json.loads(_run(capsys, in_process_server.address, "--json", "mark", "BTC-PERP", "150"))
    assert (mark["previous_price"], mark["requested_price"], mark["applied_price"]) == (
        100.0, 150.0, 125.0)
    assert mark["capped"] is True and mark["first_bankruptcy_price"] == 125.0
    [liquidation] = mark["liquidations"]
    assert liquidation["account_id"] == "1"
    assert liquidation["reason"] == "LIQUIDATION_REASON_FIRST_BANKRUPTCY_PRICE"
    assert liquidation["equity_before"] == pytest.approx(0.0, abs=1e-9)
    assert [(p["instrument_id"], int(p["qty"]), p["price"]) for p in liquidation["positions"]] \
        == [(BTC_PERP, -10, 125.0)]
    assert [(f["rank"], f["account_id"], int(f["qty"]), f["price"], f["score"])
            for f in mark["adl_fills"]] == [(1, "2", -6, 125.0, 270.0), (2, "4", -6, 125.0, 175.0)]
    assert mark["insurance_fund_equity_before"] == pytest.approx(50.0)
    assert mark["insurance_fund_equity_after"] == pytest.approx(0.0, abs=1e-9)
    assert mark["insurance_fund_deficit"] == pytest.approx(0.0, abs=1e-9)
    assert all(e["equity"] > -1e-9 for e in mark["negative_equity_accounts"])

    # After: 1 flat and empty, fund flat, 2 flat with 100 + 6*(125-80), 4 long 1
    # with 1000 + 6*(125-100); 3 and 5 untouched. Sum of qty stays 0.
    after = {a: _position_and_usd(_account(capsys, in_process_server.address, a)) for a in range(6)}
    assert after[1] == (0, 0.0)
    assert after[0][0] == 0 and after[0][1] == pytest.approx(0.0, abs=1e-9)
    assert after[2] == (0, pytest.approx(370.0))
    assert after[3] == (4, pytest.approx(100.0))
    assert after[4] == (1, pytest.approx(1150.0))
    assert after[5] == (-5, pytest.approx(10000.0))
    assert sum(qty for qty, _ in after.values()) == 0


def test_the_same_with_the_console_script_in_plain_text(in_process_server):
    script = Path(sys.executable).with_name("markcap")

    def markcap(*argv: str) -> str:
        result = subprocess.run([str(script), "--target", in_process_server.address, *argv],
                                capture_output=True, text=True, timeout=60)
        assert (result.returncode, result.stderr) == (0, "")
        return result.stdout

    assert markcap("load", str(SEED2)).startswith("loaded 10 fills and 6 transfers in 1 batch ")
    lines = markcap("mark", "BTC-PERP", "150").splitlines()
    assert "price                   100 -> 150 -> 125  (previous -> requested -> applied)" in lines
    assert "capped                  yes" in lines
    assert "first bankruptcy price  125" in lines
    assert "fund equity             50 -> 0" in lines
    liquidation = lines[lines.index("liquidations:") + 2].split()
    assert liquidation[:2] == ["1", "first"] and liquidation[5:9] == ["BTC-PERP", "-10", "@", "125"]
    adl_at = lines.index("ADL fills:")
    assert [line.split() for line in lines[adl_at + 2:adl_at + 4]] == [
        ["1", "2", "-6", "125", "270"], ["2", "4", "-6", "125", "175"]]
    assert "negative-equity accounts: none" in lines


def test_the_readme_walk_through_twice_in_a_row_changes_nothing_the_second_time(
        in_process_server, capsys):
    """README: the batch and the mark carry their seq, so walking through again sends
    duplicates, answered as the first time, and the book does not double."""
    first_load = _run(capsys, in_process_server.address, "load", str(SEED2), "--first-seq", "1")
    first_mark = _run(capsys, in_process_server.address, "mark", "BTC-PERP", "150", "--seq", "2")
    status = json.loads(_run(capsys, in_process_server.address, "--json", "status"))
    second_load = _run(capsys, in_process_server.address, "load", str(SEED2), "--first-seq", "1")
    second_mark = _run(capsys, in_process_server.address, "mark", "BTC-PERP", "150", "--seq", "2")
    assert "(0 duplicates); last seq 1" in first_load and "(1 duplicate); last seq 1" in second_load
    assert second_mark == first_mark and "100 -> 150 -> 125" in first_mark
    again = json.loads(_run(capsys, in_process_server.address, "--json", "status"))
    assert (again["applied_seq"], again["state_hash"]) == (status["applied_seq"], status["state_hash"])
