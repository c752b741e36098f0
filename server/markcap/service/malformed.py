"""Request messages that do not parse: INVALID_ARGUMENT naming the method, one
rate-limited log line, nothing applied.

grpcio runs each method's request deserializer itself; when it raises, grpcio
answers INTERNAL "Exception deserializing request!" and logs a traceback, with no
way for the application to choose the status. Worse, on a streamed request it
then also lets the handler see a clean end of stream, so the handler's own status
is sent after grpcio's: that second send never completes, the call stays in the
server's books, and `server.stop(grace).wait()` never returns (issue 12 item 3).

So `MalformedRequestsInterceptor` registers every method (markcap's, health and
reflection alike) with a deserializer that never raises: a protobuf DecodeError
becomes a `Malformed` stand-in, which the handler wrapper refuses before the
servicer sees it. For a request stream the refusal is raised inside the handler's
loop (MalformedRequest, in status_codes' table), so a StreamDeltas stream ends
like a rejected batch: the batches before it stay applied.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Iterator

import grpc
from google.protobuf.message import DecodeError
from grpc_status import rpc_status

from .interceptors import behavior_of, rewrap
from .status_codes import MalformedRequest, status_for

LOG = logging.getLogger("markcap.service")
LOG_INTERVAL_SECONDS = 1.0


class Malformed:
    """Stands in for a request message that did not parse."""

    def __init__(self, error: DecodeError):
        self.error = error


class RateLimitedLog:
    """At most one line per key per `interval` seconds; each line counts those held back."""

    def __init__(self, interval: float = LOG_INTERVAL_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._next_at: dict[str, float] = {}
        self._held_back: dict[str, int] = {}

    def warning(self, key: str, message: str) -> bool:
        """Logs `message` (with the count held back since the last line) unless `key` was
        logged less than `interval` ago; returns whether it logged."""
        with self._lock:
            now = self._clock()
            if now < self._next_at.get(key, now):
                self._held_back[key] = self._held_back.get(key, 0) + 1
                return False
            self._next_at[key] = now + self._interval
            held_back = self._held_back.pop(key, 0)
        suffix = f" ({held_back} more since the last line)" if held_back else ""
        LOG.warning("%s%s", message, suffix)
        return True


class MalformedRequestsInterceptor(grpc.ServerInterceptor):
    """Refuses request messages that do not parse, on every method of the server."""

    def __init__(self, log: RateLimitedLog | None = None):
        self._log = log or RateLimitedLog()

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None or handler.request_deserializer is None:
            return handler
        method = handler_call_details.method
        behavior = behavior_of(handler)
        if handler.request_streaming:
            checked = self._checked_stream(method, behavior, handler.response_streaming)
        else:
            checked = self._checked_request(method, behavior)
        return rewrap(handler, checked, _never_raising(handler.request_deserializer))

    def _refusal(self, method: str, malformed: Malformed, message_number: int | None):
        which = f"request message {message_number}" if message_number else "the request message"
        error = MalformedRequest(method, f"{which} is malformed: {malformed.error}")
        self._log.warning(method, f"refused a malformed request to {method} with "
                                  f"INVALID_ARGUMENT: {malformed.error}")
        return error

    def _checked_request(self, method: str, behavior):
        def checked(request, context):
            if isinstance(request, Malformed):
                error = self._refusal(method, request, None)
                context.abort_with_status(rpc_status.to_status(status_for(error)))
            return behavior(request, context)
        return checked

    def _checked_stream(self, method: str, behavior, response_streaming: bool):
        def messages(requests: Iterator) -> Iterator:
            for number, request in enumerate(requests, start=1):
                if isinstance(request, Malformed):
                    raise self._refusal(method, request, number)
                yield request

        def refuse(context, error: MalformedRequest):
            """For handlers that do not map MalformedRequest themselves (reflection)."""
            if context.is_active():
                context.abort_with_status(rpc_status.to_status(status_for(error)))
            raise error

        if response_streaming:
            def checked_stream(requests, context):
                try:
                    yield from behavior(messages(requests), context)
                except MalformedRequest as error:
                    refuse(context, error)
            return checked_stream

        def checked_unary(requests, context):
            try:
                return behavior(messages(requests), context)
            except MalformedRequest as error:
                refuse(context, error)
        return checked_unary


def _never_raising(deserializer):
    """`deserializer`, with a message that does not parse as a Malformed stand-in."""
    def deserialize(data: bytes):
        try:
            return deserializer(data)
        except DecodeError as error:
            return Malformed(error)
    return deserialize
