"""Restart after kill -9: how long until the health check says SERVING again.

    .venv/bin/python -m bench.restart --size 1M [--runs 2] [--tail-fills N] [--server-arg=...]

Per run, on a new durable data dir in a temp dir (markcap-server on 127.0.0.1):

1. "after the load": start a server with the default snapshot policy (plus
   --server-arg), stream exchange-SIZE through StreamDeltas (batches of 4096),
   kill -9 it by pid, restart it on the same data dir and time from the
   restart's exec to the first SERVING answer of the gRPC health check.
2. "worst case" (with --tail-fills N > 0): stop that server gracefully (its last
   snapshot is written), start it with every snapshot trigger off, stream N more
   fills (the workload's fill batches again, at new seqs) so that the journal
   holds N fills past the newest snapshot, kill -9, restart with the default
   policy and time it as in 1. `--tail-fills auto`: the most fills the policy
   lets lie past the newest snapshot on disk, 2F plus one batch (inputs wait for
   a snapshot write beyond that: service/snapshotter.py).

Each restart's phases come from the server's own "restore phases" log line:
snapshot read, primary state, derived structures, journal replay; "process" is
the rest (interpreter start, imports, config, gRPC setup). Prints the
configuration, each run and the medians over runs.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from markcap.service.persistence import DEFAULT_SNAPSHOT_EVERY_FILLS

from .remote import RemoteExchange, stream_requests
from .server import BenchServer, config_arguments, server_command
from .workload import BATCH_SIZE, generate

SERVING_SECONDS = 900.0  # a restart slower than this is reported as a failure
POLL_SECONDS = 0.005
PHASES = re.compile(r"restore phases: snapshot read ([\d.]+) s, primary state ([\d.]+) s, "
                    r"derived structures ([\d.]+) s, replay ([\d.]+) s")
REPLAYED = re.compile(r"then (\d+) journaled input\(s\) replayed")
SNAPSHOT_WRITTEN = re.compile(r"snapshot at seq \d+ written in ([\d.]+) s")
CHANNEL_OPTIONS = (("grpc.initial_reconnect_backoff_ms", 5), ("grpc.min_reconnect_backoff_ms", 5),
                   ("grpc.max_reconnect_backoff_ms", 20))
NO_SNAPSHOTS = ["--snapshot-every-fills=0", "--snapshot-every-inputs=0", "--snapshot-every-seconds=0"]


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def tail_requests(requests: list, first_seq: int, fills: int) -> list:
    """Fill batches of `requests` again (cyclically), at seqs from `first_seq`, `fills` fills in all
    (the last batch cut to fit; the engine takes fills that do not net to zero too)."""
    batches = [r for r in requests if len(r.fills.qty)]
    tail, count = [], 0
    while count < fills:
        request = type(batches[0])()
        request.CopyFrom(batches[len(tail) % len(batches)])
        request.seq = first_seq + len(tail)
        keep = min(len(request.fills.qty), fills - count)
        for column in (request.fills.account_id, request.fills.instrument_id,
                       request.fills.qty, request.fills.price):
            del column[keep:]
        tail.append(request)
        count += keep
    return tail


def timed_restart(arguments: list[str], address: str, workdir: Path) -> dict:
    """Starts markcap-server listening on `address`; seconds until the health check says SERVING,
    and the phases of its restore (from its log). Returns with the server still running."""
    stderr_path = workdir / f"restart-{time.monotonic_ns()}.stderr"
    with open(stderr_path, "w") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(server_command() + ["--listen", address, *arguments],
                                   stdout=subprocess.DEVNULL, stderr=stderr)
    channel = grpc.insecure_channel(address, options=CHANNEL_OPTIONS)
    health = health_pb2_grpc.HealthStub(channel)
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the restarted server exited {process.returncode}:\n"
                                   f"{stderr_path.read_text(errors='replace')}")
            if time.perf_counter() - started > SERVING_SECONDS:
                raise RuntimeError(f"not SERVING within {SERVING_SECONDS:.0f} s")
            try:
                answer = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=0.5)
                if answer.status == health_pb2.HealthCheckResponse.SERVING:
                    break
            except grpc.RpcError:
                pass
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - started
    except BaseException:
        _kill(process)
        raise
    finally:
        channel.close()
    log = stderr_path.read_text(errors="replace")
    phases = PHASES.search(log)
    replayed = REPLAYED.search(log)
    result = {"process": process, "seconds": seconds,
              "replayed_inputs": int(replayed.group(1)) if replayed else None}
    if phases:
        read, primary, derived, replay = (float(value) for value in phases.groups())
        result.update(read=read, primary=primary, derived=derived, replay=replay,
                      other=seconds - read - primary - derived - replay)
    return result


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM by pid (the last snapshot is written), SIGKILL if it does not end in time."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            _kill(process)


def one_run(workload, requests, deposit_batches, tail_fills: str, server_args: list[str],
            root: Path) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=root))
    config_path = workdir / "exchange.toml"
    config_path.write_text(workload.config_toml)
    arguments = config_arguments(config_path, workdir) + server_args
    results = {}
    server = BenchServer(arguments, workdir)
    try:
        remote = RemoteExchange(server.address)
        ingestion = remote.ingest(requests, deposit_batches)
        remote.close()
        results["ingest_seconds"] = ingestion.seconds_total
        results["fills_per_second"] = ingestion.fills_per_second
        _progress(f"streamed {ingestion.batches} batches in {ingestion.seconds_total:.1f} s; kill -9 "
                  f"pid {server.pid}")
    finally:
        _kill(server.process)
    written = [float(seconds) for seconds in SNAPSHOT_WRITTEN.findall(server.stderr_text())]
    results["snapshots_during_load"] = len(written)
    results["snapshot_seconds_max"] = max(written, default=0.0)
    address = server.address
    running: list[subprocess.Popen] = []  # killed by pid, whatever goes wrong
    try:
        restarted = timed_restart(arguments, address, workdir)
        running.append(restarted.pop("process"))
        results["after_load"] = restarted
        _progress(f"after the load: SERVING in {restarted['seconds']:.2f} s")
        if tail_fills == "auto":
            every = _every_fills(server_args)
            tail_fills = every and 2 * every + BATCH_SIZE  # the most back-pressure lets lie past the disk
        else:
            tail_fills = int(tail_fills)
        results["tail_fills"] = tail_fills
        if tail_fills:
            _stop(running.pop())
            quiet = timed_restart(arguments + NO_SNAPSHOTS, address, workdir)
            running.append(quiet.pop("process"))
            remote = RemoteExchange(address)
            tail = tail_requests(requests, len(requests) + 1, tail_fills)
            remote.ingest(tail, 0)
            remote.close()
            _progress(f"streamed {sum(len(r.fills.qty) for r in tail):,} fills past the snapshot in "
                      f"{len(tail)} batches; kill -9 pid {running[-1].pid}")
            _kill(running.pop())
            restarted = timed_restart(arguments, address, workdir)
            running.append(restarted.pop("process"))
            results["worst_case"] = restarted
            _progress(f"worst case: SERVING in {restarted['seconds']:.2f} s")
        _stop(running.pop())
    finally:
        for process in running:
            _kill(process)
    return results


def _every_fills(server_args: list[str]) -> int:
    """The --snapshot-every-fills the server runs with."""
    for argument in server_args:
        if argument.startswith("--snapshot-every-fills="):
            return int(argument.split("=", 1)[1])
    return DEFAULT_SNAPSHOT_EVERY_FILLS


COLUMNS = ("seconds", "read", "primary", "derived", "replay", "other")


def _row(name: str, result: dict) -> str:
    cells = [f"{result[c]:8.2f}" if c in result else f"{'-':>8}" for c in COLUMNS]
    return f"{name:28} {' '.join(cells)} {result.get('replayed_inputs')!s:>9}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.restart", description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="1M", help="tiny, 10k, 100k, 1M or an account count")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--tail-fills", default="0", metavar="N|auto",
                        help="the worst case: N fills journaled past the newest snapshot (0: skip); "
                             "auto: the most the policy lets lie past it, twice its F "
                             "(--snapshot-every-fills) plus one batch")
    parser.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                        help="an extra markcap-server argument (repeatable; --server-arg=--flag)")
    parser.add_argument("--dir", type=Path, help="where the data dirs go (default: a temp dir)")
    args = parser.parse_args(argv)
    print(f"markcap restart benchmark: exchange-{args.size} seed {args.seed}, batches of "
          f"{BATCH_SIZE}, {args.runs} run(s), tail {args.tail_fills} fills, server args "
          f"{args.server_arg or 'none (default policy)'}; python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
          flush=True)
    _progress(f"generating exchange-{args.size}")
    workload = generate(args.size, args.seed)
    requests, deposit_batches = stream_requests(workload, BATCH_SIZE)
    runs = []
    with tempfile.TemporaryDirectory(prefix="markcap-bench-restart-", dir=args.dir) as root:
        for number in range(args.runs):
            _progress(f"run {number + 1} of {args.runs}")
            runs.append(one_run(workload, requests, deposit_batches, args.tail_fills,
                                args.server_arg, Path(root)))
    print(f"\n{'seconds to SERVING':28} {' '.join(f'{c:>8}' for c in COLUMNS)} {'replayed':>9}")
    for number, run in enumerate(runs, 1):
        for case in ("after_load", "worst_case"):
            if case in run:
                print(_row(f"run {number} {case.replace('_', ' ')}", run[case]))
    for case in ("after_load", "worst_case"):
        if case in runs[0]:
            median = {c: statistics.median(run[case][c] for run in runs)
                      for c in COLUMNS if c in runs[0][case]}
            median["replayed_inputs"] = runs[0][case]["replayed_inputs"]
            print(_row(f"median {case.replace('_', ' ')}", median))
    ingest = statistics.median(run["ingest_seconds"] for run in runs)
    print(f"ingestion (median): {ingest:.2f} s, "
          f"{statistics.median(run['fills_per_second'] for run in runs):,.0f} fills/s, "
          f"snapshots during it {[run['snapshots_during_load'] for run in runs]}, the slowest "
          f"(copy + write) {max(run['snapshot_seconds_max'] for run in runs):.2f} s; tails "
          f"{[run['tail_fills'] for run in runs]} fills; "
          f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
