"""Shared fixtures: markcap servers bound to 127.0.0.1 port 0 or a unix socket in a
private temp dir, state in memory unless --data-dir is given.

Real markcap-server processes, each stopped by its own pid at teardown, for tests
about the process (signals, exit codes, stderr logs, restarts, kill -9, the entry
point's flags):

    def test_x(server):                      # the embedded default exchange
        server.stub().GetStatus(pb.GetStatusRequest())

    def test_y(start_server):
        srv = start_server(config_text=TOML)  # or config_path=..., extra_args=(...)

In-process servers (tests/in_process.py: the same arguments, wired by the process's
own main.wire() and stopped by its stop path) for tests about what the server
answers, with the same call shapes: in_process_server, start_in_process_server,
start_module_in_process_server.
"""
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

import grpc
import pytest


from in_process import ChannelsToServer, InProcessPool, InProcessServer

SERVER_START_SECONDS = 20.0
SERVER_STOP_SECONDS = 10.0
LISTENING_PREFIX = "listening on "


def markcap_server_command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m`."""
    script = Path(sys.executable).with_name("markcap-server")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "markcap.service.main"]


class ServerStartError(Exception):
    pass


class RunningServer(ChannelsToServer):
    """A markcap-server subprocess; `address` is what a grpc channel dials."""

    def __init__(self, process: subprocess.Popen, addresses: list[str], stderr_path: Path,
                 cleanup_dirs: list[str]):
        self.process = process
        self.addresses = addresses
        self.address = addresses[0]
        self._stderr_path = stderr_path
        self._cleanup_dirs = cleanup_dirs
        self._channels: list[grpc.Channel] = []

    @property
    def pid(self) -> int:
        return self.process.pid

    def stderr_text(self) -> str:
        return self._stderr_path.read_text(errors="replace")

    def stop(self, signum: int = signal.SIGTERM) -> int:
        """Signals the server, waits up to 10 s, then kills it; returns its exit code."""
        self.close_channels()
        if self.process.poll() is None:
            os.kill(self.process.pid, signum)
            try:
                self.process.wait(timeout=SERVER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=SERVER_STOP_SECONDS)
        for directory in self._cleanup_dirs:
            shutil.rmtree(directory, ignore_errors=True)
        return self.process.returncode


def _read_lines(stream, lines: queue.Queue) -> None:
    """Forwards stdout lines, then None at EOF; keeps the pipe drained."""
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _await_listening(process: subprocess.Popen, count: int, stderr_path: Path) -> list[str]:
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    addresses: list[str] = []
    while len(addresses) < count:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            line = None
        if line is None:
            raise ServerStartError(
                f"markcap-server did not print '{LISTENING_PREFIX}...' within "
                f"{SERVER_START_SECONDS} s (exit code {process.poll()}); stderr:\n"
                + stderr_path.read_text(errors="replace"))
        if line.startswith(LISTENING_PREFIX):
            addresses.append(line.removeprefix(LISTENING_PREFIX))
    return addresses


def server_args(workdir: Path, config_text: str | None = None,
                config_path: str | Path | None = None, extra_args=(),
                unix_socket: bool = False) -> tuple[list[str], list[str]]:
    """(markcap-server arguments, temp dirs to remove after the stop) of a test's server.

    Listens on 127.0.0.1:0, or on a unix socket when `unix_socket`, unless
    `extra_args` has its own --listen; keeps state in memory unless `extra_args`
    has --data-dir.
    """
    args = list(extra_args)
    cleanup_dirs: list[str] = []
    if config_text is not None:
        config_path = workdir / "exchange.toml"
        Path(config_path).write_text(config_text)
    if config_path is not None:
        args += ["--config", str(config_path)]
    if "--data-dir" not in args and "--in-memory" not in args:
        # The server's default data dir is ./markcap-data: a test never writes there.
        args.append("--in-memory")
    if "--listen" not in args:
        if unix_socket:
            # Unix socket paths are limited to ~107 bytes; pytest's tmp_path can be longer.
            cleanup_dirs.append(tempfile.mkdtemp(prefix="markcap-", dir="/tmp"))
            args += ["--listen", f"unix:{cleanup_dirs[0]}/markcap.sock"]
        else:
            args += ["--listen", "127.0.0.1:0"]
    return args, cleanup_dirs


def launch_server(workdir: Path, config_text: str | None = None,
                  config_path: str | Path | None = None, extra_args=(),
                  unix_socket: bool = False) -> RunningServer:
    """Starts markcap-server on server_args(...) and returns once every listen address
    is printed."""
    args, cleanup_dirs = server_args(workdir, config_text, config_path, extra_args, unix_socket)
    stderr_path = workdir / f"server-{time.monotonic_ns()}.stderr"
    with open(stderr_path, "w") as stderr:
        process = subprocess.Popen(markcap_server_command() + args, stdout=subprocess.PIPE,
                                   stderr=stderr, text=True)
    try:
        addresses = _await_listening(process, args.count("--listen"), stderr_path)
    except BaseException:
        process.kill()
        process.wait(timeout=SERVER_STOP_SECONDS)
        raise
    return RunningServer(process, addresses, stderr_path, cleanup_dirs)


class ServerPool:
    """Servers started in one workdir, all stopped together."""

    def __init__(self, workdir: Path):
        self._workdir = workdir
        self._servers: list[RunningServer] = []

    def start(self, config_text: str | None = None, config_path: str | Path | None = None,
              extra_args=(), unix_socket: bool = False) -> RunningServer:
        running = launch_server(self._workdir, config_text, config_path, extra_args,
                                unix_socket)
        self._servers.append(running)
        return running

    def stop_all(self) -> None:
        for running in self._servers:
            running.stop()


@pytest.fixture
def start_server(tmp_path):
    """Factory: start_server(config_text=None, config_path=None, extra_args=(), unix_socket=False)."""
    pool = ServerPool(tmp_path)
    yield pool.start
    pool.stop_all()


@pytest.fixture(scope="module")
def start_module_server(tmp_path_factory):
    """Like start_server, but the servers live until the test module ends."""
    pool = ServerPool(tmp_path_factory.mktemp("servers"))
    yield pool.start
    pool.stop_all()


@pytest.fixture(name="markcap_server_command")
def markcap_server_command_fixture() -> list[str]:
    """argv prefix that runs markcap-server (for tests that expect it to exit)."""
    return markcap_server_command()


@pytest.fixture
def server(start_server) -> RunningServer:
    """A server on the embedded default exchange (SPEC 9)."""
    return start_server()


@pytest.fixture
def start_in_process_server(tmp_path):
    """Factory like start_server, of in-process servers (tests/in_process.py)."""
    pool = InProcessPool(tmp_path, server_args)
    yield pool.start
    pool.stop_all()


@pytest.fixture(scope="module")
def start_module_in_process_server(tmp_path_factory):
    """Like start_in_process_server, but the servers live until the test module ends."""
    pool = InProcessPool(tmp_path_factory.mktemp("in-process-servers"), server_args)
    yield pool.start
    pool.stop_all()


@pytest.fixture
def in_process_server(start_in_process_server) -> InProcessServer:
    """An in-process server on the embedded default exchange (SPEC 9)."""
    return start_in_process_server()
