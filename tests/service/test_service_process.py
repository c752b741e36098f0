"""The markcap-server process (SPEC 9): listen addresses, health, reflection,
graceful stop on SIGTERM/SIGINT, and failures that exit 2. Health while serving,
reflection and the data dir's creation are the same wired server in-process
(tests/in_process.py); the rest is about the process."""
from __future__ import annotations

import re
import signal
import socket
import stat
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase)
from google.protobuf import descriptor_pb2, descriptor_pool

from markcap.service import listen
from markcap.v1 import risk_engine_pb2 as pb

SERVICE = "markcap.v1.RiskEngineService"
HEALTH = "grpc.health.v1.Health"
REFLECTION = "grpc.reflection.v1alpha.ServerReflection"
RPC_SECONDS = 10
EXIT_SECONDS = 20


def test_port_0_prints_the_chosen_address_and_serves_there(server):
    assert re.fullmatch(r"127\.0\.0\.1:\d+", server.address)
    assert not server.address.endswith(":0")
    status = server.stub().GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS)
    assert (status.applied_seq, status.instrument_count, status.currency_count) == (0, 3, 2)
    assert status.version == metadata.version("markcap")
    assert status.persistence.startswith("in-memory (--in-memory)")


def test_unix_socket_listen(start_server):
    running = start_server(unix_socket=True)
    assert running.address.startswith("unix:/")
    assert stat.S_ISSOCK(Path(running.address.removeprefix("unix:")).stat().st_mode)
    response = running.stub().ListCurrencies(pb.ListCurrenciesRequest(), timeout=RPC_SECONDS)
    assert [c.code for c in response.currencies] == ["USD", "BTC"]


def test_every_listen_address_is_printed_and_serves(start_server):
    socket_dir = tempfile.mkdtemp(prefix="markcap-", dir="/tmp")
    args = ("--listen", "127.0.0.1:0", "--listen", f"unix:{socket_dir}/second.sock")
    running = start_server(extra_args=args)
    assert running.addresses[1] == f"unix:{socket_dir}/second.sock"
    for address in running.addresses:
        with grpc.insecure_channel(address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            reply = health.Check(health_pb2.HealthCheckRequest(service=SERVICE),
                                 timeout=RPC_SECONDS)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
    running.stop()
    Path(socket_dir, "second.sock").unlink(missing_ok=True)
    Path(socket_dir).rmdir()


class FakeServer:
    """Stands in for grpc.Server: the tests bind no address but 127.0.0.1 and unix sockets."""

    def add_insecure_port(self, address: str) -> int:
        return 4321


@pytest.mark.parametrize("given,printed", [("[::1]:0", "[::1]:4321"),
                                           ("localhost:0", "localhost:4321"),
                                           ("unix:/tmp/x.sock", "unix:/tmp/x.sock")])
def test_bound_address_is_printed_with_the_chosen_port(given, printed):
    assert listen.bind(FakeServer(), given) == printed


def test_health_reports_serving_for_the_server_and_the_service(in_process_server):
    health = health_pb2_grpc.HealthStub(in_process_server.channel())
    for service in ("", SERVICE):
        reply = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=RPC_SECONDS)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.RpcError) as raised:
        health.Check(health_pb2.HealthCheckRequest(service="no.such.Service"),
                     timeout=RPC_SECONDS)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


def test_reflection_lists_the_services_and_describes_the_api(in_process_server):
    stub = reflection_pb2_grpc.ServerReflectionStub(in_process_server.channel())
    [reply] = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(
        list_services="")]), timeout=RPC_SECONDS)
    names = {service.name for service in reply.list_services_response.service}
    assert names == {SERVICE, HEALTH, REFLECTION}
    pool = descriptor_pool.DescriptorPool(
        ProtoReflectionDescriptorDatabase(in_process_server.channel()))
    methods = {m.name for m in pool.FindServiceByName(SERVICE).methods}
    assert {"StreamDeltas", "ApplyMark", "WatchEvents", "GetAdlQueue"} <= methods
    assert pool.FindMessageTypeByName("markcap.v1.FillColumns").fields_by_name["price"]


def _file_containing(server, symbol: str) -> reflection_pb2.ServerReflectionResponse:
    stub = reflection_pb2_grpc.ServerReflectionStub(server.channel())
    [reply] = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(
        file_containing_symbol=symbol)]), timeout=RPC_SECONDS)
    return reply


def test_reflection_resolves_a_method_symbol_as_grpcurl_describe_asks(in_process_server):
    # grpc/grpc#34743: stock Python reflection answers NOT_FOUND for methods.
    reply = _file_containing(in_process_server, f"{SERVICE}.ApplyMark")
    assert reply.WhichOneof("message_response") == "file_descriptor_response"
    files = [descriptor_pb2.FileDescriptorProto.FromString(raw)
             for raw in reply.file_descriptor_response.file_descriptor_proto]
    assert "markcap/v1/risk_engine.proto" in [f.name for f in files]
    missing = _file_containing(in_process_server, f"{SERVICE}.NoSuchMethod")
    assert missing.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_the_server_with_exit_0(server, signum):
    server.stub().GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS)
    assert server.stop(signum) == 0
    assert "Traceback" not in server.stderr_text()


def test_health_goes_not_serving_on_sigterm(server):
    health = health_pb2_grpc.HealthStub(server.channel())
    watch = health.Watch(health_pb2.HealthCheckRequest(service=SERVICE), timeout=RPC_SECONDS)
    assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
    server.process.send_signal(signal.SIGTERM)
    assert next(watch).status == health_pb2.HealthCheckResponse.NOT_SERVING
    watch.cancel()
    assert server.process.wait(timeout=EXIT_SECONDS) == 0


def test_failed_bind_exits_2_with_a_clear_message(markcap_server_command):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        result = subprocess.run(markcap_server_command + ["--listen", address, "--in-memory"],
                                capture_output=True, text=True, timeout=EXIT_SECONDS)
    assert result.returncode == 2
    assert f"markcap-server: cannot listen on {address}" in result.stderr
    assert "listening on" not in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("address", ["localhost", "127.0.0.1:http", "::1:0", "unix:",
                                     "127.0.0.1:70000"])
def test_malformed_listen_address_exits_2(markcap_server_command, address):
    result = subprocess.run(markcap_server_command + ["--listen", address],
                            capture_output=True, text=True, timeout=EXIT_SECONDS)
    assert result.returncode == 2
    assert "argument --listen" in result.stderr and repr(address) in result.stderr


def test_data_dir_is_created_and_reported_in_status(start_in_process_server, tmp_path):
    running = start_in_process_server(extra_args=("--data-dir", str(tmp_path / "data")))
    status = running.stub().GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS)
    assert status.persistence.startswith(f"journal at {(tmp_path / 'data').resolve()} "
                                         f"(fsync every-input;")
    assert (tmp_path / "data" / "journal").is_dir()
    assert (tmp_path / "data" / "snapshots").is_dir()
