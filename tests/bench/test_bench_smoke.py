"""Keeps bench/ working: the workload generator's promises at a tiny size, the
naive baseline on a hand-computed case, and the whole harness in its "tiny"
mode. No timing is asserted: performance is judged by `make bench`, not CI."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest

from bench import naive
from bench.workload import (BATCH_SIZE, BTC, INSTRUMENT_COUNT, MAKER_COUNT, USD, delta_batches,
                            generate)
from markcap.engine import ContractKind
from markcap.service.config import load_config

REPO_ROOT = Path(__file__).resolve().parents[2]
HARNESS_SECONDS = 180


@pytest.fixture(scope="module")
def workload():
    return generate("tiny", seed=3)


def test_the_same_seed_gives_the_same_workload(workload):
    again = generate("tiny", seed=3)
    for name in ("account_id", "instrument_id", "qty", "price"):
        assert np.array_equal(getattr(workload.fills, name), getattr(again.fills, name))
    assert np.array_equal(workload.transfers.amount, again.transfers.amount)
    assert workload.config_toml == again.config_toml


def test_every_fill_has_an_opposite_fill_at_the_same_price(workload):
    fills = workload.fills
    assert len(fills) % 2 == 0
    assert np.array_equal(fills.qty[0::2], -fills.qty[1::2])
    assert np.array_equal(fills.price[0::2], fills.price[1::2])
    assert np.array_equal(fills.instrument_id[0::2], fills.instrument_id[1::2])
    net = Counter()
    for instrument_id, qty in zip(fills.instrument_id.tolist(), fills.qty.tolist()):
        net[instrument_id] += qty
    assert set(net.values()) == {0}


def test_fills_build_exactly_the_declared_positions(workload):
    built = defaultdict(int)
    for account, instrument_id, qty in zip(workload.fills.account_id.tolist(),
                                           workload.fills.instrument_id.tolist(),
                                           workload.fills.qty.tolist()):
        built[account, instrument_id] += qty
    keys = zip(workload.positions.account_id.tolist(), workload.positions.instrument_id.tolist())
    declared = dict(zip(keys, workload.positions.qty.tolist()))
    assert len(declared) == len(workload.positions)  # one row per (account, instrument)
    assert {key: qty for key, qty in built.items() if qty} == declared


def test_accounts_positions_and_collateral_have_the_promised_shape(workload):
    positions = Counter(workload.positions.account_id.tolist())
    traders = range(1 + MAKER_COUNT, workload.account_count)
    assert all(1 <= positions[account] <= INSTRUMENT_COUNT for account in traders)
    fund_rows = workload.positions.account_id == 0
    assert workload.positions.instrument_id[fund_rows].tolist() == [workload.most_popular_instrument_id]
    assert workload.positions.qty[fund_rows][0] < 0  # short: a rise makes the fund insolvent
    assert sorted(workload.transfers.account_id.tolist()) == list(range(workload.account_count))
    assert (workload.transfers.amount > 0).all()
    btc_share = np.mean(workload.transfers.currency_id[1 + MAKER_COUNT:] == BTC)
    assert 0.2 < btc_share < 0.4  # 30% of 989 traders; 0.1 is over 6 standard deviations
    popularity = Counter(workload.positions.instrument_id.tolist())
    assert popularity.most_common(1)[0][0] == workload.most_popular_instrument_id


def test_batches_cover_deposits_then_fills_once_each(workload):
    batches = list(delta_batches(workload))
    kinds = ["deposits" if transfers is not None else "fills" for transfers, _ in batches]
    assert kinds == sorted(kinds)  # "deposits" < "fills": every deposit batch comes first
    assert all(len(transfers or fills) <= BATCH_SIZE for transfers, fills in batches)
    assert sum(len(fills) for _, fills in batches if fills is not None) == len(workload.fills)
    assert sum(len(transfers) for transfers, _ in batches if transfers is not None) == len(workload.transfers)


def test_the_config_is_what_the_server_reads(workload, tmp_path):
    path = tmp_path / "exchange.toml"
    path.write_text(workload.config_toml)
    config = load_config(path)
    kinds = Counter((instrument.kind, instrument.settlement_currency_id) for instrument in config.instruments)
    assert kinds == {(ContractKind.LINEAR, USD): 40, (ContractKind.INVERSE, BTC): 10}
    assert config.insurance_fund_account_id == 0


def test_naive_first_bankruptcy_price_of_seed_example_2():
    """README's seed example 2: short 10 at 100 with 250 USD is bankrupt at 125;
    the fund, short 2 at 100 with 50 USD, reaches its floor 0 at 125 too."""
    exchange = naive.NaiveExchange(
        accounts=[([50.0, 0.0], {0: [-2, -200.0]}), ([250.0, 0.0], {0: [-10, -1000.0]}),
                  ([100.0, 0.0], {0: [12, 1200.0]})],
        inverse=[False], multiplier=[1.0], mark=[100.0], sigma=[1.0], currency_price=[1.0, 50_000.0])
    assert naive.first_bankruptcy_price(exchange, 0, 150.0) == 125.0
    # a fall harms the long: b = (K - E')/(q*m)
    assert naive.first_bankruptcy_price(exchange, 0, 90.0) == pytest.approx((1200 - 100) / 12)


def test_the_harness_runs_end_to_end_in_tiny_mode(tmp_path):
    out = tmp_path / "tiny.json"
    finished = subprocess.run([sys.executable, "-m", "bench.run", "--size", "tiny", "--out", str(out)],
                              cwd=REPO_ROOT, capture_output=True, text=True, timeout=HARNESS_SECONDS)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "ingestion, 1 StreamDeltas stream" in finished.stdout
    results = json.loads(out.read_text())
    workload = generate("tiny", seed=1)
    assert results["ingestion"]["fills"] == len(workload.fills)
    assert results["memory"]["open_positions"] == len(workload.positions)
    assert set(results["phases"]) == {"first_query_per_book", "normal_popular", "normal_random", "jump_dry_run", "jump"}
    assert all(phase["end_to_end"]["count"] > 0 and not phase["mismatches"]
               for phase in results["phases"].values())
    assert results["phases"]["normal_popular"]["liquidations"] == 0
    assert results["phases"]["jump"]["capped"] > 0
    assert all(check["agrees"] for check in results["naive"]["checks"])
    assert results["scaling"]["small_accounts"] == 100  # exchange-tiny / 10
    assert results["problems"] == []
    crash = results["crash"]
    assert set(crash["fresh"]) == set(crash["preview"]) == {"-20% popular", "+20% popular", "-20% random",
                                                             "+20% random"}
    fall = crash["fresh"]["-20% popular"]
    assert fall["dry_run"]["liquidations"] > 0 and fall["dry_run"]["stop_reason"] == "REACHED_REQUESTED_PRICE"
    # the preview and the real sweep start from the same state: the same crash
    assert {key: fall["dry_run"][key] for key in ("steps", "liquidations", "adl_fills", "to_price")} == \
        {key: fall["real"][key] for key in ("steps", "liquidations", "adl_fills", "to_price")}
    assert fall["single_steps"]["liquidations"] == fall["real"]["liquidations"]
    assert results["mark_lists"]["rounds"] == 3 and "crash in one call" in finished.stdout


@pytest.mark.parametrize("argv, expected", [
    (["bench.crash", "--size", "tiny", "--steps-baseline"], ["sweep, dry run", "sweep, real", "single steps"]),
    (["bench.mark_lists", "--size", "tiny", "--rounds", "2", "--persistence", "in-memory"],
     ["one ApplyMarks of 50 marks", "50 ApplyMark calls", "ratio"]),
])
def test_the_crash_and_mark_list_benches_run(argv, expected):
    done = subprocess.run([sys.executable, "-m", *argv], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=HARNESS_SECONDS)
    assert done.returncode == 0, done.stderr
    for text in expected:
        assert text in done.stdout
