"""Metrics and structured logs (issue 6 item 2), through a real server: SPEC 3's
seed example 2 (README), then inputs that must not count (dry run, duplicate,
rejected), checked against numbers worked out by hand."""
from __future__ import annotations

import json
import math
import re
import urllib.request
from pathlib import Path

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families

from markcap.service import metrics
from markcap.service.persistence_readings import PersistenceReadings
from markcap.v1 import risk_engine_pb2 as pb, risk_engine_pb2_grpc as pb_grpc

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "markcap-dashboard.json"
PERP, ETH, BTC, USD = 7, 8, 2, 1
RPC_SECONDS = 10
# README's seed example 2: account 1 short 10 at 100 with 250 USD (bankrupt at 125),
# the fund short 2 at 100 with 50 USD (at its floor at 125 too), longs 2, 3, 4.
SEED2 = pb.StreamDeltasRequest(
    fills=pb.FillColumns(account_id=[2, 5, 3, 5, 1, 5, 0, 5, 4, 5], instrument_id=[PERP] * 10,
                         qty=[6, -6, 4, -4, -10, 10, -2, 2, 7, -7],
                         price=[80, 80, 90, 90, 100, 100, 100, 100, 100, 100]),
    transfers=pb.TransferColumns(account_id=[1, 0, 5, 2, 3, 4], currency_id=[USD] * 6,
                                 amount=[250, 50, 10160, 100, 100, 1000]))


def scrape(url: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of one scrape."""
    with urllib.request.urlopen(url, timeout=RPC_SECONDS) as response:
        text = response.read().decode()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(samples, name: str, **labels) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


@pytest.fixture(scope="module")
def seed2_run(tmp_path_factory):
    """A server taken through seed example 2 and a few inputs that must not count;
    yields (scrape after the deltas, scrape at the end, server stderr)."""
    from ops_servers import OpsServers
    servers = OpsServers(tmp_path_factory.mktemp("metrics"))
    try:
        running = servers.start("--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
                                metrics=True)
        channel = grpc.insecure_channel(running.address)
        stub = pb_grpc.RiskEngineServiceStub(channel)
        list(stub.StreamDeltas(iter([SEED2]), timeout=RPC_SECONDS))                # seq 1
        after_deltas = scrape(running.metrics_url)
        mark = pb.ApplyMarkRequest(instrument_id=PERP, price=150.0)
        stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=PERP, price=150.0, dry_run=True),
                       timeout=RPC_SECONDS)                                         # no seq
        capped = stub.ApplyMark(mark, timeout=RPC_SECONDS)                          # seq 2
        assert (capped.seq, capped.applied_price) == (2, 125.0)
        stub.ApplyMark(pb.ApplyMarkRequest(seq=2, instrument_id=PERP, price=150.0),
                       timeout=RPC_SECONDS)                                         # duplicate
        with pytest.raises(grpc.RpcError):                                          # NOT_FOUND
            stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=99, price=1.0), timeout=RPC_SECONDS)
        with pytest.raises(grpc.RpcError):                                          # rejected
            list(stub.StreamDeltas(iter([pb.StreamDeltasRequest(fills=pb.FillColumns(
                account_id=[1], instrument_id=[99], qty=[1], price=[1.0]))]),
                timeout=RPC_SECONDS))
        stub.UpsertCurrency(pb.UpsertCurrencyRequest(currency=pb.Currency(
            currency_id=BTC, price=51000.0)), timeout=RPC_SECONDS)                  # seq 3
        stub.UpsertInstrument(pb.UpsertInstrumentRequest(instrument=pb.Instrument(
            instrument_id=ETH, symbol="ETH-2")), timeout=RPC_SECONDS)               # seq 4
        stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=ETH, price=3100.0),
                       timeout=RPC_SECONDS)                                         # seq 5
        at_end = scrape(running.metrics_url)
        channel.close()
        running.stop()
        yield after_deltas, at_end, running.stderr_text()
    finally:
        servers.close()


def test_inputs_applied_count_only_new_inputs(seed2_run):
    _, samples, _ = seed2_run
    assert {kind: value(samples, "markcap_inputs_applied_total", kind=kind)
            for kind in ("deltas", "mark", "currency", "instrument")} == {
        "deltas": 1, "mark": 2, "currency": 1, "instrument": 1}
    assert value(samples, "markcap_fills_applied_total") == 10
    assert value(samples, "markcap_transfers_applied_total") == 6
    assert value(samples, "markcap_applied_seq") == 5


def test_the_capped_mark_counts_its_cap_liquidation_and_adl(seed2_run):
    _, samples, _ = seed2_run
    assert value(samples, "markcap_marks_capped_total", instrument_id="7") == 1
    assert value(samples, "markcap_liquidations_total", instrument_id="7",
                 reason="first_bankruptcy_price") == 1
    assert value(samples, "markcap_adl_fills_total", instrument_id="7") == 2
    assert value(samples, "markcap_adl_contracts_total", instrument_id="7") == 12
    assert value(samples, "markcap_marks_capped_total", instrument_id="8") is None


def test_the_fund_gauges_follow_the_fund(seed2_run):
    after_deltas, at_end, _ = seed2_run
    # 50 USD and short 2 at 100 marked at 100: equity 50. After the cap at 125 and ADL: 0.
    assert value(after_deltas, "markcap_insurance_fund_equity") == 50
    assert value(at_end, "markcap_insurance_fund_equity") == 0
    assert value(at_end, "markcap_insurance_fund_deficit") == 0


def test_apply_mark_latency_and_rpc_codes(seed2_run):
    _, samples, _ = seed2_run
    # Capped mark, duplicate, unknown instrument, ETH mark: 4 live calls; 1 dry run.
    assert value(samples, "markcap_apply_mark_duration_seconds_count", dry_run="false") == 4
    assert value(samples, "markcap_apply_mark_duration_seconds_count", dry_run="true") == 1
    assert value(samples, "markcap_apply_mark_duration_seconds_bucket", dry_run="false",
                 le="+Inf") == 4
    assert value(samples, "markcap_rpcs_total", method="ApplyMark", code="OK") == 4
    assert value(samples, "markcap_rpcs_total", method="ApplyMark", code="NOT_FOUND") == 1
    assert value(samples, "markcap_rpcs_total", method="StreamDeltas", code="OK") == 1
    assert value(samples, "markcap_rpcs_total", method="StreamDeltas", code="NOT_FOUND") == 1


def test_persistence_gauges_and_process_metrics_are_exported(seed2_run):
    _, samples, _ = seed2_run
    assert value(samples, "markcap_persistence_lag_inputs") is not None
    assert value(samples, "markcap_journal_size_bytes") is not None
    assert value(samples, "process_resident_memory_bytes") > 0


def test_persistence_readings_reach_the_gauges_of_their_server_only():
    readings = PersistenceReadings()
    registry = metrics.Metrics(readings).registry
    other = metrics.Metrics().registry  # another server in the same process
    readings.lag_inputs, readings.journal_bytes = 7, 4096
    readings.free_bytes_probe = lambda: 5 * 1024 * 1024
    assert registry.get_sample_value("markcap_persistence_lag_inputs") == 7
    assert registry.get_sample_value("markcap_journal_size_bytes") == 4096
    assert registry.get_sample_value("markcap_data_dir_free_bytes") == 5 * 1024 * 1024
    assert other.get_sample_value("markcap_persistence_lag_inputs") == 0
    assert other.get_sample_value("markcap_journal_size_bytes") == 0
    assert math.isnan(other.get_sample_value("markcap_data_dir_free_bytes"))


def _mark_log_lines(stderr: str) -> list[dict]:
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("logger") == "markcap.marks"]


def test_one_json_line_per_mark_that_capped_liquidated_or_deleveraged(seed2_run):
    _, _, stderr = seed2_run
    lines = _mark_log_lines(stderr)
    assert len(lines) == 1, stderr  # not the dry run, the duplicate or the plain ETH mark
    line = lines[0]
    assert {key: line[key] for key in (
        "event", "seq", "instrument_id", "requested_price", "applied_price", "capped",
        "first_bankruptcy_price", "liquidation_count", "liquidated_account_ids",
        "adl_fill_count", "adl_contracts", "adl_account_ids", "insurance_fund_equity_before",
        "insurance_fund_equity_after", "insurance_fund_deficit")} == {
        "event": "mark", "seq": 2, "instrument_id": 7, "requested_price": 150.0,
        "applied_price": 125.0, "capped": True, "first_bankruptcy_price": 125.0,
        "liquidation_count": 1, "liquidated_account_ids": [1], "adl_fill_count": 2,
        "adl_contracts": 12, "adl_account_ids": [2, 4], "insurance_fund_equity_before": 50.0,
        "insurance_fund_equity_after": 0.0, "insurance_fund_deficit": 0.0}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", line["ts"])


def _dashboard_metric_names() -> set[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    expressions += [variable["definition"] for variable in dashboard["templating"]["list"]
                    if "definition" in variable]
    return {name for expr in expressions
            for name in re.findall(r"\b((?:markcap|process)_[a-z_]+)\b", expr)}


def test_every_metric_on_the_dashboard_is_exported(seed2_run):
    _, samples, _ = seed2_run
    exported = {name for name, _ in samples}
    used = _dashboard_metric_names()
    assert len(used) >= 12
    assert used <= exported, f"on the dashboard, not exported: {sorted(used - exported)}"


def test_every_markcap_metric_is_on_the_dashboard(seed2_run):
    _, samples, _ = seed2_run
    exported = {re.sub(r"_(total|bucket|count|sum|created)$", "", name) for name, _ in samples
                if name.startswith("markcap_")}
    used = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in _dashboard_metric_names()}
    assert exported <= used, f"exported, not on the dashboard: {sorted(exported - used)}"
