"""The configuration block of the table: workload, samples, software, machine."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np

from .settings import Settings
from .workload import BATCH_SIZE, Workload

REPO = Path(__file__).resolve().parent.parent


def configuration(workload: Workload, settings: Settings, address: str,
                  persistence: str) -> dict[str, str]:
    return {
        "size": workload.size,
        "workload": (f"{workload.account_count:,} accounts, {len(workload.positions):,} open positions, "
                     f"{len(workload.instruments.instrument_id)} instruments, {len(workload.fills):,} fills, "
                     f"{len(workload.transfers):,} deposits"),
        "seed": str(workload.seed),
        "batch size": f"{BATCH_SIZE} (deposit batches first, then fill batches)",
        "samples": (f"warm-up {settings.warmup} per phase (none for real jumps); "
                    f"normal moves {settings.normal_samples} per phase; "
                    f"dry-run jumps {settings.dry_run_jump_samples}; jumps {settings.jump_samples}; "
                    f"no-op {settings.noop_samples}; GetStatus {settings.status_samples}; "
                    f"naive {settings.naive_samples}; scaling {settings.scaling_samples} x 2; "
                    f"budget {settings.phase_budget_seconds:g} s per phase, "
                    f"{settings.scaling_budget_seconds:g} s per scaling side"),
        "software": (f"python {platform.python_version()}, numpy {np.__version__}, "
                     f"grpcio {_version('grpcio')}, protobuf {_version('protobuf')}, "
                     f"markcap {_version('markcap')} at {_commit()}"),
        "machine": (f"{_cpu_model()}, {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), "
                    f"{_memory_gib():.0f} GiB, {platform.system()} {platform.release()}"),
        "load average at start": " ".join(f"{load:.2f}" for load in os.getloadavg()),
        "server": (f"markcap-server on {address}, persistence {persistence}; "
                   "client and server on the same machine"),
        "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "command": " ".join(["python -m bench.run"] + sys.argv[1:]),
    }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _commit() -> str:
    """Short commit of the work tree, '+changes' when server/ differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True,
                              timeout=10).stdout.strip()
    try:
        commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
        return commit + (" +changes in server/" if git("status", "--porcelain", "--", "server") else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown commit"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
