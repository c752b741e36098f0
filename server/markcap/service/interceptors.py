"""Shared by the server interceptors (metrics.py, limits.py): the behaviour of a
method handler, and the same handler around a new behaviour."""
from __future__ import annotations

import grpc

SERVICE_PREFIX = "/markcap.v1.RiskEngineService/"

_HANDLER_MAKERS = {(False, False): grpc.unary_unary_rpc_method_handler,
                   (False, True): grpc.unary_stream_rpc_method_handler,
                   (True, False): grpc.stream_unary_rpc_method_handler,
                   (True, True): grpc.stream_stream_rpc_method_handler}


def is_markcap_call(handler, handler_call_details) -> bool:
    """A RiskEngineService method (health and reflection are left alone)."""
    return handler is not None and handler_call_details.method.startswith(SERVICE_PREFIX)


def behavior_of(handler: grpc.RpcMethodHandler):
    """The function that serves the call: (request or request iterator, context) -> ..."""
    return (handler.unary_unary or handler.unary_stream or handler.stream_unary
            or handler.stream_stream)


def rewrap(handler: grpc.RpcMethodHandler, behavior,
           request_deserializer=None) -> grpc.RpcMethodHandler:
    """A handler of the same kind and serializers with `behavior` (and, if given, a new
    request deserializer)."""
    make = _HANDLER_MAKERS[(handler.request_streaming, handler.response_streaming)]
    return make(behavior, request_deserializer=request_deserializer or handler.request_deserializer,
                response_serializer=handler.response_serializer)
