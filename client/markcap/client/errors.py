"""MarkcapError: a failed call, as a gRPC status code, a message and rich details; one
subclass per ErrorInfo reason of the error contract (markcap.v1.ErrorReason,
docs/errors.md), with that reason's metadata as typed fields."""
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


ERROR_DOMAIN = "markcap.v1"


class _Metadata:
    """A typed field read from the ErrorInfo metadata key of its own name (None, or "" for a
    string, when the server did not send it)."""

    def __init__(self, kind: type):
        self.kind = kind

    def __set_name__(self, owner, name: str) -> None:
        self.key = name

    def __get__(self, error, owner=None):
        if error is None:
            return self
        value = error.metadata.get(self.key)
        if value is None:
            return "" if self.kind is str else None
        return self.kind(value)


class MarkcapError(Exception):
    """A call that ended with a non-OK status.

    `details` holds the `google.rpc.Status` details the server attached
    (ErrorInfo, BadRequest, ...), unpacked where the type is known; `reason` and
    `metadata` are markcap's ErrorInfo ("" and {} when there is none, e.g. INTERNAL or an
    error from gRPC itself). `from_rpc_error` returns the subclass of the reason.
    """

    reason = ""

    def __init__(self, code: grpc.StatusCode, message: str, details: tuple = ()):
        super().__init__(code, message, details)
        self.code = code
        self.message = message
        self.details = tuple(details)
        info = _markcap_info(self.details)
        self.metadata = dict(info.metadata) if info is not None else {}

    def __str__(self) -> str:
        return f"{self.code.name}: {self.message}"

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> "MarkcapError":
        """Converts what grpc raised; tolerates errors that are not a grpc.Call."""
        code = _call_attribute(error, "code") or grpc.StatusCode.UNKNOWN
        message = _call_attribute(error, "details") or str(error)
        details = _rich_details(error)
        info = _markcap_info(details)
        return BY_REASON.get(info.reason if info is not None else "", cls)(code, message, details)


class InvalidInputError(MarkcapError):
    """INVALID_ARGUMENT: a value the contract refuses; `field` names it. Nothing applied."""
    reason = "INVALID_INPUT"
    field = _Metadata(str)


class MalformedRequestError(MarkcapError):
    """INVALID_ARGUMENT: the message did not parse as the method's request."""
    reason = "MALFORMED_REQUEST"
    method = _Metadata(str)


class UnknownIdError(MarkcapError):
    """NOT_FOUND: an unknown account, instrument or currency."""
    reason = "UNKNOWN_ID"
    resource_type = _Metadata(str)
    resource_name = _Metadata(str)


class SeqGapError(MarkcapError):
    """FAILED_PRECONDITION: the seq is beyond the next one; resend from `expected_seq`."""
    reason = "SEQ_GAP"
    expected_seq = _Metadata(int)
    got_seq = _Metadata(int)


class DuplicateTooOldError(MarkcapError):
    """FAILED_PRECONDITION: a duplicate older than the outcomes the server keeps."""
    reason = "DUPLICATE_TOO_OLD"
    seq = _Metadata(int)
    oldest_retained_seq = _Metadata(int)


class SeqContentDiffersError(MarkcapError):
    """FAILED_PRECONDITION: the seq was applied with other content (a producer bug)."""
    reason = "SEQ_CONTENT_DIFFERS"
    seq = _Metadata(int)


class PreconditionFailedError(MarkcapError):
    """FAILED_PRECONDITION: the state does not allow the input."""
    reason = "PRECONDITION_FAILED"


class LimitExceededError(MarkcapError):
    """RESOURCE_EXHAUSTED: over a server limit (`limit_name`, its `limit`, what was asked)."""
    reason = "LIMIT_EXCEEDED"
    limit_name = _Metadata(str)
    limit = _Metadata(int)
    got = _Metadata(int)


class DiskSpaceLowError(MarkcapError):
    """UNAVAILABLE: the data dir is nearly full; inputs are refused until space is freed."""
    reason = "DISK_SPACE_LOW"
    free_bytes = _Metadata(int)
    floor_bytes = _Metadata(int)


class ServerStoppingError(MarkcapError):
    """UNAVAILABLE: the server is stopping; retry against its successor."""
    reason = "SERVER_STOPPING"


class PersistenceFailedError(MarkcapError):
    """UNAVAILABLE: the journal failed; the server stops and a restart recovers every
    acknowledged input."""
    reason = "PERSISTENCE_FAILED"


BY_REASON: dict[str, type[MarkcapError]] = {
    error_type.reason: error_type for error_type in (
        InvalidInputError, MalformedRequestError, UnknownIdError, SeqGapError, DuplicateTooOldError,
        SeqContentDiffersError, PreconditionFailedError, LimitExceededError, DiskSpaceLowError,
        ServerStoppingError, PersistenceFailedError)}


def _markcap_info(details: tuple) -> error_details_pb2.ErrorInfo | None:
    return next((d for d in details if isinstance(d, error_details_pb2.ErrorInfo)
                 and d.domain == ERROR_DOMAIN), None)


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
