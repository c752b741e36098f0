"""Fixtures for client tests that need no engine: a scripted in-process gRPC
server on a unix socket under a tmp dir, and a counter of client attempts."""
from __future__ import annotations

from concurrent import futures

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from markcap.v1 import risk_engine_pb2 as pb
from markcap.v1 import risk_engine_pb2_grpc as pb_grpc


class ScriptedServicer(pb_grpc.RiskEngineServiceServicer):
    """Answers UNAVAILABLE for the first `unavailable_left` calls, then succeeds;
    GetAccount fails with a rich INVALID_ARGUMENT. Records every call."""

    def __init__(self):
        self.unavailable_left = 0
        self.calls: list[str] = []

    def _enter(self, name: str, context) -> None:
        self.calls.append(name)
        if self.unavailable_left > 0:
            self.unavailable_left -= 1
            context.abort(grpc.StatusCode.UNAVAILABLE, "scripted outage")

    def GetStatus(self, request, context):
        self._enter("GetStatus", context)
        return pb.GetStatusResponse(applied_seq=41, version="scripted")

    def ApplyMark(self, request, context):
        self._enter("ApplyMark", context)
        return pb.ApplyMarkResponse(seq=request.seq, instrument_id=request.instrument_id,
                                    applied_price=request.price)

    def StreamDeltas(self, request_iterator, context):
        self._enter("StreamDeltas", context)
        for request in request_iterator:
            yield pb.StreamDeltasResponse(seq=request.seq or 1,
                                          fill_count=len(request.fills.account_id),
                                          transfer_count=len(request.transfers.account_id))

    def GetAccount(self, request, context):
        self._enter("GetAccount", context)
        violation = error_details_pb2.BadRequest.FieldViolation(
            field="account_id", description=f"account {request.account_id} is scripted to fail")
        detail = any_pb2.Any()
        detail.Pack(error_details_pb2.BadRequest(field_violations=[violation]))
        context.abort_with_status(rpc_status.to_status(status_pb2.Status(
            code=code_pb2.INVALID_ARGUMENT, message="account_id 13 is unlucky",
            details=[detail])))


@pytest.fixture
def scripted_server(tmp_path):
    """(servicer, target) of a scripted server, stopped after the test."""
    servicer = ScriptedServicer()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    pb_grpc.add_RiskEngineServiceServicer_to_server(servicer, server)
    target = f"unix:{tmp_path}/scripted.sock"
    server.add_insecure_port(target)
    server.start()
    try:
        yield servicer, target
    finally:
        server.stop(grace=None).wait(timeout=5)


class CountingInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.StreamStreamClientInterceptor,
                          grpc.UnaryStreamClientInterceptor):
    """Counts the attempts a client makes, whatever the server answers."""

    def __init__(self):
        self.methods: list[str] = []

    def intercept_unary_unary(self, continuation, client_call_details, request):
        self.methods.append(client_call_details.method.rsplit("/", 1)[-1])
        return continuation(client_call_details, request)

    def intercept_stream_stream(self, continuation, client_call_details, request_iterator):
        self.methods.append(client_call_details.method.rsplit("/", 1)[-1])
        return continuation(client_call_details, request_iterator)

    def intercept_unary_stream(self, continuation, client_call_details, request):
        self.methods.append(client_call_details.method.rsplit("/", 1)[-1])
        return continuation(client_call_details, request)


@pytest.fixture
def nobody_listening(tmp_path):
    """A unix-socket target that no server listens on."""
    return f"unix:{tmp_path}/nobody.sock"


@pytest.fixture
def counting_interceptor():
    return CountingInterceptor()
