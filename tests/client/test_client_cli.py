"""The `markcap` CLI against a real server (in-process, tests/in_process.py): the CLI
in-process via main(argv), and once as the installed console script."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from markcap.client.cli import main

BOOK = """type,account_id,instrument,currency,qty,price,amount
# account 1 short 10 @100 against account 2 long 10 @100
fill,1,BTC-PERP,,-10,100,
fill,2,7,,10,100,
transfer,1,,USD,,,250
transfer,2,,1,,,1000
fill,3,ETH-PERP,,2,3000,
fill,4,ETH-PERP,,-2,3000,
"""


@pytest.fixture
def cli(in_process_server, capsys):
    """cli(*argv) -> (exit code, stdout, stderr) against the test's server."""
    def run(*argv: str):
        code = main(["--target", in_process_server.address, *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "book.csv"
    path.write_text(BOOK)
    return path


def _json(cli, *argv: str):
    code, out, err = cli("--json", *argv)
    assert (code, err) == (0, "")
    return json.loads(out)


def test_load_then_account_shows_positions_and_balances(cli, book):
    code, out, err = cli("load", str(book), "--batch-size", "4")
    assert (code, err) == (0, "")
    assert out == "loaded 4 fills and 2 transfers in 2 batches (0 duplicates); last seq 2\n"
    code, out, _ = cli("account", "1")
    lines = out.splitlines()
    assert code == 0
    assert lines[:2] == ["account  1", "equity   250"]
    assert lines[lines.index("balances:") + 2].split() == ["USD", "250"]
    assert lines[lines.index("positions:") + 2].split()[:6] == [
        "BTC-PERP", "-10", "100", "-1000", "0", "125"]
    account = _json(cli, "account", "4")["account"]
    assert [(p["instrument_id"], int(p["qty"])) for p in account["positions"]] == [(8, -2)]


def test_load_with_explicit_seqs_is_idempotent(cli, book):
    assert _json(cli, "load", str(book), "--first-seq", "1") == {
        "fills": 4, "transfers": 2, "batches": 1, "duplicates": 0, "last_seq": 1}
    again = _json(cli, "load", str(book), "--first-seq", "1")
    assert (again["duplicates"], again["last_seq"]) == (1, 1)
    assert _json(cli, "status")["applied_seq"] == "1"


def test_a_bad_row_sends_nothing(cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BOOK + "fill,5,BTC-PERP,,0,100,\n")
    code, out, err = cli("load", str(path))
    assert (code, out) == (1, "")
    assert err == f"error: {path}:9: qty is 0: a fill must change the position\n"
    assert _json(cli, "status")["applied_seq"] == "0"


def test_mark_dry_run_changes_nothing(cli, book):
    cli("load", str(book))
    status_before = _json(cli, "status")
    code, out, _ = cli("mark", "BTC-PERP", "150", "--dry-run")
    assert code == 0
    assert "dry run: nothing changed" in out
    assert "100 -> 150 -> 125" in out
    status_after = _json(cli, "status")
    assert status_after == status_before
    assert _json(cli, "instruments")["instruments"][0]["mark_price"] == 100.0


def test_mark_sweep_prints_a_summary_and_json_has_every_step(cli, book):
    cli("load", str(book))
    code, out, _ = cli("mark", "BTC-PERP", "150", "--sweep", "--dry-run")
    assert code == 0
    assert "dry run: nothing changed" in out and "stopped" in out
    assert "100 -> 150" in out  # the sweep goes on past the cap at 125 to the requested price
    response = _json(cli, "mark", "BTC-PERP", "150", "--sweep", "--max-steps", "1")
    assert len(response["steps"]) == 1 and response["applied_price"] == 125.0
    assert response["sweep_stop_reason"] == "SWEEP_STOP_REASON_MAX_STEPS"


def test_mark_no_cap_override_and_explicit_seq(cli, book):
    cli("load", str(book))
    response = _json(cli, "mark", "7", "150", "--no-cap", "--seq", "2")
    assert response["seq"] == "2"
    assert response["cap_policy"] == "CAP_POLICY_NO_CAP"
    assert (response["applied_price"], response["capped"]) == (150.0, False)
    # Account 1 at 150: 250 + 1000 - 10*150 = -250, and nothing liquidated.
    assert response["liquidations"] == []
    assert [(e["account_id"], e["equity"]) for e in response["negative_equity_accounts"]] == [
        ("1", -250.0)]


@pytest.mark.parametrize("argv", [
    ("status",), ("fund",), ("instruments",), ("currencies",), ("band", "BTC-PERP"),
    ("adl-queue", "BTC-PERP", "long", "--limit", "3"), ("account", "0"),
    ("mark", "ETH-PERP", "2999", "--dry-run"),
])
def test_json_output_parses_with_proto_field_names(cli, argv):
    parsed = _json(cli, *argv)
    assert isinstance(parsed, dict) and parsed
    assert all(key == key.lower() for key in parsed)  # snake_case, not lowerCamelCase


def test_text_views_use_symbols_and_codes(cli, book):
    cli("load", str(book))
    _, out, _ = cli("instruments")
    assert out.splitlines()[1].split()[:7] == ["7", "BTC-PERP", "LINEAR", "USD", "1", "0.5", "100"]
    _, out, _ = cli("currencies")
    assert out.splitlines()[1].split() == ["1", "USD", "1", "2", "yes"]
    _, out, _ = cli("band", "BTC-PERP")
    assert "upper price  125" in out.splitlines()
    _, out, _ = cli("adl-queue", "BTC-PERP", "LONG")
    assert out.splitlines()[2].split()[:3] == ["1", "2", "10"]
    _, out, _ = cli("fund")
    assert out.splitlines()[:4] == ["account  0", "equity   0", "floor    0", "deficit  0"]


def test_server_errors_print_code_and_exit_1(cli):
    code, out, err = cli("account", "999")
    assert (code, out) == (1, "")
    assert err.startswith("error: NOT_FOUND: ") and "999" in err
    code, _, err = cli("mark", "BTC-PERP", "110", "--seq", "5")
    assert code == 1 and err.startswith("error: FAILED_PRECONDITION: ")


def test_client_side_problems_exit_1_and_usage_errors_exit_2(cli, tmp_path):
    code, _, err = cli("band", "DOGE-PERP")
    assert code == 1 and err.startswith("error: unknown instrument 'DOGE-PERP'")
    code, _, err = cli("load", str(tmp_path / "missing.csv"))
    assert code == 1 and "missing.csv" in err
    assert cli("mark", "BTC-PERP")[0] == 2
    assert cli("mark", "BTC-PERP", "-3")[0] == 2
    assert cli("adl-queue", "BTC-PERP", "sideways")[0] == 2
    assert cli("mark", "BTC-PERP", "110", "--cap", "--no-cap")[0] == 2


def test_watch_prints_mark_events_from_a_seq(cli, book):
    cli("load", str(book))
    cli("mark", "BTC-PERP", "110")
    code, out, _ = cli("--timeout", "10", "watch", "--from-seq", "1", "--count", "1")
    assert code == 0
    assert out.split() == ["seq", "2", "mark", "BTC-PERP", "100", "->", "110", "capped", "no",
                           "liquidations", "0", "ADL", "fills", "0"]
    code, out, _ = cli("--json", "--timeout", "10", "watch", "--from-seq", "2", "--count", "1")
    assert json.loads(out)["mark"]["applied_price"] == 110.0


def test_target_from_environment(in_process_server, capsys, monkeypatch):
    monkeypatch.setenv("MARKCAP_TARGET", in_process_server.address)
    assert main(["--json", "status"]) == 0
    assert json.loads(capsys.readouterr().out)["instrument_count"] == 3


def test_load_help_documents_the_csv_format(capsys):
    assert main(["load", "--help"]) == 0
    out = capsys.readouterr().out
    assert "type,account_id,instrument,currency,qty,price,amount" in out
    assert "--batch-size" in out and "#" in out


def test_the_console_script(in_process_server, book):
    script = Path(sys.executable).with_name("markcap")
    for argv in (["load", str(book)], ["account", "2"]):
        result = subprocess.run([str(script), "--target", in_process_server.address, *argv],
                                capture_output=True, text=True, timeout=60)
        assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[lines.index("positions:") + 2].split()[:3] == ["BTC-PERP", "10", "100"]
    failed = subprocess.run([str(script), "--target", in_process_server.address, "account", "77"],
                            capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1 and failed.stderr.startswith("error: NOT_FOUND: ")


LADDER_BOOK = """type,account_id,instrument,currency,qty,price,amount
# three shorts of 10 at 100 whose bankruptcy prices are 110, 120 and 140; one rich long
fill,11,BTC-PERP,,-10,100,
fill,12,BTC-PERP,,-10,100,
fill,13,BTC-PERP,,-10,100,
fill,14,BTC-PERP,,30,100,
transfer,11,,USD,,,100
transfer,12,,USD,,,200
transfer,13,,USD,,,400
transfer,14,,USD,,,100000
"""


def test_ladder_shows_takeovers_by_price_level_and_changes_nothing(cli, tmp_path):
    path = tmp_path / "ladder.csv"
    path.write_text(LADDER_BOOK)
    cli("load", str(path))
    status_before = _json(cli, "status")
    png = tmp_path / "ladder.png"
    code, out, err = cli("ladder", "BTC-PERP", "--to", "150", "--levels", "5", "--png", str(png))
    assert (code, err) == (0, "")
    assert "dry run: nothing changed" in out and "100 -> 150" in out
    rows = [line.split() for line in out.splitlines() if ".." in line]
    # levels 100..110, 110..120, 120..130, 130..140, 140..150: a takeover at a level's top
    # counts in the level it ends
    assert [(row[0], row[2], int(row[3])) for row in rows] == [
        ("100", "110", 1), ("110", "120", 1), ("120", "130", 0), ("130", "140", 1), ("140", "150", 0)]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _json(cli, "status") == status_before
    response = _json(cli, "ladder", "BTC-PERP", "--to", "150")
    assert response["dry_run"] and len(response["liquidations"]) == 3


def test_connection_options_work_after_the_command_too(in_process_server, capsys):
    assert main(["status", "--json", "--target", in_process_server.address]) == 0
    assert "applied_seq" in json.loads(capsys.readouterr().out)
    # one given before the command still holds when the command does not repeat it
    assert main(["--json", "--target", in_process_server.address, "instruments"]) == 0
    assert json.loads(capsys.readouterr().out)["instruments"]
    # the later wins
    assert main(["--target", "127.0.0.1:1", "status", "--target", in_process_server.address]) == 0


def test_every_argument_of_every_command_has_help():
    from markcap.client.cli import build_parser
    parser = build_parser()
    commands = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    missing = [f"{name} {action.dest}" for name, command in commands.choices.items()
               for action in command._actions
               if not isinstance(action, argparse._HelpAction) and not action.help]
    assert missing == []


def test_upsert_commands_create_a_currency_and_an_instrument_and_change_them(cli):
    code, out, err = cli("upsert-currency", "9", "--code", "EUR", "--decimals", "2", "--price", "1.1")
    assert (code, err) == (0, "") and "EUR" in out and "negative-equity accounts: none" in out
    code, out, err = cli("upsert-instrument", "30", "--symbol", "EUR-PERP", "--kind", "linear",
                         "--settles-in", "EUR", "--multiplier", "1", "--tick-size", "0.01", "--mark", "10")
    assert (code, err) == (0, "") and "EUR-PERP" in out
    listed = {i["instrument_id"]: i for i in _json(cli, "instruments")["instruments"]}
    assert listed[30]["symbol"] == "EUR-PERP" and listed[30]["settlement_currency_id"] == 9
    assert listed[30]["mark_price"] == 10.0 and listed[30]["tick_size"] == 0.01
    changed = _json(cli, "upsert-instrument", "30", "--mark", "10.5", "--cap-policy", "no_cap")
    assert changed["instrument"]["mark_price"] == 10.5 and changed["instrument"]["symbol"] == "EUR-PERP"
    assert changed["instrument"]["cap_policy"] == "CAP_POLICY_NO_CAP"
    assert int(_json(cli, "upsert-currency", "9", "--price", "1.2")["seq"]) > 0
    currencies = {c["currency_id"]: c for c in _json(cli, "currencies")["currencies"]}
    assert currencies[9]["price"] == 1.2 and currencies[9]["code"] == "EUR"


def test_an_upsert_the_server_refuses_prints_its_reason_and_exits_1(cli):
    code, _, err = cli("upsert-currency", "9", "--price", "1.1")  # a new currency needs code and decimals
    assert code == 1 and err.startswith("error: INVALID_ARGUMENT")
    code, _, err = cli("upsert-instrument", "30", "--settles-in", "XYZ")
    assert code == 1 and "unknown currency 'XYZ'" in err


def test_load_warns_when_the_fills_do_not_net_to_zero_and_loads_anyway(cli, tmp_path):
    path = tmp_path / "half.csv"
    path.write_text("type,account_id,instrument,currency,qty,price,amount\n"
                    "fill,1,BTC-PERP,,5,100,\nfill,2,BTC-PERP,,-3,100,\nfill,3,ETH-PERP,,2,3000,\n"
                    "fill,4,ETH-PERP,,-2,3000,\n")
    code, out, err = cli("load", str(path))
    assert code == 0 and "loaded 4 fills" in out
    assert err.startswith(f"warning: {path}: the fills do not net to zero (BTC-PERP +2 contracts)")
    assert "ETH-PERP" not in err
    code, out, err = cli("load", str(path), "--json")  # and --json says which, by id
    assert code == 0 and json.loads(out)["unbalanced_instruments"] == {"7": 2}


def test_a_balanced_file_loads_without_a_warning(cli, book):
    code, _, err = cli("load", str(book))
    assert (code, err) == (0, "")


def test_load_progress_counts_acknowledged_batches_on_one_line():
    import io
    from types import SimpleNamespace
    from markcap.client.cli import LoadProgress
    ticks = iter([0.0, 0.05, 0.2, 0.25])
    stream = io.StringIO()
    progress = LoadProgress(4, stream, clock=lambda: next(ticks))
    for _ in range(4):
        progress.acknowledged(SimpleNamespace(fill_count=10))
    progress.done()
    # shown at the first, after 0.1 s, and at the last; one line in all
    assert stream.getvalue() == ("\rloading: 1/4 batches acknowledged (10 fills)"
                                 "\rloading: 3/4 batches acknowledged (30 fills)"
                                 "\rloading: 4/4 batches acknowledged (40 fills)\n")
    silent = LoadProgress(2, None)
    silent.acknowledged(SimpleNamespace(fill_count=1))
    silent.done()
