"""A data dir on a file system that fills up (issue 12, item 7): what the server does.

Needs a small file system of its own, so that the real disk is never filled, e.g.
(as root):

    mkdir -p /mnt/markcap-tiny && mount -t tmpfs -o size=3m tmpfs /mnt/markcap-tiny
    .venv/bin/python -m bench.disk_full /mnt/markcap-tiny/data --min-free-mib 1
    umount /mnt/markcap-tiny

It starts markcap-server on 127.0.0.1:0 with `--data-dir DIR --snapshot-every-inputs 20`
(and the arguments after DIR), streams delta batches of 1,000 fills until the
stream ends, reports whether the server is still up and what DIR holds, then
restarts it twice on the same DIR, each time reading the status and sending one
more batch. Each server is stopped by its own pid (SIGTERM, then SIGKILL after 20 s).
"""
from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc

from markcap.v1 import risk_engine_pb2 as pb, risk_engine_pb2_grpc as pb_grpc

SERVER = [sys.executable, "-m", "markcap.service.main"]  # this interpreter's markcap (PYTHONPATH)
RPC_SECONDS = 20


def start(data_dir: Path, extra: list[str], log_dir: Path):
    log = open(log_dir / f"server-{time.monotonic_ns()}.log", "w")
    process = subprocess.Popen([*SERVER, "--data-dir", str(data_dir), "--listen", "127.0.0.1:0",
                                "--snapshot-every-inputs", "20", *extra],
                               stdout=subprocess.PIPE, stderr=log, text=True)
    for line in process.stdout:
        if line.startswith("listening on "):
            return process, line.split()[-1], log.name
    return process, None, log.name


def stop(process) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait(timeout=20)


def batches(first_seq: int, count: int):
    rng = random.Random(first_seq)
    for seq in range(first_seq, first_seq + count):
        buyers = [rng.randrange(1, 5000) for _ in range(500)]
        yield pb.StreamDeltasRequest(seq=seq, fills=pb.FillColumns(
            account_id=buyers + [a + 5000 for a in buyers], instrument_id=[7] * 1000,
            qty=[1] * 500 + [-1] * 500, price=[100.0] * 1000))


def stream(stub, first_seq: int, count: int) -> tuple[int, str]:
    acknowledged, ending = first_seq - 1, "all acknowledged"
    try:
        for ack in stub.StreamDeltas(batches(first_seq, count), timeout=120):
            acknowledged = ack.seq
    except grpc.RpcError as error:
        ending = f"{error.code().name}: {error.details()[:160]}"
    return acknowledged, ending


def listing(data_dir: Path) -> str:
    files = sorted(p for p in data_dir.rglob("*") if p.is_file())
    return "\n".join(f"    {p.relative_to(data_dir)}  {p.stat().st_size} bytes" for p in files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="on a small file system of its own")
    args, extra = parser.parse_known_args()
    log_dir = Path(tempfile.mkdtemp(prefix="markcap-disk-full-"))
    print(f"server arguments: --snapshot-every-inputs 20 {' '.join(extra)}; logs in {log_dir}")
    process, address, log = start(args.data_dir, extra, log_dir)
    if address is None:
        print(f"did not start (exit {stop(process)}); see {log}")
        return 1
    stub = pb_grpc.RiskEngineServiceStub(grpc.insecure_channel(address))
    acknowledged, ending = stream(stub, 1, 100_000)
    time.sleep(0.5)
    up = process.poll() is None
    print(f"filling: acknowledged up to seq {acknowledged}; the stream ended with {ending}; "
          f"server {'still serving' if up else f'exited {process.poll()}'}")
    if up:
        status = stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS)
        print(f"  GetStatus: applied_seq {status.applied_seq}; {status.persistence}")
    print(f"  stopped: exit {stop(process)}; the data dir holds:\n{listing(args.data_dir)}")
    for attempt in (1, 2):
        process, address, log = start(args.data_dir, extra, log_dir)
        if address is None:
            print(f"restart {attempt}: did not start (exit {stop(process)}); see {log}")
            continue
        stub = pb_grpc.RiskEngineServiceStub(grpc.insecure_channel(address))
        applied = stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS).applied_seq
        acknowledged, ending = stream(stub, applied + 1, 1)
        time.sleep(0.5)
        up = process.poll() is None
        print(f"restart {attempt}: serving at applied_seq {applied}; one more batch: {ending}; "
              f"server {'still serving' if up else f'exited {process.poll()}'}; "
              f"stopped: exit {stop(process)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
