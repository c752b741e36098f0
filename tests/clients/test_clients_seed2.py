"""SPEC 3 seed example 2 through the C++, Go, Java and TypeScript example
clients, each run as a program against a real markcap-server on the embedded
default exchange. Each client upserts BTC-PERP (7), streams the seed-2 book as
one batch of 10 fills and 6 transfers, and requests a mark of 150.

Expected, by hand (BTC-PERP linear, multiplier 1, USD, mark 100; the same
book as examples/seed2.csv, checked line by line in tests/client):
  account 1 short 10 @100 with 250: E = 1250 - 10p = 0 at p = 125;
  fund 0 short 2 @100 with 50: E = 250 - 2p = 0 (its floor) at 125;
  account 5 short 5 with 10000: bankrupt at 2100. So the mark stops at 125.
  Account 1 (equity 0) moves to the fund: the fund is short 12 at its floor,
  so ADL closes 12 against the longs by PnL at 125: account 2
  6*125 - 480 = 270, account 4 7*125 - 700 = 175, account 3 4*125 - 360 = 140.
  Accounts 2 and 4 hold 13 >= 12; pro rata 72/13 = 5 r 7 and 84/13 = 6 r 6,
  the spare contract to account 2: each gives up 6 (qty -6).
  After: account 2 flat with 100 + 6*(125-80) = 370 USD, account 4 long 1
  with 1000 + 6*(125-100) = 1150, account 3 and 5 untouched, 1 and the fund flat.
"""
from __future__ import annotations

import subprocess

import pytest

from markcap.v1 import risk_engine_pb2 as pb

from .conftest import LANGUAGES

pytestmark = pytest.mark.timeout(600)

RUN_SECONDS = 60
BTC_PERP, USD = 7, 1


def run_client(program, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(program), *args], capture_output=True, text=True,
                          timeout=RUN_SECONDS)


def parse_facts(stdout: str) -> list[tuple[str, dict[str, str]]]:
    """`kind key=value ...` lines -> [(kind, {key: value})], in order."""
    facts = []
    for line in stdout.splitlines():
        kind, *pairs = line.split()
        facts.append((kind, dict(pair.split("=", 1) for pair in pairs)))
    return facts


def facts_of(facts, kind: str) -> list[dict[str, str]]:
    return [fields for fact_kind, fields in facts if fact_kind == kind]


def assert_seed2_outcome(facts) -> None:
    [instrument] = facts_of(facts, "instrument")
    assert (instrument["seq"], instrument["id"], instrument["symbol"]) == ("1", "7", "BTC-PERP")
    [batch] = facts_of(facts, "batch")
    assert batch == {"seq": "2", "fills": "10", "transfers": "6", "duplicate": "false"}

    [mark] = facts_of(facts, "mark")
    assert (mark["seq"], mark["instrument"], mark["capped"]) == ("3", "7", "true")
    assert [float(mark[key]) for key in
            ("previous", "requested", "applied", "first_bankruptcy_price")] == [
        100.0, 150.0, 125.0, 125.0]

    [liquidation] = facts_of(facts, "liquidation")
    assert liquidation["account"] == "1"
    assert liquidation["reason"] == "LIQUIDATION_REASON_FIRST_BANKRUPTCY_PRICE"
    assert float(liquidation["equity_before"]) == pytest.approx(0.0, abs=1e-9)
    assert float(liquidation["price"]) == 125.0
    assert [(p["account"], p["instrument"], int(p["qty"]), float(p["price"]))
            for p in facts_of(facts, "liquidated_position")] == [("1", "7", -10, 125.0)]

    assert [(f["rank"], f["account"], f["instrument"], int(f["qty"]), float(f["price"]),
             float(f["score"])) for f in facts_of(facts, "adl_fill")] == [
        ("1", "2", "7", -6, 125.0, 270.0), ("2", "4", "7", -6, 125.0, 175.0)]

    [fund] = facts_of(facts, "fund")
    assert float(fund["equity_before"]) == pytest.approx(50.0)
    assert float(fund["equity_after"]) == pytest.approx(0.0, abs=1e-9)
    assert float(fund["deficit"]) == pytest.approx(0.0, abs=1e-9)


def position_and_usd(stub, account_id: int) -> tuple[int, float]:
    account = stub.GetAccount(pb.GetAccountRequest(account_id=account_id), timeout=10).account
    qty = sum(p.qty for p in account.positions if p.instrument_id == BTC_PERP)
    usd = sum(b.amount for b in account.balances if b.currency_id == USD)
    return qty, usd


@pytest.mark.parametrize("language", LANGUAGES)
def test_client_caps_at_125_liquidates_account_1_and_deleverages_2_and_4(
        language, built_clients, server):
    program = built_clients.program(language)

    result = run_client(program, server.address)

    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    assert_seed2_outcome(parse_facts(result.stdout))
    # What the client printed is what the server now holds.
    stub = server.stub()
    after = {account_id: position_and_usd(stub, account_id) for account_id in range(6)}
    assert after[1] == (0, 0.0)
    assert after[0][0] == 0 and after[0][1] == pytest.approx(0.0, abs=1e-9)
    assert after[2] == (0, pytest.approx(370.0))
    assert after[3] == (4, pytest.approx(100.0))
    assert after[4] == (1, pytest.approx(1150.0))
    assert after[5] == (-5, pytest.approx(10000.0))
    assert stub.GetStatus(pb.GetStatusRequest(), timeout=10).applied_seq == 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_call_exits_1_and_names_the_call_and_status(
        language, built_clients, server):
    """A second run asks to reset BTC-PERP's mark to 100 while positions are
    open at 125: FAILED_PRECONDITION, and nothing after it is sent."""
    program = built_clients.program(language)
    assert run_client(program, server.address).returncode == 0

    again = run_client(program, server.address)

    assert again.returncode == 1
    assert again.stdout == ""
    assert again.stderr.startswith(
        "error: UpsertInstrument failed with status FAILED_PRECONDITION: "), again.stderr
    assert "mark_price" in again.stderr
    assert server.stub().GetStatus(pb.GetStatusRequest(), timeout=10).applied_seq == 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_without_an_address_it_prints_usage_and_exits_2(language, built_clients):
    program = built_clients.program(language)

    result = run_client(program)

    assert result.returncode == 2
    assert result.stdout == ""
    assert "usage:" in result.stderr and "ADDRESS" in result.stderr
