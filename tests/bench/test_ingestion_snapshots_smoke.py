"""bench/ingestion_snapshots.py at a tiny size, with snapshots every 1,000 fills of work:
both loads run, and the default one counts the snapshots the server logged."""
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SECONDS = 120


@pytest.mark.timeout(SECONDS + 30)
def test_the_snapshot_cost_bench_runs_both_loads_and_reads_the_snapshot_lines():
    # Its own session: on a timeout the bench and the servers it started are killed by its pid.
    bench = subprocess.Popen(
        [sys.executable, "-m", "bench.ingestion_snapshots", "--size", "tiny",
         "--server-arg=--snapshot-every-fills=1000"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = bench.communicate(timeout=SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(bench.pid, signal.SIGKILL)
        bench.communicate()
        raise
    assert bench.returncode == 0, stderr
    default = re.search(r"default snapshot policy: ([0-9,]+) fills/s; ([0-9]+) snapshots", stdout)
    assert default and int(default.group(2)) > 0, stdout
    assert re.search(r"--snapshot-every-fills 0: [0-9,]+ fills/s$", stdout, re.M), stdout
