"""Config file handling (SPEC 9): a good file is served, each bad one stops the
server at start with exit code 2 and one message naming file, key and problem."""
from __future__ import annotations

import subprocess

import pytest

from markcap.engine import (AdlAllocation, AdlRanking, CapPolicy, ContractKind, Currency,
                            ExchangeConfig, Instrument)
from markcap.service.config import ConfigError, load_default, parse_config
from markcap.v1 import risk_engine_pb2 as pb

EXIT_SECONDS = 20

USD = """
[[currencies]]
currency_id = 1
code = "USD"
decimals = 2
price = 1.0
valuation = true
"""
BTC = """
[[currencies]]
currency_id = 2
code = "BTC"
decimals = 8
price = 50000.0
"""
PERP = """
[[instruments]]
instrument_id = 7
symbol = "BTC-PERP"
kind = "LINEAR"
settlement_currency_id = 1
multiplier = 1.0
tick_size = 0.5
mark_price = 100.0
"""
INVERSE = """
[[instruments]]
instrument_id = 9
symbol = "BTC-USD-INV"
kind = "INVERSE"
settlement_currency_id = 2
multiplier = 100.0
tick_size = 0.5
mark_price = 50000.0
cap_policy = "NO_CAP"
adl_ranking = "PNL_RATIO_TIMES_LEVERAGE"
adl_allocation = "QUEUE"
"""
GOOD = "insurance_fund_account_id = 99\ninsurance_fund_floor = 10.0\n" + USD + BTC + PERP + INVERSE


def _with(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# (case id, config text, key the message must name, problem words it must contain)
BAD_CONFIGS = [
    ("decimals-missing", _with(GOOD, "decimals = 8\n", ""), "currencies[1].decimals", "missing"),
    ("decimals-too-many", _with(GOOD, "decimals = 2", "decimals = 19"),
     "currencies[0].decimals", "between 0 and 18, got 19"),
    ("tick-missing", _with(GOOD, "tick_size = 0.5\n", ""), "instruments[0].tick_size", "missing"),
    ("tick-zero", _with(GOOD, "tick_size = 0.5", "tick_size = 0.0"),
     "instruments[0].tick_size", "finite and > 0, got 0.0"),
    ("tick-too-fine", _with(GOOD, "tick_size = 0.5", "tick_size = 1e-19"),
     "instruments[0].tick_size", "at most 18 decimals"),
    ("mark-off-grid", _with(GOOD, "mark_price = 100.0", "mark_price = 100.3"),
     "instruments[0].mark_price", "100.3: not a whole multiple of the tick 0.5"),
    ("floor-finer-than-a-cent", _with(GOOD, "insurance_fund_floor = 10.0", "insurance_fund_floor = 10.001"),
     "insurance_fund_floor", "10.001: not a whole multiple of the minor unit 0.01 USD"),
    ("missing-multiplier", _with(GOOD, "multiplier = 100.0\n", ""),
     "instruments[1].multiplier", "missing"),
    ("multiplier-string", _with(GOOD, "multiplier = 100.0", 'multiplier = "big"'),
     "instruments[1].multiplier", "must be a number, got 'big'"),
    ("multiplier-negative", _with(GOOD, "multiplier = 1.0", "multiplier = -1.0"),
     "instruments[0].multiplier", "finite and > 0, got -1.0"),
    ("mark-nan", _with(GOOD, "mark_price = 100.0", "mark_price = nan"),
     "instruments[0].mark_price", "finite and > 0, got nan"),
    ("mark-inf", _with(GOOD, "mark_price = 100.0", "mark_price = inf"),
     "instruments[0].mark_price", "finite and > 0, got inf"),
    ("mark-zero", _with(GOOD, "mark_price = 100.0", "mark_price = 0"),
     "instruments[0].mark_price", "finite and > 0, got 0"),
    ("currency-price-zero", _with(GOOD, "price = 50000.0", "price = 0.0"),
     "currencies[1].price", "finite and > 0, got 0.0"),
    ("kind-unknown", _with(GOOD, 'kind = "LINEAR"', 'kind = "SWAP"'),
     "instruments[0].kind", "unknown value 'SWAP'"),
    ("kind-missing", _with(GOOD, 'kind = "LINEAR"\n', ""), "instruments[0].kind", "missing"),
    ("cap-policy-unknown", _with(GOOD, 'cap_policy = "NO_CAP"', 'cap_policy = "no_cap"'),
     "instruments[1].cap_policy", "unknown value 'no_cap'"),
    ("adl-ranking-unknown", _with(GOOD, 'adl_ranking = "PNL_RATIO_TIMES_LEVERAGE"',
                                  'adl_ranking = "SIZE"'),
     "instruments[1].adl_ranking", "unknown value 'SIZE'"),
    ("duplicate-instrument-id", _with(GOOD, "instrument_id = 9", "instrument_id = 7"),
     "instruments[1].instrument_id", "duplicate 7"),
    ("duplicate-currency-id", _with(GOOD, "currency_id = 2", "currency_id = 1"),
     "currencies[1].currency_id", "duplicate 1"),
    ("no-valuation-currency", _with(GOOD, "valuation = true", "valuation = false"),
     "currencies", "no currency has valuation = true"),
    ("two-valuation-currencies", _with(GOOD, "price = 50000.0", "price = 1.0\nvaluation = true"),
     "currencies[1].valuation", "second valuation currency"),
    ("valuation-price-not-one", _with(GOOD, "price = 1.0", "price = 2.0"),
     "currencies[0].price", "must be 1.0, got 2.0"),
    ("unknown-settlement-currency", _with(GOOD, "settlement_currency_id = 2",
                                          "settlement_currency_id = 3"),
     "instruments[1].settlement_currency_id", "unknown currency 3"),
    ("unknown-top-level-key", "insurance_fund_flor = 1.0\n" + GOOD,
     "insurance_fund_flor", "unknown key"),
    ("unknown-instrument-key", _with(GOOD, "multiplier = 1.0", "multiplyer = 1.0"),
     "instruments[0].multiplyer", "unknown key"),
    ("missing-currencies", PERP, "currencies", "missing"),
    ("instrument-id-float", _with(GOOD, "instrument_id = 7", "instrument_id = 7.5"),
     "instruments[0].instrument_id", "must be an integer, got 7.5"),
    ("currency-id-too-big", _with(GOOD, "currency_id = 2", "currency_id = 4294967296"),
     "currencies[1].currency_id", "between 0 and 4294967295, got 4294967296"),
    ("fund-id-negative", _with(GOOD, "insurance_fund_account_id = 99",
                               "insurance_fund_account_id = -1"),
     "insurance_fund_account_id", "between 0 and 18446744073709551615, got -1"),
    ("floor-string", _with(GOOD, "insurance_fund_floor = 10.0", 'insurance_fund_floor = "ten"'),
     "insurance_fund_floor", "must be a number, got 'ten'"),
    ("not-toml", GOOD + "\nthis is not toml\n", "", "not valid TOML"),
]


@pytest.mark.parametrize("text,key,problem", [case[1:] for case in BAD_CONFIGS],
                         ids=[case[0] for case in BAD_CONFIGS])
def test_bad_config_stops_the_server_with_exit_2_naming_file_key_and_problem(
        tmp_path, markcap_server_command, text, key, problem):
    path = tmp_path / "exchange.toml"
    path.write_text(text)
    result = subprocess.run(markcap_server_command + ["--config", str(path), "--listen",
                                                      "127.0.0.1:0"],
                            capture_output=True, text=True, timeout=EXIT_SECONDS)
    assert result.returncode == 2, result.stderr
    assert "listening on" not in result.stdout
    assert "Traceback" not in result.stderr
    message_lines = [line for line in result.stderr.splitlines() if str(path) in line]
    assert len(message_lines) == 1, result.stderr
    assert f"{path}: {key}: " in message_lines[0] if key else True
    assert problem in message_lines[0], message_lines[0]


def test_missing_config_file_exits_2_naming_it(tmp_path, markcap_server_command):
    path = tmp_path / "nope.toml"
    result = subprocess.run(markcap_server_command + ["--config", str(path)],
                            capture_output=True, text=True, timeout=EXIT_SECONDS)
    assert result.returncode == 2
    assert f"{path}: cannot read" in result.stderr
    assert "Traceback" not in result.stderr


def test_parse_config_builds_the_exchange_with_defaults_for_optional_keys():
    config = parse_config({"currencies": [{"currency_id": 1, "code": "USD", "valuation": True,
                                           "decimals": 2}],
                           "instruments": [{"instrument_id": 7, "symbol": "P", "kind": "LINEAR",
                                            "settlement_currency_id": 1, "multiplier": 2,
                                            "tick_size": 0.5, "mark_price": 100}]}, "t.toml")
    assert config == ExchangeConfig(
        currencies=(Currency(1, "USD", 1.0, True, decimals=2),),
        instruments=(Instrument(7, "P", ContractKind.LINEAR, 1, 2.0, 100.0,
                                CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE, AdlRanking.PNL,
                                AdlAllocation.PRO_RATA, tick_size=0.5),),
        insurance_fund_account_id=0, insurance_fund_floor=0.0)


def test_config_error_carries_source_key_and_problem():
    with pytest.raises(ConfigError) as raised:
        parse_config({"currencies": [{"currency_id": 1, "code": "USD", "valuation": True, "decimals": 2},
                                     {"currency_id": 2, "code": "USD", "price": 3.0, "decimals": 2}]}, "x.toml")
    assert (raised.value.source, raised.value.key) == ("x.toml", "currencies[1].code")
    assert "duplicate 'USD'" in raised.value.problem


def test_embedded_default_exchange_matches_the_brief():
    config = load_default()
    assert (config.insurance_fund_account_id, config.insurance_fund_floor) == (0, 0.0)
    assert config.currencies == (Currency(1, "USD", 1.0, True, decimals=2), Currency(2, "BTC", 50000.0, decimals=8))
    assert config.instruments == (
        Instrument(7, "BTC-PERP", ContractKind.LINEAR, 1, 1.0, 100.0,
                   CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE, AdlRanking.PNL,
                   AdlAllocation.PRO_RATA, tick_size=0.5),
        Instrument(8, "ETH-PERP", ContractKind.LINEAR, 1, 1.0, 3000.0, CapPolicy.NO_CAP,
                   AdlRanking.PNL, AdlAllocation.PRO_RATA, tick_size=0.01),
        Instrument(9, "BTC-USD-INV", ContractKind.INVERSE, 2, 100.0, 50000.0,
                   CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE, AdlRanking.PNL_RATIO_TIMES_LEVERAGE,
                   AdlAllocation.QUEUE, tick_size=0.5))


def test_good_config_is_served(start_in_process_server):
    running = start_in_process_server(config_text=GOOD)
    stub = running.stub()
    instruments = stub.ListInstruments(pb.ListInstrumentsRequest()).instruments
    assert [(i.instrument_id, i.symbol, i.kind, i.multiplier, i.mark_price, i.cap_policy,
             i.adl_ranking, i.adl_allocation) for i in instruments] == [
        (7, "BTC-PERP", pb.CONTRACT_KIND_LINEAR, 1.0, 100.0,
         pb.CAP_POLICY_CAP_TO_FIRST_BANKRUPTCY_PRICE, pb.ADL_RANKING_PNL,
         pb.ADL_ALLOCATION_PRO_RATA),
        (9, "BTC-USD-INV", pb.CONTRACT_KIND_INVERSE, 100.0, 50000.0, pb.CAP_POLICY_NO_CAP,
         pb.ADL_RANKING_PNL_RATIO_TIMES_LEVERAGE, pb.ADL_ALLOCATION_QUEUE)]
    currencies = stub.ListCurrencies(pb.ListCurrenciesRequest()).currencies
    assert [(c.currency_id, c.code, c.price, c.valuation) for c in currencies] == [
        (1, "USD", 1.0, True), (2, "BTC", 50000.0, False)]
    fund = stub.GetInsuranceFund(pb.GetInsuranceFundRequest())
    assert (fund.account.account_id, fund.floor) == (99, 10.0)
    assert stub.GetStatus(pb.GetStatusRequest()).insurance_fund_account_id == 99
