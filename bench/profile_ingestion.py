"""Where engine-only ingestion spends its time: cProfile over loading exchange-N.

    .venv/bin/python -m bench.profile_ingestion [--size 100k] [--top 18]

Loads the benchmark's workload into an in-process Engine in batches of 4096 under
cProfile and prints the functions with the most own time.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
from pathlib import Path

from .local import LocalExchange
from .workload import BATCH_SIZE, config_toml, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--top", type=int, default=18)
    args = parser.parse_args()
    workload = generate(args.size, seed=1)
    config = Path(tempfile.mkdtemp()) / "exchange.toml"
    config.write_text(config_toml(workload.instruments))
    exchange = LocalExchange(config)
    profile = cProfile.Profile()
    fills, seconds = profile.runcall(exchange.ingest, workload, BATCH_SIZE)
    print(f"{fills:,} fills in {seconds:.2f} s of fill batches ({fills / seconds:,.0f} fills/s, under cProfile)")
    pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
