"""The load command (issue 6 item 6), as a short smoke run: bench.load for a few
seconds against its own server on 127.0.0.1, with no errors, every call kind
measured, RSS sampled and the plot written. The real runs are `make load`
(20 s) and `make load DURATION=600` (the soak), outside CI."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SMOKE_SECONDS = 3
CALLS = {"ApplyMark", "ApplyMark dry run", "GetAccount", "GetBankruptcyBand", "GetAdlQueue",
         "GetStatus"}


def test_a_short_load_run_reports_latency_rss_and_no_errors(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bench.load", "--duration", str(SMOKE_SECONDS),
         "--accounts", "200", "--batch-fills", "200", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["error_count"] == 0 and report["server_exit_code"] == 0
    assert report["config"]["unary_clients"] == 8
    assert report["fills_acked"] > 0 and report["fills_acked"] % 200 == 0
    latency = report["unary_latency"]
    assert CALLS <= set(latency)
    assert latency["all unary"]["count"] == sum(latency[call]["count"] for call in CALLS)
    for call in CALLS:
        row = latency[call]
        assert row["count"] > 0
        assert 0 < row["p50_ms"] <= row["p90_ms"] <= row["p99_ms"] <= row["max_ms"]
    assert len(report["timeline"]) >= SMOKE_SECONDS
    assert all(sample["rss_bytes"] > 0 for sample in report["timeline"])
    assert (tmp_path / "load.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "errors: 0" in result.stdout
