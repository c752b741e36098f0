"""A fair-price update of every instrument: one ApplyMarks call against one ApplyMark per instrument.

    .venv/bin/python -m bench.mark_lists [--size 100k] [--rounds 30] [--persistence durable|in-memory]

Starts markcap-server on 127.0.0.1:0 with exchange-N streamed in, then alternates rounds:
every instrument's mark moved by a normal move (the same seeded moves as `make bench`) in
one ApplyMarks call, and the same kind of round as one ApplyMark call per instrument. Prints
the median and p90 of a round's wall time for each, and their ratio.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from markcap.v1 import risk_engine_pb2 as pb

from .marks import MarkPlan
from .remote import CALL_SECONDS, RemoteExchange, stream_requests
from .server import BenchServer, PERSISTENCE_MODES, config_arguments
from .workload import BATCH_SIZE, config_toml, generate


def alternate_rounds(remote: RemoteExchange, plan: MarkPlan, instruments: list[int],
                     rounds: int) -> tuple[list[float], list[float]]:
    """`rounds` pairs of rounds: every instrument's normal move in one ApplyMarks call, then in
    one ApplyMark call each; returns the wall seconds of each round of either kind."""
    together, apart = [], []
    for _ in range(rounds):
        moves = [plan.normal(i) for i in instruments]
        start = time.perf_counter()
        response = remote.stub.ApplyMarks(pb.ApplyMarksRequest(marks=[
            pb.MarkRequest(instrument_id=m.instrument_id, price=m.price) for m in moves]),
            timeout=CALL_SECONDS)
        together.append(time.perf_counter() - start)
        for outcome in response.outcomes:
            plan.observe(outcome.instrument_id, outcome.applied_price)
        moves = [plan.normal(i) for i in instruments]
        start = time.perf_counter()
        outcomes = [remote.stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=m.instrument_id, price=m.price),
                                          timeout=CALL_SECONDS) for m in moves]
        apart.append(time.perf_counter() - start)
        for outcome in outcomes:
            plan.observe(outcome.instrument_id, outcome.applied_price)
    return together, apart


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--persistence", choices=PERSISTENCE_MODES, default="durable")
    args = parser.parse_args()
    workload = generate(args.size, seed=1)
    workdir = Path(tempfile.mkdtemp())
    config = workdir / "exchange.toml"
    config.write_text(config_toml(workload.instruments))
    plan = MarkPlan(workload, seed=1)
    instruments = [int(i) for i in workload.instruments.instrument_id.tolist()]
    with BenchServer(config_arguments(config, workdir, args.persistence), workdir) as server:
        remote = RemoteExchange(server.address)
        remote.ingest(*stream_requests(workload, BATCH_SIZE))
        together, apart = alternate_rounds(remote, plan, instruments, args.rounds)
        remote.close()
    for label, seconds in ((f"one ApplyMarks of {len(instruments)} marks", together),
                           (f"{len(instruments)} ApplyMark calls", apart)):
        print(f"{label:<32} p50 {np.median(seconds) * 1e3:8.2f} ms   p90 {np.percentile(seconds, 90) * 1e3:8.2f} ms")
    print(f"ratio (p50, one call / single calls): {np.median(together) / np.median(apart):.2f}x "
          f"({args.size}, {args.persistence}, {args.rounds} rounds each, alternating)")


if __name__ == "__main__":
    main()
