"""The error contract: one table from exceptions to gRPC status codes, ErrorInfo reasons and details.

Anything not in the table is INTERNAL and logged with its traceback. Handlers
never call context.abort themselves: they raise, and `reports_errors` turns the
exception into the call's status.
"""
from __future__ import annotations

import functools
import inspect
import logging
from dataclasses import dataclass
from typing import Callable

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from markcap.engine import (DuplicateTooOld, EngineError, InvalidInput, LimitExceeded,
                            PreconditionFailed, SequenceGap, UnknownId)

from .free_space import DiskSpaceLow
from .input_digests import SeqContentDiffers
from .inputs import PersistenceFailed, ServerStopping

LOG = logging.getLogger(__name__)
ERROR_DOMAIN = "markcap.v1"


class MalformedRequest(Exception):
    """A request message that does not parse as the method's request (malformed.py)."""

    def __init__(self, method: str, detail: str):
        super().__init__(f"{method}: {detail}; nothing of it was applied")
        self.method = method


@dataclass(frozen=True)
class ErrorClass:
    """One row of the error contract: an exception class, the status code it becomes, its
    ErrorInfo reason (markcap.v1.ErrorReason's name without the prefix) and metadata, and
    the google.rpc detail that says more (BadRequest, ResourceInfo), if any."""

    error: type[Exception]
    code: int
    reason: str
    metadata: Callable[[Exception], dict] = lambda error: {}
    detail: Callable[[Exception], object] | None = None


def _bad_request(error: InvalidInput) -> error_details_pb2.BadRequest:
    violation = error_details_pb2.BadRequest.FieldViolation(field=error.field,
                                                            description=str(error))
    return error_details_pb2.BadRequest(field_violations=[violation])


def _resource_info(error: UnknownId) -> error_details_pb2.ResourceInfo:
    return error_details_pb2.ResourceInfo(resource_type=error.kind,
                                          resource_name=str(error.id_value),
                                          description=str(error))


# The error contract (docs/errors.md), most specific class first: SequenceGap,
# DuplicateTooOld and SeqContentDiffers are PreconditionFailed. The UNAVAILABLE rows are
# no fault of the input (a disk nearly full, a stop, a failed journal): a client retries.
ERRORS: tuple[ErrorClass, ...] = (
    ErrorClass(InvalidInput, code_pb2.INVALID_ARGUMENT, "INVALID_INPUT",
               lambda e: {"field": e.field}, _bad_request),
    ErrorClass(MalformedRequest, code_pb2.INVALID_ARGUMENT, "MALFORMED_REQUEST",
               lambda e: {"method": e.method}),
    ErrorClass(UnknownId, code_pb2.NOT_FOUND, "UNKNOWN_ID",
               lambda e: {"resource_type": e.kind, "resource_name": e.id_value}, _resource_info),
    ErrorClass(SequenceGap, code_pb2.FAILED_PRECONDITION, "SEQ_GAP",
               lambda e: {"expected_seq": e.expected, "got_seq": e.got}),
    ErrorClass(DuplicateTooOld, code_pb2.FAILED_PRECONDITION, "DUPLICATE_TOO_OLD",
               lambda e: {"seq": e.seq, "oldest_retained_seq": e.oldest_retained}),
    ErrorClass(SeqContentDiffers, code_pb2.FAILED_PRECONDITION, "SEQ_CONTENT_DIFFERS",
               lambda e: {"seq": e.seq}),
    ErrorClass(PreconditionFailed, code_pb2.FAILED_PRECONDITION, "PRECONDITION_FAILED"),
    ErrorClass(LimitExceeded, code_pb2.RESOURCE_EXHAUSTED, "LIMIT_EXCEEDED",
               lambda e: {"limit_name": e.limit_name, "limit": e.limit, "got": e.got}),
    ErrorClass(DiskSpaceLow, code_pb2.UNAVAILABLE, "DISK_SPACE_LOW",
               lambda e: {"free_bytes": e.free_bytes, "floor_bytes": e.floor_bytes}),
    ErrorClass(ServerStopping, code_pb2.UNAVAILABLE, "SERVER_STOPPING"),
    ErrorClass(PersistenceFailed, code_pb2.UNAVAILABLE, "PERSISTENCE_FAILED"),
)
KNOWN_ERRORS = tuple(row.error for row in ERRORS)


class BatchRejected(Exception):
    """An engine error in one StreamDeltas batch; `label` (e.g. "batch seq 12") prefixes it."""

    def __init__(self, label: str, cause: EngineError):
        super().__init__(f"{label}: {cause}")
        self.label = label
        self.cause = cause


def _error_info(reason: str, **metadata: object) -> error_details_pb2.ErrorInfo:
    return error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN,
                                       metadata={k: str(v) for k, v in metadata.items()})


def _row(error: BaseException) -> ErrorClass | None:
    for row in ERRORS:
        if isinstance(error, row.error):
            return row
    return None


def _details(error: Exception) -> list:
    """ErrorInfo (reason and metadata) first, then the row's own detail, if any."""
    row = _row(error)
    if row is None:
        return []
    details = [_error_info(row.reason, **row.metadata(error))]
    if row.detail is not None:
        details.append(row.detail(error))
    return details


def code_for(error: BaseException) -> int:
    """google.rpc.Code number for an exception (INTERNAL when not in the table)."""
    row = _row(error)
    return code_pb2.INTERNAL if row is None else row.code


def status_for(error: Exception) -> status_pb2.Status:
    cause = error.cause if isinstance(error, BatchRejected) else error
    status = status_pb2.Status(code=code_for(cause), message=str(error))
    for detail in _details(cause):
        packed = any_pb2.Any()
        packed.Pack(detail)
        status.details.append(packed)
    return status


def _internal(error: Exception) -> status_pb2.Status:
    LOG.exception("internal error")
    return status_pb2.Status(code=code_pb2.INTERNAL,
                             message=f"internal error: {type(error).__name__}: {error}")


def _abort(context: grpc.ServicerContext, error: Exception):
    if isinstance(error, grpc.RpcError) or not context.is_active():
        raise error  # the call is already over (client cancelled or went away)
    known = isinstance(error, (EngineError, *KNOWN_ERRORS, BatchRejected))
    status = status_for(error) if known else _internal(error)
    context.abort_with_status(rpc_status.to_status(status))


def reports_errors(handler):
    """Wraps a servicer method (unary or streaming) so exceptions become statuses."""
    if inspect.isgeneratorfunction(handler):
        @functools.wraps(handler)
        def stream(self, request, context):
            try:
                yield from handler(self, request, context)
            except Exception as error:  # noqa: BLE001 - mapped, never swallowed
                _abort(context, error)
        return stream

    @functools.wraps(handler)
    def unary(self, request, context):
        try:
            return handler(self, request, context)
        except Exception as error:  # noqa: BLE001 - mapped, never swallowed
            _abort(context, error)
    return unary
