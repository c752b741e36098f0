"""buf curl and grpcurl drive a real server with JSON: status, SPEC 3's first seed
example (dry run, then for real), an instrument upsert with JSON enum names, and
errors an operator must be able to read. Every test runs with both tools."""
from __future__ import annotations

import grpc
import pytest

# One USD-settled linear perpetual at 100, capped: SPEC 9's example instrument.
EXCHANGE = """
insurance_fund_account_id = 0
insurance_fund_floor = 0.0

[[currencies]]
currency_id = 1
code = "USD"
decimals = 2
price = 1.0
valuation = true

[[instruments]]
instrument_id = 7
symbol = "BTC-PERP"
kind = "LINEAR"
settlement_currency_id = 1
multiplier = 1.0
tick_size = 0.5
mark_price = 100.0
cap_policy = "CAP_TO_FIRST_BANKRUPTCY_PRICE"
"""

# SPEC 3, first seed example: trader 1 is short 1 at 100 with 15 USD, so its
# equity 15 + (100 - p) is zero at p = 115. Trader 2 holds the long side and the
# fund has 1000 USD and no position, so a rise harms only trader 1.
SEED_BATCH = {
    "seq": 1,
    "fills": {"account_id": [1, 2], "instrument_id": [7, 7], "qty": [-1, 1],
              "price": [100, 100]},
    "transfers": {"account_id": [0, 1, 2], "currency_id": [1, 1, 1],
                  "amount": [1000, 15, 1000]},
}
RISE_TO_120 = {"instrument_id": 7, "price": 120}


@pytest.fixture
def client(operator_client_factory, start_in_process_server):
    return operator_client_factory(start_in_process_server(config_text=EXCHANGE).address)


@pytest.fixture
def seeded_client(client):
    acks = client.stream("StreamDeltas", [SEED_BATCH])
    assert acks == [{"seq": "1", "fillCount": 2, "transferCount": 3, "duplicate": False}]
    return client


def _mark_of(client, instrument_id: int) -> float:
    instruments = client.call("ListInstruments")["instruments"]
    return next(i["markPrice"] for i in instruments if i["instrumentId"] == instrument_id)


def test_get_status_of_a_fresh_engine(client):
    status = client.call("GetStatus")
    assert status["appliedSeq"] == "0"  # uint64 is a JSON string
    assert status["instrumentCount"] == 1
    assert status["currencyCount"] == 1
    assert status["insuranceFundAccountId"] == "0"
    assert status["version"]


def test_dry_run_reports_the_cap_and_changes_nothing(seeded_client):
    outcome = seeded_client.call("ApplyMark", {**RISE_TO_120, "dry_run": True})
    assert outcome["dryRun"] is True
    assert outcome["seq"] == "0"
    assert (outcome["previousPrice"], outcome["requestedPrice"]) == (100, 120)
    assert outcome["appliedPrice"] == 115
    assert outcome["capped"] is True
    assert outcome["firstBankruptcyPrice"] == 115
    assert [liquidation["accountId"] for liquidation in outcome["liquidations"]] == ["1"]
    assert seeded_client.call("GetStatus")["appliedSeq"] == "1"
    assert _mark_of(seeded_client, 7) == 100


def test_apply_mark_caps_at_the_first_bankruptcy_price(seeded_client):
    outcome = seeded_client.call("ApplyMark", RISE_TO_120)
    assert outcome["seq"] == "2"  # seq 0 in the request: the next one is assigned
    assert outcome["dryRun"] is False
    assert outcome["capPolicy"] == "CAP_POLICY_CAP_TO_FIRST_BANKRUPTCY_PRICE"
    assert (outcome["appliedPrice"], outcome["capped"]) == (115, True)
    [liquidation] = outcome["liquidations"]
    assert liquidation["accountId"] == "1"
    assert liquidation["reason"] == "LIQUIDATION_REASON_FIRST_BANKRUPTCY_PRICE"
    assert liquidation["equityBefore"] == pytest.approx(0, abs=1e-9)
    assert liquidation["positions"] == [{"instrumentId": 7, "qty": "-1", "price": 115}]
    # Taken over at zero equity: the fund neither gains nor loses, no ADL.
    assert outcome["insuranceFundEquityBefore"] == 1000
    assert outcome["insuranceFundEquityAfter"] == pytest.approx(1000)
    assert outcome["insuranceFundDeficit"] == 0
    assert outcome["adlFills"] == []
    assert outcome["negativeEquityAccounts"] == []
    assert _mark_of(seeded_client, 7) == 115
    fund = seeded_client.call("GetInsuranceFund")["account"]
    assert [(p["instrumentId"], p["qty"]) for p in fund["positions"]] == [(7, "-1")]


def test_upsert_instrument_takes_json_enum_names(client):
    instrument = {
        "instrument_id": 12, "symbol": "ETH-USD-INV", "kind": "CONTRACT_KIND_INVERSE",
        "settlement_currency_id": 1, "multiplier": 10, "tick_size": 0.5, "mark_price": 2000,
        "cap_policy": "CAP_POLICY_NO_CAP",
        "adl_ranking": "ADL_RANKING_PNL_RATIO_TIMES_LEVERAGE",
        "adl_allocation": "ADL_ALLOCATION_QUEUE",
    }
    expected = {
        "instrumentId": 12, "symbol": "ETH-USD-INV", "kind": "CONTRACT_KIND_INVERSE",
        "settlementCurrencyId": 1, "multiplier": 10, "tickSize": 0.5, "markPrice": 2000,
        "capPolicy": "CAP_POLICY_NO_CAP",
        "adlRanking": "ADL_RANKING_PNL_RATIO_TIMES_LEVERAGE",
        "adlAllocation": "ADL_ALLOCATION_QUEUE",
    }
    response = client.call("UpsertInstrument", {"instrument": instrument})
    assert response == {"seq": "1", "instrument": expected}
    listed = client.call("ListInstruments")["instruments"]
    assert [i["instrumentId"] for i in listed] == [7, 12]
    assert listed[1] == expected
    assert client.call("GetStatus")["instrumentCount"] == 2


def test_unknown_instrument_is_not_found(client):
    error = client.call_error("ApplyMark", {"instrument_id": 99, "price": 120})
    assert error.code == "NOT_FOUND"
    assert "99" in error.message
    assert error.exit_code == client.exit_code_for(grpc.StatusCode.NOT_FOUND)


def test_non_positive_price_is_invalid(client):
    error = client.call_error("ApplyMark", {"instrument_id": 7, "price": -5})
    assert error.code == "INVALID_ARGUMENT"
    assert "-5" in error.message
    assert _mark_of(client, 7) == 100


def test_seq_gap_names_the_expected_seq(client):
    error = client.call_error("ApplyMark", {"seq": 5, "instrument_id": 7, "price": 120})
    assert error.code == "FAILED_PRECONDITION"
    assert "expected seq 1" in error.message
    assert client.call("GetStatus")["appliedSeq"] == "0"
