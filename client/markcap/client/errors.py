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
        info = next((d for d in self.details if isinstance(d, error_details_pb2.ErrorInfo)
                     and d.domain == ERROR_DOMAIN), None)
        self.metadata = dict(info.metadata) if info is not None else {}

    def __str__(self) -> str:
        return f"{self.code.name}: {self.message}"

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> "MarkcapError":
        """Converts what grpc raised; tolerates errors that are not a grpc.Call."""
        code = _call_attribute(error, "code") or grpc.StatusCode.UNKNOWN
        message = _call_attribute(error, "details") or str(error)
        details = _rich_details(error)
        reason = next((d.reason for d in details if isinstance(d, error_details_pb2.ErrorInfo)
                       and d.domain == ERROR_DOMAIN), "")
        return BY_REASON.get(reason, cls)(code, message, details)

    def _int(self, key: str) -> int | None:
        return int(self.metadata[key]) if key in self.metadata else None


class InvalidInputError(MarkcapError):
    """INVALID_ARGUMENT: a value the contract refuses; `field` names it. Nothing applied."""
    reason = "INVALID_INPUT"

    @property
    def field(self) -> str:
        return self.metadata.get("field", "")


class MalformedRequestError(MarkcapError):
    """INVALID_ARGUMENT: the message did not parse as the method's request."""
    reason = "MALFORMED_REQUEST"

    @property
    def method(self) -> str:
        return self.metadata.get("method", "")


class UnknownIdError(MarkcapError):
    """NOT_FOUND: an unknown account, instrument or currency."""
    reason = "UNKNOWN_ID"

    @property
    def resource_type(self) -> str:
        return self.metadata.get("resource_type", "")

    @property
    def resource_name(self) -> str:
        return self.metadata.get("resource_name", "")


class SeqGapError(MarkcapError):
    """FAILED_PRECONDITION: the seq is beyond the next one; resend from `expected_seq`."""
    reason = "SEQ_GAP"

    @property
    def expected_seq(self) -> int | None:
        return self._int("expected_seq")

    @property
    def got_seq(self) -> int | None:
        return self._int("got_seq")


class DuplicateTooOldError(MarkcapError):
    """FAILED_PRECONDITION: a duplicate older than the outcomes the server keeps."""
    reason = "DUPLICATE_TOO_OLD"

    @property
    def seq(self) -> int | None:
        return self._int("seq")

    @property
    def oldest_retained_seq(self) -> int | None:
        return self._int("oldest_retained_seq")


class SeqContentDiffersError(MarkcapError):
    """FAILED_PRECONDITION: the seq was applied with other content (a producer bug)."""
    reason = "SEQ_CONTENT_DIFFERS"

    @property
    def seq(self) -> int | None:
        return self._int("seq")


class PreconditionFailedError(MarkcapError):
    """FAILED_PRECONDITION: the state does not allow the input."""
    reason = "PRECONDITION_FAILED"


class LimitExceededError(MarkcapError):
    """RESOURCE_EXHAUSTED: over a server limit (`limit_name`, its `limit`, what was asked)."""
    reason = "LIMIT_EXCEEDED"

    @property
    def limit_name(self) -> str:
        return self.metadata.get("limit_name", "")

    @property
    def limit(self) -> int | None:
        return self._int("limit")

    @property
    def got(self) -> int | None:
        return self._int("got")


class DiskSpaceLowError(MarkcapError):
    """UNAVAILABLE: the data dir is nearly full; inputs are refused until space is freed."""
    reason = "DISK_SPACE_LOW"

    @property
    def free_bytes(self) -> int | None:
        return self._int("free_bytes")

    @property
    def floor_bytes(self) -> int | None:
        return self._int("floor_bytes")


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
