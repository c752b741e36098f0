"""The one table from engine exceptions (and a malformed request) to gRPC status codes, with rich details.

Anything not in the table is INTERNAL and logged with its traceback. Handlers
never call context.abort themselves: they raise, and `reports_errors` turns the
exception into the call's status.
"""
from __future__ import annotations

import functools
import inspect
import logging

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from markcap.engine import (DuplicateTooOld, EngineError, InvalidInput, LimitExceeded,
                            PreconditionFailed, SequenceGap, UnknownId)

from .free_space import DiskSpaceLow
from .input_digests import SeqContentDiffers
from .inputs import ServerStopping

LOG = logging.getLogger(__name__)
ERROR_DOMAIN = "markcap.v1"


class MalformedRequest(Exception):
    """A request message that does not parse as the method's request (malformed.py)."""

    def __init__(self, method: str, detail: str):
        super().__init__(f"{method}: {detail}; nothing of it was applied")
        self.method = method


# Most specific first: SequenceGap, DuplicateTooOld and SeqContentDiffers are PreconditionFailed.
# DiskSpaceLow is no engine error (the input is fine, the disk is not): UNAVAILABLE, so a
# client retries it later.
STATUS_CODES: tuple[tuple[type[Exception], int], ...] = (
    (InvalidInput, code_pb2.INVALID_ARGUMENT),
    (MalformedRequest, code_pb2.INVALID_ARGUMENT),
    (UnknownId, code_pb2.NOT_FOUND),
    (PreconditionFailed, code_pb2.FAILED_PRECONDITION),
    (LimitExceeded, code_pb2.RESOURCE_EXHAUSTED),
    (DiskSpaceLow, code_pb2.UNAVAILABLE),
    (ServerStopping, code_pb2.UNAVAILABLE),
)
KNOWN_ERRORS = tuple(error_class for error_class, _ in STATUS_CODES)


class BatchRejected(Exception):
    """An engine error in one StreamDeltas batch; `label` (e.g. "batch seq 12") prefixes it."""

    def __init__(self, label: str, cause: EngineError):
        super().__init__(f"{label}: {cause}")
        self.label = label
        self.cause = cause


def _bad_request(error: InvalidInput) -> error_details_pb2.BadRequest:
    violation = error_details_pb2.BadRequest.FieldViolation(field=error.field,
                                                            description=str(error))
    return error_details_pb2.BadRequest(field_violations=[violation])


def _resource_info(error: UnknownId) -> error_details_pb2.ResourceInfo:
    return error_details_pb2.ResourceInfo(resource_type=error.kind,
                                          resource_name=str(error.id_value),
                                          description=str(error))


def _error_info(reason: str, **metadata: object) -> error_details_pb2.ErrorInfo:
    return error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN,
                                       metadata={k: str(v) for k, v in metadata.items()})


def _details(error: Exception):
    """The rich detail a client can act on, or None."""
    if isinstance(error, MalformedRequest):
        return _error_info("MALFORMED_REQUEST", method=error.method)
    if isinstance(error, InvalidInput):
        return _bad_request(error)
    if isinstance(error, UnknownId):
        return _resource_info(error)
    if isinstance(error, SequenceGap):
        return _error_info("SEQ_GAP", expected_seq=error.expected, got_seq=error.got)
    if isinstance(error, SeqContentDiffers):
        return _error_info("SEQ_CONTENT_DIFFERS", seq=error.seq)
    if isinstance(error, DuplicateTooOld):
        return _error_info("DUPLICATE_TOO_OLD", seq=error.seq,
                           oldest_retained_seq=error.oldest_retained)
    if isinstance(error, DiskSpaceLow):
        return _error_info("DISK_SPACE_LOW", free_bytes=error.free_bytes,
                           floor_bytes=error.floor_bytes)
    if isinstance(error, LimitExceeded):
        return _error_info("LIMIT_EXCEEDED", limit_name=error.limit_name, limit=error.limit,
                           got=error.got)
    return None


def code_for(error: BaseException) -> int:
    """google.rpc.Code number for an exception (INTERNAL when not in the table)."""
    for error_class, code in STATUS_CODES:
        if isinstance(error, error_class):
            return code
    return code_pb2.INTERNAL


def status_for(error: Exception) -> status_pb2.Status:
    cause = error.cause if isinstance(error, BatchRejected) else error
    status = status_pb2.Status(code=code_for(cause), message=str(error))
    detail = _details(cause)
    if detail is not None:
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
