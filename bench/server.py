"""A markcap-server process for the benchmark: on 127.0.0.1 port 0, bounded in
time, stopped by its own pid, with its resident memory read from /proc."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

START_SECONDS = 30.0
STOP_SECONDS = 10.0
LISTENING_PREFIX = "listening on "


def server_command() -> list[str]:
    """The console script next to this interpreter, else `python -m`."""
    script = Path(sys.executable).with_name("markcap-server")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "markcap.service.main"]


PERSISTENCE_MODES = ("durable", "in-memory")


def config_arguments(config_path: Path, workdir: Path, persistence: str = "durable") -> list[str]:
    """Server arguments for a benchmark run.

    `persistence` "durable": journal and snapshots in `workdir`/data with the
    server's default fsync and snapshot policies (what an operator runs);
    "in-memory": no persistence, the engine and gRPC alone.
    """
    storage = ["--in-memory"] if persistence == "in-memory" else ["--data-dir", str(workdir / "data")]
    return ["--config", str(config_path), *storage]


class BenchServer:
    """Starts markcap-server on 127.0.0.1:0 with `arguments`; use as a context manager."""

    def __init__(self, arguments: list[str], workdir: Path):
        self._stderr_path = workdir / "server.stderr"
        with open(self._stderr_path, "w") as stderr:
            self.process = subprocess.Popen(
                server_command() + ["--listen", "127.0.0.1:0", *arguments],
                stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            self.address = self._await_address()
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def _await_address(self) -> str:
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_forward_lines, args=(self.process.stdout, lines), daemon=True).start()
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                raise RuntimeError(f"markcap-server did not start within {START_SECONDS:.0f} s "
                                   f"(exit code {self.process.poll()}):\n{self.stderr_text()}")
            if line.startswith(LISTENING_PREFIX):
                return line.removeprefix(LISTENING_PREFIX)

    def stderr_text(self) -> str:
        return self._stderr_path.read_text(errors="replace")

    def rss_bytes(self) -> int:
        """Resident set size of the server process (VmRSS in /proc/PID/status), bytes; 0 once exited."""
        try:
            return _vm_rss_bytes(self.pid)
        except OSError:
            return 0

    def stop(self) -> int | None:
        """SIGTERM (graceful drain), then SIGKILL after STOP_SECONDS; returns the exit code."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_SECONDS)
        return self.process.returncode

    def __enter__(self) -> "BenchServer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _forward_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _vm_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024  # the kernel reports kB
    raise RuntimeError(f"no VmRSS for process {pid}")
