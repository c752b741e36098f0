"""Saved runs side by side, as a Markdown table (for docs/capacity.md):

    python -m bench.summary bench/results/10k.json bench/results/100k.json bench/results/1M.json
"""
from __future__ import annotations

import json
import sys

from .report import NOOP_KEY, PHASE_LABELS
from .stats import duration


def _p50_p99(summary: dict) -> str:
    return f"{duration(summary['p50_us'])} / {duration(summary['p99_us'])}"


def rows(results: dict) -> dict[str, str]:
    """One run's figures by row name; durations are p50 / p99."""
    noop = results["noop"][NOOP_KEY]
    figures = {
        "ingestion, 1 StreamDeltas stream (fills/s)": f"{results['ingestion']['fills_per_second']:,.0f}",
        "engine-only ingestion (fills/s)": f"{results['ingestion']['engine_only_fills_per_second']:,.0f}",
        "no-op RPC, interleaved (ListCurrencies)": _p50_p99(noop),
        "no-op RPC, back to back (ListCurrencies)": _p50_p99(results["noop"]["ListCurrencies, back to back"]),
    }
    for name, phase in results["phases"].items():
        label = PHASE_LABELS.get(name, name)
        ratio = phase["end_to_end"]["p50_us"] / noop["p50_us"]
        figures[f"ApplyMark e2e, {label}"] = f"{_p50_p99(phase['end_to_end'])} ({ratio:.1f}x no-op)"
        figures[f"ApplyMark engine-only, {label}"] = _p50_p99(phase["engine"])
    naive = results["naive"]
    if naive:
        figures["naive recompute, normal move (ratio to engine-only p50)"] = (
            f"{duration(naive['samples']['p50_us'])} ({naive['ratio']:,.1f}x)")
    growth = results["scaling"]
    figures["engine-only dry-run p50, N over N/10"] = f"{growth['growth']:.2f}x"
    figures["server RSS per open position"] = f"{results['memory']['bytes_per_position']:,.0f} B"
    figures["load average at start"] = results["configuration"]["load average at start"]
    figures["bench wall time"] = results["configuration"].get("bench wall time", "?")
    figures["markcap at"] = results["configuration"]["software"].split(" at ", 1)[-1]
    return figures


def markdown(runs: list[dict]) -> str:
    table = [rows(results) for results in runs]
    sizes = [results["configuration"]["size"] for results in runs]
    lines = ["| measurement | " + " | ".join(f"exchange-{size}" for size in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for name in table[0]:
        lines.append(f"| {name} | " + " | ".join(figures.get(name, "-") for figures in table) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    runs = []
    for path in paths:
        with open(path) as file:
            runs.append(json.load(file))
    print(markdown(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
