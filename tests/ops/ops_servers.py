"""markcap-server processes for tests/ops that also need the lines tests/conftest.py
drops (the metrics URL) and their stderr (structured logs). Each binds 127.0.0.1
or a unix socket in a private temp dir, keeps state in memory, and is stopped by
its own pid."""
from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

START_SECONDS = 20.0
STOP_SECONDS = 10.0


def server_command() -> list[str]:
    script = Path(sys.executable).with_name("markcap-server")
    return [str(script)] if script.exists() else [sys.executable, "-m", "markcap.service.main"]


def private_socket_dir() -> str:
    """A fresh dir under /tmp (unix socket paths must stay under ~107 bytes)."""
    return tempfile.mkdtemp(prefix="markcap-ops-", dir="/tmp")


class OpsServer:
    def __init__(self, args: list[str], workdir: Path, *, metrics: bool = False):
        self.stderr_path = workdir / f"server-{time.monotonic_ns()}.stderr"
        if "--data-dir" not in args and "--in-memory" not in args:
            args = [*args, "--in-memory"]
        with open(self.stderr_path, "w") as stderr:
            self.process = subprocess.Popen(server_command() + args, stdout=subprocess.PIPE,
                                            stderr=stderr, text=True)
        self.addresses: list[str] = []
        self.metrics_url: str | None = None
        try:
            self._await_ready(args.count("--listen") or 1, metrics)
        except BaseException:
            self.stop()
            raise
        self.address = self.addresses[0]

    def _await_ready(self, listen_count: int, metrics: bool) -> None:
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_forward, args=(self.process.stdout, lines), daemon=True).start()
        deadline = time.monotonic() + START_SECONDS
        while len(self.addresses) < listen_count or (metrics and self.metrics_url is None):
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                raise RuntimeError(f"markcap-server not ready within {START_SECONDS} s (exit "
                                   f"{self.process.poll()}):\n{self.stderr_text()}")
            if line.startswith("listening on "):
                self.addresses.append(line.removeprefix("listening on "))
            elif line.startswith("metrics on "):
                self.metrics_url = line.removeprefix("metrics on ")

    def stderr_text(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_SECONDS)
        return self.process.returncode


def _forward(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


class OpsServers:
    """Servers and socket dirs of one test, all cleaned up together."""

    def __init__(self, workdir: Path):
        self._workdir = workdir
        self._servers: list[OpsServer] = []
        self._dirs: list[str] = []

    def start(self, *args: str, metrics: bool = False) -> OpsServer:
        server = OpsServer(list(args), self._workdir, metrics=metrics)
        self._servers.append(server)
        return server

    def socket_path(self) -> str:
        self._dirs.append(private_socket_dir())
        return f"{self._dirs[-1]}/markcap.sock"

    def close(self) -> None:
        for server in self._servers:
            server.stop()
        for directory in self._dirs:
            shutil.rmtree(directory, ignore_errors=True)
