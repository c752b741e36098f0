"""Load test (`make load`): one StreamDeltas stream at full rate plus concurrent
unary clients against a markcap-server of its own, for a fixed time.

    python -m bench.load                     # 20 s, 8 unary clients
    python -m bench.load --duration 600      # the 10-minute soak
    python -m bench.load --server-arg=--in-memory   # without persistence

The server runs on 127.0.0.1 port 0, with a fresh data dir in --out unless
--server-arg says otherwise, and is stopped by its pid at the end. The
stream sends pre-built batches of zero-sum fills as fast as flow control lets
it; each unary client loops over ApplyMark (marks wandering within ±0.5% of the
start, so caps stay rare), dry runs, GetAccount, GetBankruptcyBand, GetAdlQueue
and GetStatus. Every call has a deadline, and the whole run is bounded by
--duration plus a grace period. Reports errors by call and status, latency
percentiles per call (as the client sees them: including this process's own
GIL contention), fills/s, and the server's RSS every second; writes
report.json and, with matplotlib (`pip install -e '.[load]'`), load.png.
Exit code: 0 when no call failed, 1 otherwise, 2 when the server did not start.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import numpy as np

from markcap.client.grid import nearest_price
from markcap.v1 import risk_engine_pb2 as pb, risk_engine_pb2_grpc as pb_grpc

from bench.server import BenchServer

CALL_SECONDS = 10.0          # deadline of each unary call
GRACE_SECONDS = 30.0         # the stream's deadline beyond --duration

BATCH_POOL = 16              # distinct pre-built StreamDeltas batches, sent in turn
# Batches sent but not yet acknowledged: enough to keep the server busy, few
# enough that an acknowledgement's latency is not mostly queueing in the pipe.
IN_FLIGHT_BATCHES = 4
MARK_BAND = 0.005            # marks move within ±0.5% of their start
PERCENTILES = (50, 90, 99, 99.9)
# Unary calls and their weights in each client's mix.
OPERATIONS = (("ApplyMark", 3), ("ApplyMark dry run", 1), ("GetAccount", 3),
              ("GetBankruptcyBand", 1), ("GetAdlQueue", 1), ("GetStatus", 1))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0,
                        help="seconds of load (default %(default)s; 600 for the soak)")
    parser.add_argument("--unary-clients", type=int, default=8,
                        help="concurrent unary clients (default %(default)s)")
    parser.add_argument("--accounts", type=int, default=2000,
                        help="trading accounts (default %(default)s)")
    parser.add_argument("--batch-fills", type=int, default=1000,
                        help="fills per StreamDeltas batch (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("build/load"),
                        help="directory for report.json and load.png (default %(default)s)")
    parser.add_argument("--no-plot", action="store_true", help="skip load.png")
    parser.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                        help="extra markcap-server argument, e.g. --server-arg=--data-dir=DIR")
    return parser.parse_args(argv)


# ---- the server -------------------------------------------------------------

LoadServer = BenchServer  # markcap-server on 127.0.0.1:0, stopped by its pid


# ---- what is measured -------------------------------------------------------

@dataclass
class Measurements:
    """Samples per thread (appends without locks), merged at the end."""

    started: float = field(default_factory=time.monotonic)
    calls: list[list[tuple[float, str, float]]] = field(default_factory=list)  # (t, op, s)
    errors: Counter = field(default_factory=Counter)                          # "op CODE"
    fills_acked: int = 0
    batch_latencies: list[float] = field(default_factory=list)
    timeline: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def thread_log(self) -> list[tuple[float, str, float]]:
        log: list[tuple[float, str, float]] = []
        with self.lock:
            self.calls.append(log)
        return log

    def error(self, op: str, error: grpc.RpcError) -> None:
        with self.lock:
            self.errors[f"{op} {error.code().name}: {error.details()}"[:200]] += 1


# ---- the load -----------------------------------------------------------------

def seed_accounts(stub, accounts: int) -> None:
    """Deposits 10^6 USD for each trader 1..accounts (account 0 is the fund)."""
    ids = list(range(1, accounts + 1))
    request = pb.StreamDeltasRequest(transfers=pb.TransferColumns(
        account_id=ids, currency_id=[1] * len(ids), amount=[1e6] * len(ids)))
    list(stub.StreamDeltas(iter([request]), timeout=CALL_SECONDS))


def fill_batches(marks: dict[int, float], ticks: dict[int, float], accounts: int, fills: int,
                 rng: random.Random) -> list[pb.StreamDeltasRequest]:
    """BATCH_POOL batches of fills//2 zero-sum pairs at prices near the marks."""
    batches = []
    for _ in range(BATCH_POOL):
        columns = pb.FillColumns()
        for _ in range(max(1, fills // 2)):
            instrument = rng.choice(list(marks))
            buyer, seller = rng.sample(range(1, accounts + 1), 2)
            qty = rng.randint(1, 3)
            price = nearest_price(marks[instrument] * (1 + rng.uniform(-1e-3, 1e-3)), ticks[instrument])
            columns.account_id.extend((buyer, seller))
            columns.instrument_id.extend((instrument, instrument))
            columns.qty.extend((qty, -qty))
            columns.price.extend((price, price))
        batches.append(pb.StreamDeltasRequest(fills=columns))
    return batches


def stream_at_full_rate(stub, batches, deadline: float, measured: Measurements) -> None:
    """One StreamDeltas stream, IN_FLIGHT_BATCHES ahead of the acknowledgements;
    ack latency is send-to-acknowledgement, FIFO."""
    sent: deque[float] = deque()
    window = threading.Semaphore(IN_FLIGHT_BATCHES)

    def requests():
        index = 0
        while time.monotonic() < deadline:
            if not window.acquire(timeout=CALL_SECONDS):
                return  # no acknowledgement for that long: the call's error says why
            sent.append(time.perf_counter())
            yield batches[index % len(batches)]
            index += 1

    call = stub.StreamDeltas(requests(), timeout=deadline - time.monotonic() + GRACE_SECONDS)
    try:
        for ack in call:
            measured.batch_latencies.append(time.perf_counter() - sent.popleft())
            measured.fills_acked += ack.fill_count
            window.release()
    except grpc.RpcError as error:
        measured.error("StreamDeltas", error)


def unary_client(stub, marks: dict[int, float], ticks: dict[int, float], accounts: int,
                 deadline: float,
                 measured: Measurements, rng: random.Random) -> None:
    log = measured.thread_log()
    names = [name for name, _ in OPERATIONS]
    weights = [weight for _, weight in OPERATIONS]
    instruments = list(marks)
    while time.monotonic() < deadline:
        op = rng.choices(names, weights)[0]
        instrument = rng.choice(instruments)
        price = nearest_price(marks[instrument] * (1 + rng.uniform(-MARK_BAND, MARK_BAND)),
                              ticks[instrument])
        dry_price = nearest_price(price * 1.05, ticks[instrument])
        calls = {
            "ApplyMark": lambda: stub.ApplyMark(pb.ApplyMarkRequest(
                instrument_id=instrument, price=price), timeout=CALL_SECONDS),
            "ApplyMark dry run": lambda: stub.ApplyMark(pb.ApplyMarkRequest(
                instrument_id=instrument, price=dry_price, dry_run=True), timeout=CALL_SECONDS),
            "GetAccount": lambda: stub.GetAccount(pb.GetAccountRequest(
                account_id=rng.randint(1, accounts)), timeout=CALL_SECONDS),
            "GetBankruptcyBand": lambda: stub.GetBankruptcyBand(pb.GetBankruptcyBandRequest(
                instrument_id=instrument), timeout=CALL_SECONDS),
            "GetAdlQueue": lambda: stub.GetAdlQueue(pb.GetAdlQueueRequest(
                instrument_id=instrument, side=pb.SIDE_LONG, limit=20), timeout=CALL_SECONDS),
            "GetStatus": lambda: stub.GetStatus(pb.GetStatusRequest(), timeout=CALL_SECONDS),
        }
        start = time.perf_counter()
        try:
            calls[op]()
        except grpc.RpcError as error:
            measured.error(op, error)
            continue
        log.append((time.monotonic(), op, time.perf_counter() - start))


def sample_every_second(server: LoadServer, measured: Measurements, deadline: float) -> None:
    """Timeline: RSS, fills acknowledged and unary calls done, once a second."""
    while True:
        now = time.monotonic()
        calls_done = sum(len(log) for log in measured.calls)
        measured.timeline.append({"t": round(now - measured.started, 3),
                                  "rss_bytes": server.rss_bytes(),
                                  "fills_acked": measured.fills_acked,
                                  "unary_calls": calls_done})
        if now >= deadline:
            return
        time.sleep(min(1.0, max(0.0, deadline - now)))


def run_load(server: LoadServer, args: argparse.Namespace) -> Measurements:
    rng = random.Random(args.seed)
    channel = grpc.insecure_channel(server.address)
    stub = pb_grpc.RiskEngineServiceStub(channel)
    instruments = stub.ListInstruments(pb.ListInstrumentsRequest(), timeout=CALL_SECONDS).instruments
    marks = {i.instrument_id: i.mark_price for i in instruments}
    ticks = {i.instrument_id: i.tick_size for i in instruments}
    seed_accounts(stub, args.accounts)
    batches = fill_batches(marks, ticks, args.accounts, args.batch_fills, rng)
    measured = Measurements()
    deadline = time.monotonic() + args.duration
    threads = [threading.Thread(target=stream_at_full_rate,
                                args=(stub, batches, deadline, measured), daemon=True),
               threading.Thread(target=sample_every_second, args=(server, measured, deadline),
                                daemon=True)]
    threads += [threading.Thread(target=unary_client,
                                 args=(stub, marks, ticks, args.accounts, deadline, measured,
                                       random.Random(args.seed * 1000 + i)), daemon=True)
                for i in range(args.unary_clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + GRACE_SECONDS + CALL_SECONDS)
    channel.close()
    return measured


# ---- the report ---------------------------------------------------------------

def latency_table(calls: list[tuple[float, str, float]]) -> dict[str, dict]:
    """Per call (and "all unary"): count and percentiles in milliseconds."""
    by_op: dict[str, list[float]] = {}
    for _, op, seconds in calls:
        by_op.setdefault(op, []).append(seconds)
        by_op.setdefault("all unary", []).append(seconds)
    table = {}
    for op, seconds in sorted(by_op.items()):
        values = np.asarray(seconds) * 1e3
        table[op] = {"count": len(values), "max_ms": float(values.max()),
                     **{f"p{p:g}_ms": float(np.percentile(values, p)) for p in PERCENTILES}}
    return table


def latency_per_second(calls: list[tuple[float, str, float]], started: float) -> list[dict]:
    """Unary p50 and p99 (ms) of the calls that ended in each whole second of the run."""
    if not calls:
        return []
    bins = np.floor(np.asarray([t for t, _, _ in calls]) - started).astype(int)
    values = np.asarray([s for _, _, s in calls]) * 1e3
    return [{"second": int(b), "count": int((bins == b).sum()),
             "p50_ms": float(np.percentile(values[bins == b], 50)),
             "p99_ms": float(np.percentile(values[bins == b], 99))} for b in np.unique(bins)]


def build_report(args: argparse.Namespace, measured: Measurements) -> dict:
    calls = [call for log in measured.calls for call in log]
    rss = [sample["rss_bytes"] for sample in measured.timeline if sample["rss_bytes"]]
    elapsed = measured.timeline[-1]["t"] if measured.timeline else args.duration
    batches = np.asarray(measured.batch_latencies or [float("nan")]) * 1e3
    return {
        "config": {"duration_s": args.duration, "unary_clients": args.unary_clients,
                   "accounts": args.accounts, "batch_fills": args.batch_fills,
                   "seed": args.seed, "server_args": args.server_arg,
                   "cpus": os.cpu_count()},
        "errors": dict(measured.errors), "error_count": sum(measured.errors.values()),
        "fills_acked": measured.fills_acked,
        "fills_per_second": measured.fills_acked / elapsed if elapsed else 0.0,
        "batches_acked": len(measured.batch_latencies),
        "batch_ack_ms": {f"p{p:g}": float(np.percentile(batches, p)) for p in PERCENTILES},
        "unary_latency": latency_table(calls),
        "rss_bytes": {"first": rss[0] if rss else 0, "last": rss[-1] if rss else 0,
                      "max": max(rss, default=0)},
        "timeline": measured.timeline,
        "unary_latency_per_second": latency_per_second(calls, measured.started),
    }


def print_report(report: dict) -> None:
    config = report["config"]
    print(f"markcap load: {config['duration_s']:g} s, 1 StreamDeltas stream of "
          f"{config['batch_fills']} fills/batch + {config['unary_clients']} unary clients, "
          f"{config['accounts']} accounts, {config['cpus']} CPUs")
    print(f"fills acknowledged: {report['fills_acked']} ({report['fills_per_second']:.0f}/s); "
          f"batch ack p50 {report['batch_ack_ms']['p50']:.1f} ms, "
          f"p99 {report['batch_ack_ms']['p99']:.1f} ms")
    print(f"{'call':<20}{'count':>8}" + "".join(f"{'p' + format(p, 'g'):>10}" for p in PERCENTILES)
          + f"{'max':>10}  (ms)")
    for op, row in report["unary_latency"].items():
        print(f"{op:<20}{row['count']:>8}"
              + "".join(f"{row[f'p{p:g}_ms']:>10.2f}" for p in PERCENTILES)
              + f"{row['max_ms']:>10.2f}")
    rss = report["rss_bytes"]
    print(f"server RSS: {rss['first'] / 2**20:.0f} MiB at start, {rss['last'] / 2**20:.0f} MiB "
          f"at end, {rss['max'] / 2**20:.0f} MiB max")
    print(f"errors: {report['error_count']}")
    for message, count in sorted(report["errors"].items(), key=lambda item: -item[1])[:10]:
        print(f"  {count} x {message}")


def plot(report: dict, path: Path) -> None:
    """RSS, throughput and unary latency (p50/p99 per second) over time."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot

    timeline = report["timeline"]
    seconds = [sample["t"] for sample in timeline]
    figure, (rss_axis, rate_axis, latency_axis) = pyplot.subplots(3, 1, figsize=(10, 10),
                                                                  sharex=True)
    rss_axis.plot(seconds, [s["rss_bytes"] / 2**20 for s in timeline])
    rss_axis.set_ylabel("server RSS (MiB)")
    steps = np.maximum(np.diff(seconds), 1e-9)
    rate_axis.plot(seconds[1:], np.diff([s["fills_acked"] for s in timeline]) / steps,
                   color="tab:blue")
    rate_axis.set_ylabel("fills/s", color="tab:blue")
    unary_axis = rate_axis.twinx()
    unary_axis.plot(seconds[1:], np.diff([s["unary_calls"] for s in timeline]) / steps,
                    color="tab:orange")
    unary_axis.set_ylabel("unary calls/s", color="tab:orange")
    per_second = report["unary_latency_per_second"]
    for p in (50, 99):
        latency_axis.plot([row["second"] + 0.5 for row in per_second],
                          [row[f"p{p}_ms"] for row in per_second], label=f"unary p{p}")
    latency_axis.set_ylabel("latency (ms)")
    latency_axis.set_xlabel("seconds")
    latency_axis.legend()
    figure.suptitle(f"markcap load: {report['config']['unary_clients']} unary clients + "
                    f"1 StreamDeltas stream; {report['error_count']} errors")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)


def server_arguments(args: argparse.Namespace) -> list[str]:
    """--server-arg values; unless they choose where state goes, a fresh data dir in --out."""
    if any(arg.split("=")[0] in ("--data-dir", "--in-memory") for arg in args.server_arg):
        return args.server_arg
    data_dir = args.out / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    return [*args.server_arg, "--data-dir", str(data_dir)]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        server = LoadServer(server_arguments(args), args.out)
    except RuntimeError as error:
        print(f"bench.load: {error}", file=sys.stderr)
        return 2
    try:
        measured = run_load(server, args)
    finally:
        exit_code = server.stop()
    report = build_report(args, measured)
    report["server_exit_code"] = exit_code
    (args.out / "report.json").write_text(json.dumps(report, indent=1))
    print_report(report)
    if not args.no_plot:
        try:
            plot(report, args.out / "load.png")
            print(f"plot: {args.out / 'load.png'}")
        except ImportError:
            print("plot skipped: matplotlib is not installed (pip install -e '.[load]')")
    print(f"report: {args.out / 'report.json'}")
    return 0 if report["error_count"] == 0 and exit_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
