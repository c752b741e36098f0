"""MarkcapError: a failed call, as a gRPC status code, a message and rich details."""
from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

# The google.rpc detail types a server may attach; anything else stays an Any.
_KNOWN_DETAIL_TYPES = (
    error_details_pb2.ErrorInfo, error_details_pb2.BadRequest,
    error_details_pb2.PreconditionFailure, error_details_pb2.ResourceInfo,
    error_details_pb2.QuotaFailure, error_details_pb2.RetryInfo,
    error_details_pb2.DebugInfo, error_details_pb2.Help,
    error_details_pb2.LocalizedMessage, error_details_pb2.RequestInfo,
)


class MarkcapError(Exception):
    """A call that ended with a non-OK status.

    `details` holds the `google.rpc.Status` details the server attached
    (ErrorInfo, BadRequest, ...), unpacked where the type is known.
    """

    def __init__(self, code: grpc.StatusCode, message: str, details: tuple = ()):
        super().__init__(code, message, details)
        self.code = code
        self.message = message
        self.details = tuple(details)

    def __str__(self) -> str:
        return f"{self.code.name}: {self.message}"

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> "MarkcapError":
        """Converts what grpc raised; tolerates errors that are not a grpc.Call."""
        code = _call_attribute(error, "code") or grpc.StatusCode.UNKNOWN
        message = _call_attribute(error, "details") or str(error)
        return cls(code, message, _rich_details(error))


def _call_attribute(error: grpc.RpcError, name: str):
    method = getattr(error, name, None)
    return method() if callable(method) else None


def _rich_details(error: grpc.RpcError) -> tuple:
    try:
        status = rpc_status.from_call(error)
    except (AttributeError, TypeError, ValueError):
        # Not a grpc.Call, or a status whose code/message disagree with the call's.
        return ()
    if status is None:
        return ()
    return tuple(_unpack(detail) for detail in status.details)


def _unpack(detail: any_pb2.Any):
    for detail_type in _KNOWN_DETAIL_TYPES:
        if detail.Is(detail_type.DESCRIPTOR):
            message = detail_type()
            detail.Unpack(message)
            return message
    return detail
