"""What deploy/ ships works: the server accepts the example config as written and
every argument of the systemd unit's ExecStart, and the unit runs it as a
non-root user that is restarted on failure."""
from __future__ import annotations

import configparser
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest

from markcap.v1 import risk_engine_pb2 as pb

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
EXAMPLE_CONFIG = DEPLOY / "markcap.example.toml"
UNIT = DEPLOY / "markcap.service"
CONTRACT_KINDS = {"LINEAR": pb.CONTRACT_KIND_LINEAR, "INVERSE": pb.CONTRACT_KIND_INVERSE}
CAP_POLICIES = {"NO_CAP": pb.CAP_POLICY_NO_CAP,
                "CAP_TO_FIRST_BANKRUPTCY_PRICE": pb.CAP_POLICY_CAP_TO_FIRST_BANKRUPTCY_PRICE}


def _unit_service_section() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(UNIT.read_text())
    return parser["Service"]


def _option_values(argv: list[str]) -> dict[str, str]:
    """{"--config": "/etc/...", ...} for the `--flag value` pairs after argv[0]."""
    flags = argv[1::2]
    assert all(flag.startswith("--") for flag in flags), argv
    return dict(zip(flags, argv[2::2]))


def test_server_accepts_the_example_config_as_written(start_server):
    example = tomllib.loads(EXAMPLE_CONFIG.read_text())
    stub = start_server(config_path=EXAMPLE_CONFIG).stub()
    instruments = stub.ListInstruments(pb.ListInstrumentsRequest(), timeout=10).instruments
    assert [(i.instrument_id, i.symbol, i.kind, i.mark_price, i.cap_policy)
            for i in instruments] == [
        (i["instrument_id"], i["symbol"], CONTRACT_KINDS[i["kind"]], i["mark_price"],
         CAP_POLICIES[i["cap_policy"]]) for i in example["instruments"]]
    currencies = stub.ListCurrencies(pb.ListCurrenciesRequest(), timeout=10).currencies
    assert [(c.currency_id, c.code, c.price) for c in currencies] == [
        (c["currency_id"], c["code"], c["price"]) for c in example["currencies"]]
    fund = stub.GetInsuranceFund(pb.GetInsuranceFundRequest(), timeout=10)
    assert fund.account.account_id == example["insurance_fund_account_id"]
    assert fund.floor == example["insurance_fund_floor"]


def test_unit_runs_the_server_as_the_task_says():
    service = _unit_service_section()
    argv = shlex.split(service["ExecStart"])
    assert Path(argv[0]).name == "markcap-server"
    options = _option_values(argv)
    assert options["--config"] == "/etc/markcap/markcap.toml"
    assert options["--listen"] == "127.0.0.1:50051"
    assert service["Restart"] == "on-failure"
    assert service.get("User", "root") != "root"
    assert service.get("DynamicUser") == "yes" or "User" in service


def test_server_accepts_every_argument_of_the_unit(start_server, tmp_path):
    # Same flags as ExecStart; only the host paths and the port become the test's.
    options = _option_values(shlex.split(_unit_service_section()["ExecStart"]))
    local_values = {"--config": str(EXAMPLE_CONFIG), "--listen": "127.0.0.1:0",
                    "--data-dir": str(tmp_path / "state")}
    unknown = set(options) - set(local_values)
    assert not unknown, f"no local stand-in for {unknown}"
    args = [part for flag in options for part in (flag, local_values[flag])]
    running = start_server(extra_args=args)
    status = running.stub().GetStatus(pb.GetStatusRequest(), timeout=10)
    assert status.instrument_count == len(tomllib.loads(EXAMPLE_CONFIG.read_text())
                                          ["instruments"])
    assert running.process.poll() is None


@pytest.mark.parametrize("broken, key", [
    ("insurance_fund_floor = 0.0", "insurance_fund_floor"),
    ('kind = "LINEAR"', "instruments[0].kind"),
])
def test_a_broken_copy_of_the_example_names_the_key(markcap_server_command, tmp_path,
                                                    broken, key):
    # The example must stay close to what the server checks: breaking one key in
    # it is caught and named (SPEC 9), so passing above is not an accident.
    text = EXAMPLE_CONFIG.read_text()
    assert broken in text
    name = broken.split(" = ")[0]
    broken_copy = tmp_path / "broken.toml"
    broken_copy.write_text(text.replace(broken, f'{name} = "not a valid value"', 1))
    result = subprocess.run(
        markcap_server_command + ["--config", str(broken_copy), "--listen", "127.0.0.1:0"],
        capture_output=True, text=True, timeout=30)
    assert result.returncode == 2, result
    assert str(broken_copy) in result.stderr
    assert key in result.stderr
