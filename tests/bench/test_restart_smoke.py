"""bench/restart.py at a tiny size: kill -9, restart, SERVING, the phases from the server's log,
and the worst case's tail replayed. No timing is asserted."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.restart import tail_requests
from bench.remote import stream_requests
from bench.workload import generate

REPO_ROOT = Path(__file__).resolve().parents[2]
RESTART_SECONDS = 120


def test_the_tail_repeats_the_fill_batches_at_new_seqs_cut_to_the_fill_count():
    requests, deposit_batches = stream_requests(generate("tiny", seed=2), 1000)
    tail = tail_requests(requests, 50, 2500)
    assert [r.seq for r in tail] == [50, 51, 52]
    assert [len(r.fills.qty) for r in tail] == [1000, 1000, 500]
    assert not any(len(r.transfers.amount) for r in tail)
    assert list(tail[0].fills.qty) == list(requests[deposit_batches].fills.qty)


@pytest.mark.timeout(RESTART_SECONDS + 30)
def test_the_restart_bench_runs_and_replays_the_tail(tmp_path):
    # Its own session: on a timeout the bench and the servers it started are killed by its pid.
    bench = subprocess.Popen(
        [sys.executable, "-m", "bench.restart", "--size", "tiny", "--runs", "1", "--tail-fills", "5000",
         "--server-arg=--snapshot-every-fills=1000000", "--dir", str(tmp_path)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = bench.communicate(timeout=RESTART_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(bench.pid, signal.SIGKILL)
        bench.communicate()
        raise
    done = subprocess.CompletedProcess(bench.args, bench.returncode, stdout, stderr)
    rows = {match.group(1): match.group(2).split()
            for match in re.finditer(r"^(median after load|median worst case)\s+(.+)$", done.stdout, re.M)}
    assert set(rows) == {"median after load", "median worst case"}, done.stdout
    # seconds, read, primary, derived, replay, other, then the inputs replayed
    for cells in rows.values():
        assert len(cells) == 7 and all(cell != "-" for cell in cells), done.stdout
    assert int(rows["median worst case"][6]) == 2  # 5,000 fills of tiny's batches of 4096
    assert int(rows["median after load"][6]) >= 1
