"""What snapshots by work cost a bulk load: streamed ingestion with and without them.

    .venv/bin/python -m bench.ingestion_snapshots [--size 1M] [--server-arg=...]

Streams exchange-SIZE into a durable markcap-server (127.0.0.1, a temp data dir, stopped
by its pid) through one StreamDeltas stream, as `make bench` does, once with the default
snapshot policy and once with `--snapshot-every-fills 0`, and prints fills/s for each.
For the default run it also adds up the server's own "snapshot at seq N written in X s
(copied in Y s)" log lines: the copies are made under the writer's lock, the writes in
the snapshot thread.
"""
from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from .remote import RemoteExchange, stream_requests
from .server import BenchServer, config_arguments
from .workload import BATCH_SIZE, generate

_SNAPSHOT_LINE = re.compile(r"written in ([0-9.]+) s \(copied in ([0-9.]+) s\)")


def _load(workload, server_args: list[str]) -> tuple[float, list[tuple[float, float]]]:
    """(fills/s, (written, copied) seconds of each snapshot) of one streamed load."""
    with tempfile.TemporaryDirectory(prefix="markcap-bench-") as workdir:
        config = Path(workdir) / "exchange.toml"
        config.write_text(workload.config_toml)
        with BenchServer(config_arguments(config, Path(workdir), "durable") + server_args,
                         Path(workdir)) as server:
            requests, deposit_batches = stream_requests(workload, BATCH_SIZE)
            ingestion = RemoteExchange(server.address).ingest(requests, deposit_batches)
            snapshots = [(float(w), float(c)) for w, c in _SNAPSHOT_LINE.findall(server.stderr_text())]
    return ingestion.fills_per_second, snapshots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1M")
    parser.add_argument("--server-arg", action="append", default=[], help="passed to markcap-server")
    args = parser.parse_args()
    workload = generate(args.size, seed=1)
    for label, extra in (("default snapshot policy", []), ("--snapshot-every-fills 0", ["--snapshot-every-fills", "0"])):
        fills_per_second, snapshots = _load(workload, args.server_arg + extra)
        line = f"exchange-{args.size}, {label}: {fills_per_second:,.0f} fills/s"
        if snapshots:
            written, copied = sum(w for w, _ in snapshots), sum(c for _, c in snapshots)
            line += (f"; {len(snapshots)} snapshots: copies under the lock {copied:.2f} s in all, "
                     f"copy to written {written:.2f} s in all")
        print(line, flush=True)


if __name__ == "__main__":
    main()
