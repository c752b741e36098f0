"""markcap servers inside the test process, for tests about the engine's decisions
through the gRPC API rather than about the process.

A server here is what markcap-server would run on the same command line: the
arguments tests/conftest.py's server_args() gives a process (127.0.0.1 port 0 or a
unix socket, --in-memory unless --data-dir), parsed by main.parse_args() and wired
by main.wire() (config, state, writer, servicer, interceptors, health, reflection,
listen addresses), served by Wired.run() on a thread and stopped by that same path
(health NOT_SERVING, event streams ended, drain bounded by the process's grace
period). What a process adds and these do not: signal handlers, the JSON log
formatter on stderr (records go to pytest's log capture instead), an exit code.
Tests about those start a real process (tests/conftest.py's start_server).
"""
from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from markcap.service import main as server_main
from markcap.v1 import risk_engine_pb2_grpc as pb_grpc

START_SECONDS = 20.0
# Wired.run() waits at most the grace and the margin for gRPC to drain; a little more
# for the last snapshot on a data dir.
STOP_SECONDS = server_main.SHUTDOWN_GRACE_SECONDS + server_main.STOP_MARGIN_SECONDS + 5.0


class ChannelsToServer:
    """Channels to a server's `address`, closed together by `close_channels` (process or not)."""

    address: str
    _channels: list

    def channel(self) -> grpc.Channel:
        channel = grpc.insecure_channel(self.address)
        self._channels.append(channel)
        return channel

    def stub(self) -> pb_grpc.RiskEngineServiceStub:
        return pb_grpc.RiskEngineServiceStub(self.channel())

    def close_channels(self) -> None:
        for channel in self._channels:
            channel.close()
        self._channels.clear()


class InProcessServerError(Exception):
    pass


class InProcessServer(ChannelsToServer):
    """A wired markcap server serving on a thread; `address` is what a channel dials."""

    def __init__(self, args: list[str], cleanup_dirs: list[str]):
        self._cleanup_dirs = cleanup_dirs
        self._channels: list[grpc.Channel] = []
        self._stop = threading.Event()
        self._failure: BaseException | None = None
        try:
            wired = server_main.wire(server_main.parse_args(args))
        except server_main.StartError as error:
            self._remove_dirs()
            raise InProcessServerError(f"markcap server did not start: {error}") from None
        self.addresses = wired.addresses
        self.address = self.addresses[0]
        self._thread = threading.Thread(target=self._run, args=(wired,),
                                        name=f"markcap-in-process {self.address}", daemon=True)
        self._thread.start()
        try:
            self._await_serving()
        except BaseException:
            self.stop()
            raise

    def _run(self, wired: server_main.Wired) -> None:
        try:
            wired.run(self._stop)
        except BaseException as error:  # reported by stop(), failing the test
            self._failure = error

    def _await_serving(self) -> None:
        """Returns once health answers SERVING on every address (serve() has started)."""
        deadline = time.monotonic() + START_SECONDS
        for address in self.addresses:
            with grpc.insecure_channel(address) as channel:
                health = health_pb2_grpc.HealthStub(channel)
                reply = health.Check(health_pb2.HealthCheckRequest(), wait_for_ready=True,
                                     timeout=max(0.1, deadline - time.monotonic()))
            if reply.status != health_pb2.HealthCheckResponse.SERVING:
                raise InProcessServerError(f"{address} answers health {reply.status}")

    def stop(self) -> None:
        """Stops as the process does on SIGTERM; raises if that failed or took too long."""
        self.close_channels()
        self._stop.set()
        self._thread.join(timeout=STOP_SECONDS)
        self._remove_dirs()
        if self._thread.is_alive():
            raise InProcessServerError(
                f"the in-process server on {self.address} had not stopped {STOP_SECONDS} s "
                f"after the stop began")
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise InProcessServerError(
                f"the in-process server on {self.address} failed") from failure

    def _remove_dirs(self) -> None:
        for directory in self._cleanup_dirs:
            shutil.rmtree(directory, ignore_errors=True)
        self._cleanup_dirs = []


class InProcessPool:
    """In-process servers started in one workdir, all stopped together."""

    def __init__(self, workdir: Path, server_args):
        self._workdir = workdir
        self._server_args = server_args
        self._servers: list[InProcessServer] = []

    def start(self, config_text: str | None = None, config_path: str | Path | None = None,
              extra_args=(), unix_socket: bool = False) -> InProcessServer:
        args, cleanup_dirs = self._server_args(self._workdir, config_text, config_path,
                                               extra_args, unix_socket)
        running = InProcessServer(args, cleanup_dirs)
        self._servers.append(running)
        return running

    def stop_all(self) -> None:
        failures = []
        for running in self._servers:
            try:
                running.stop()
            except InProcessServerError as error:
                failures.append(error)
        self._servers.clear()
        if failures:
            raise failures[0]
