"""`make bench SIZE=100k`: the whole benchmark, one table, results as JSON.

    python -m bench.run --size 100k [--seed 1] [--out bench/results/100k.json]

Steps: generate exchange-<size>; start markcap-server on 127.0.0.1:0 with its
config; read the empty server's RSS; load the workload through ONE StreamDeltas
stream; read the RSS again; load the same batches into an in-process Engine;
time it against exchange-N/10 (scaling probe); replay the workload into the
naive pure-Python exchange and check it against the engine; time no-op RPCs; run the mark phases (each ApplyMark over gRPC, then on
the engine), the ApplyMarks rounds and the crash previews (bench/crash_phases.py); stop
the server by its pid; run the crashes on fresh engines; print the table; write the JSON.
"""
from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from markcap.engine import MarkRequest as EngineMarkRequest

from . import crash_phases, machine, naive, scaling
from .local import LocalExchange
from .mark_lists import alternate_rounds
from .marks import JUMP, MarkPlan
from .phases import PhaseResult, run_phase
from .remote import RemoteExchange, stream_requests
from .report import NOOP_KEY, render
from .server import PERSISTENCE_MODES, BenchServer, config_arguments
from .settings import Settings
from .stats import Summary
from .workload import BATCH_SIZE, Workload, generate

RESULTS_DIR = Path(__file__).resolve().parent / "results"
NAIVE_AGREEMENT = 1e-9  # relative: the naive loop sums in another order than the engine


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="100k", help="tiny, 10k, 100k, 1M or an account count")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--persistence", choices=PERSISTENCE_MODES, default="durable",
                        help="durable: journal and snapshots in a temporary data dir, the server's "
                             "default policies (default); in-memory: no persistence")
    parser.add_argument("--out", type=Path, help="JSON results (default bench/results/<size>.json)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds like an error, so the server is stopped and the temp dir removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    settings = Settings.for_size(args.size)
    started = time.perf_counter()
    results, problems = run(args.size, args.seed, settings, args.persistence)
    results["configuration"]["bench wall time"] = f"{time.perf_counter() - started:.0f} s"
    results["problems"] = problems
    print(render(results), flush=True)
    out = args.out or RESULTS_DIR / f"{args.size}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nresults written to {out}")
    return 1 if problems else 0


def progress(message: str) -> None:
    """One line per step on stderr, so a long run shows where it is."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(size: str, seed: int, settings: Settings, persistence: str) -> tuple[dict, list[str]]:
    """Runs every step; returns the results and the problems found (disagreements)."""
    progress(f"generating exchange-{size} (seed {seed})")
    generate_start = time.perf_counter()
    workload = generate(size, seed)
    generate_seconds = time.perf_counter() - generate_start
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="markcap-bench-") as workdir:
        config_path = Path(workdir) / "exchange.toml"
        config_path.write_text(workload.config_toml)
        with BenchServer(config_arguments(config_path, Path(workdir), persistence), Path(workdir)) as server:
            remote = RemoteExchange(server.address)
            try:
                progress(f"server pid {server.pid} on {server.address}; "
                         f"streaming {len(workload.fills):,} fills")
                ingestion, memory = _load_server(server, remote, workload, problems)
                progress("loading the in-process engine")
                local = LocalExchange(config_path)
                engine_fills, engine_seconds = local.ingest(workload, BATCH_SIZE)
                progress("scaling probe: the engine at N and at N/10")
                growth = scaling.probe(workload, local, config_path, settings.scaling_samples,
                                       settings.warmup, settings.scaling_budget_seconds)
                progress("naive baseline")
                naive_results = _naive(workload, local, settings, problems)
                progress("no-op RPCs")
                noop = _noops(remote, settings)
                phases, mark_lists, previews = _mark_phases(workload, seed, remote, local, settings, problems)
            finally:
                remote.close()
    del local
    crashes = crash_phases.fresh_crashes(workload, seed, progress)
    paired = [sample for phase in phases for sample in phase.noop]
    results = {
        "configuration": machine.configuration(workload, settings, server.address, persistence),
        "ingestion": {**dataclasses.asdict(ingestion), "fills_per_second": ingestion.fills_per_second,
                      "engine_only_fills_per_second": engine_fills / engine_seconds,
                      "generate_seconds": generate_seconds},
        "memory": memory,
        "noop": {NOOP_KEY: vars(Summary.of(paired)), **noop},
        "phases": {phase.name: _phase_json(phase) for phase in phases},
        "naive": naive_results,
        "mark_lists": mark_lists,
        "crash": {"fresh": crashes, "preview": previews},
        "scaling": growth,
    }
    if naive_results:
        naive_results["engine_reference_p50_us"] = results["phases"]["normal_popular"]["engine"]["p50_us"]
        naive_results["ratio"] = naive_results["samples"]["p50_us"] / naive_results["engine_reference_p50_us"]
    problems += _phase_problems(phases)
    return results, problems


def _load_server(server: BenchServer, remote: RemoteExchange, workload: Workload,
                 problems: list[str]):
    """Streams the workload; returns the ingestion and the RSS figures."""
    for _ in range(20):  # let the server's threads and arenas come up before the baseline
        remote.list_currencies()
    baseline = server.rss_bytes()
    requests, deposit_batches = stream_requests(workload, BATCH_SIZE)
    ingestion = remote.ingest(requests, deposit_batches)
    del requests
    gc.collect()
    loaded = server.rss_bytes()
    _, status = remote.get_status()
    expected = (workload.account_count, len(workload.positions))
    if (status.account_count, status.position_count) != expected:
        problems.append(f"server holds {status.account_count} accounts and {status.position_count} "
                        f"positions; the workload has {expected[0]} and {expected[1]}")
    memory = {"baseline_rss_bytes": baseline, "loaded_rss_bytes": loaded,
              "open_positions": len(workload.positions),
              "bytes_per_position": (loaded - baseline) / len(workload.positions)}
    return ingestion, memory


def _naive(workload: Workload, local: LocalExchange, settings: Settings, problems: list[str]) -> dict:
    """Builds the naive exchange, checks its FBPs against engine dry runs, times it."""
    if settings.naive_samples == 0:
        return {}
    start = time.perf_counter()
    exchange = naive.build(workload)
    build_seconds = time.perf_counter() - start
    checks = []
    for instrument_id in (workload.most_popular_instrument_id, 2, 5):
        for direction in (1.0, -1.0):
            requested = exchange.mark[instrument_id - 1] * (1.0 + direction * JUMP)
            naive_fbp = naive.first_bankruptcy_price(exchange, instrument_id - 1, requested)
            _, outcome = local.apply_mark(instrument_id, requested, dry_run=True)
            engine_fbp = outcome.first_bankruptcy_price
            agrees = (naive_fbp is None) == (engine_fbp is None) and (
                naive_fbp is None or abs(naive_fbp - engine_fbp) <= NAIVE_AGREEMENT * abs(engine_fbp))
            checks.append({"instrument_id": instrument_id, "requested": requested,
                           "naive_fbp": naive_fbp, "engine_fbp": engine_fbp, "agrees": agrees})
            if not agrees:
                problems.append(f"naive FBP {naive_fbp} != engine FBP {engine_fbp} "
                                f"(instrument {instrument_id}, requested {requested})")
    popular = workload.most_popular_instrument_id - 1
    seconds = []
    for _ in range(settings.naive_samples):
        start = time.perf_counter()
        naive.first_bankruptcy_price(exchange, popular, exchange.mark[popular] * 1.005)
        seconds.append(time.perf_counter() - start)
    return {"build_seconds": build_seconds, "checks": checks, "samples": vars(Summary.of(seconds))}


def _noops(remote: RemoteExchange, settings: Settings) -> dict:
    """Stand-alone figures, the three calls in turn with nothing else between them:
    ListCurrencies, health Check, and GetStatus (not a no-op: it hashes the state)."""
    calls = {"ListCurrencies, back to back": (remote.list_currencies, settings.noop_samples),
             "health Check, back to back": (remote.health_check, settings.noop_samples),
             "GetStatus (its state hash is O(N))": (remote.get_status, settings.status_samples)}
    seconds: dict[str, list[float]] = {name: [] for name in calls}
    for round_number in range(settings.warmup + settings.noop_samples):
        for name, (call, samples) in calls.items():
            if round_number < settings.warmup + samples:
                elapsed, _ = call()
                if round_number >= settings.warmup:
                    seconds[name].append(elapsed)
    return {name: vars(Summary.of(values)) for name, values in seconds.items()}


def _mark_phases(workload: Workload, seed: int, remote: RemoteExchange, local: LocalExchange,
                 settings: Settings, problems: list[str]) -> tuple[list[PhaseResult], dict, dict]:
    """Each book's first query after the load (one dry-run normal move per instrument, so the
    later phases measure books already queried), normal moves, the ApplyMarks rounds, the crash
    previews (dry runs), dry-run jumps, then real jumps. The real jumps have no warm-up of
    their own (the dry runs just before ran the same code path), so the first
    jump, which makes the thin fund insolvent and deleverages it, is recorded."""
    plan = MarkPlan(workload, seed)
    books = len(plan.instrument_ids)
    normal = (("first_query_per_book", plan.each_book_once(), books, 0),
              ("normal_popular", plan.normal_popular, settings.normal_samples, settings.warmup),
              ("normal_random", plan.normal_random, settings.normal_samples, settings.warmup))
    jumps = (("jump_dry_run", plan.dry_run_jump, settings.dry_run_jump_samples, settings.warmup),
             ("jump", plan.jump, settings.jump_samples, 0))
    results = [_run_phase(phase, plan, remote, local, settings) for phase in normal]
    progress(f"ApplyMarks rounds ({settings.mark_list_rounds} of each kind)")
    mark_lists = _mark_list_rounds(plan, remote, local, settings.mark_list_rounds, problems)
    progress("crash previews (sweep dry runs), server and engine")
    previews = crash_phases.preview_crashes(workload, seed, remote, local, problems)
    results += [_run_phase(phase, plan, remote, local, settings) for phase in jumps]
    return results, mark_lists, previews


def _run_phase(phase, plan: MarkPlan, remote: RemoteExchange, local: LocalExchange,
               settings: Settings) -> PhaseResult:
    name, next_request, samples, warmup = phase
    progress(f"mark phase {name}")
    return run_phase(name, next_request, plan, remote, local, samples, warmup, settings.phase_budget_seconds)


def _mark_list_rounds(plan: MarkPlan, remote: RemoteExchange, local: LocalExchange, rounds: int,
                      problems: list[str]) -> dict:
    """Every instrument's normal move in one ApplyMarks call against one ApplyMark call each
    (server only); the engine is then given the same marks, so later phases see one state."""
    instruments = sorted(plan.instrument_ids)
    together, apart = alternate_rounds(remote, plan, instruments, rounds)
    engine = local.engine
    outcome = engine.apply_marks(engine.applied_seq + 1,
                                 [EngineMarkRequest(i, plan.current[i]) for i in instruments])
    moved = [(o.instrument_id, o.applied_price) for o in outcome.outcomes]
    if moved != [(i, plan.current[i]) for i in instruments] or any(o.liquidations for o in outcome.outcomes):
        problems.append("ApplyMarks rounds: the engine did not follow the server's marks without a liquidation")
    return {"instruments": len(instruments), "rounds": rounds,
            "one_call": vars(Summary.of(together)), "single_calls": vars(Summary.of(apart)),
            "ratio": float(np.median(together) / np.median(apart))}


def _phase_json(phase: PhaseResult) -> dict:
    return {"end_to_end": vars(Summary.of(phase.end_to_end)), "engine": vars(Summary.of(phase.engine)),
            "noop": vars(Summary.of(phase.noop)), "warmup": phase.warmup, "capped": phase.capped,
            "liquidations": phase.liquidations, "adl_fills": phase.adl_fills,
            "mismatches": phase.mismatches, "stopped_by_budget": phase.stopped_by_budget}


def _phase_problems(phases: list[PhaseResult]) -> list[str]:
    problems = [f"{phase.name}: server and engine disagree: {mismatch}"
                for phase in phases for mismatch in phase.mismatches[:5]]
    for phase in phases:
        if phase.name.startswith("normal") and (phase.liquidations or phase.adl_fills):
            problems.append(f"{phase.name}: normal moves liquidated {phase.liquidations} accounts and made "
                            f"{phase.adl_fills} ADL fills; the workload promises none")
    return problems


if __name__ == "__main__":
    sys.exit(main())
