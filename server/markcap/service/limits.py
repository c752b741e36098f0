"""Limits on what one client can ask of the server, each refused with
RESOURCE_EXHAUSTED naming the limit (LimitExceeded, mapped by status_codes).

- max_message_bytes: the largest request message, checked on its wire size
  before it is parsed. gRPC's own cap sits above it (RECEIVE_HEADROOM), so
  messages between the two get markcap's message; larger ones gRPC's
  "received message larger than max", also RESOURCE_EXHAUSTED.
- max_batch_length: fills plus transfers in one StreamDeltas batch; a batch
  holds the single writer for its whole length, so this bounds how long a
  mark can wait behind one.
- max_delta_streams, max_watch_streams: StreamDeltas and WatchEvents calls open at
  once, each kind with its own slots, so read-only subscribers can never take the
  producer's. A stream holds a worker thread, so the pool has both limits plus
  UNARY_WORKERS threads.
- max_watch_backlog: how far (in events) a WatchEvents consumer that has caught
  up may fall behind the newest event before it is cut off (see events.py).
- max_sweep_steps: the most steps one sweep runs (a request's max_steps of 0, or more,
  becomes this, and is journaled so, so a replay stops where the live call did); a sweep
  that stops there says SWEEP_STOP_REASON_MAX_STEPS.
- max_mark_items: liquidations + ADL fills + steps one ApplyMark or ApplyMarks call may
  answer with; a call that would exceed it is refused whole (the engine rolls it back)
  and keeps its response and journal record well inside the message limits.
"""
from __future__ import annotations

import argparse
import threading
from dataclasses import dataclass
from typing import Iterator

import grpc
from grpc_status import rpc_status

from markcap.engine import LimitExceeded

from .interceptors import SERVICE_PREFIX, behavior_of, is_markcap_call, rewrap
from .status_codes import status_for

STREAM_DELTAS = SERVICE_PREFIX + "StreamDeltas"
WATCH_EVENTS = SERVICE_PREFIX + "WatchEvents"
UNARY_WORKERS = 16
RECEIVE_HEADROOM = 1024 * 1024
GRPC_MAX_MESSAGE = 2**31 - 1
SEND_MESSAGE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_message_bytes: int = 64 * 1024 * 1024
    max_batch_length: int = 1_000_000
    max_delta_streams: int = 8
    max_watch_streams: int = 32
    max_watch_backlog: int = 10_000
    max_sweep_steps: int = 100_000
    max_mark_items: int = 200_000  # at about 100 bytes each: 20 MB, under SEND_MESSAGE_BYTES

    def worker_threads(self) -> int:
        return self.max_delta_streams + self.max_watch_streams + UNARY_WORKERS

    def grpc_options(self) -> tuple[tuple[str, int], ...]:
        receive = min(GRPC_MAX_MESSAGE, self.max_message_bytes + RECEIVE_HEADROOM)
        send = max(SEND_MESSAGE_BYTES, self.max_message_bytes)
        return (("grpc.max_receive_message_length", receive),
                ("grpc.max_send_message_length", send))


def _at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return int(text)


class _Replaced(argparse.Action):
    """The one shared stream limit of earlier versions: refused with what replaced it (exit 2)."""

    def __call__(self, parser, namespace, values, option_string=None):
        parser.error(f"{option_string} was split in two: --max-delta-streams (StreamDeltas, so the "
                     f"producer always finds a slot) and --max-watch-streams (WatchEvents)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Limits()
    group = parser.add_argument_group("limits (over a limit: RESOURCE_EXHAUSTED naming it)")
    group.add_argument("--max-message-bytes", type=_at_least_one,
                       default=defaults.max_message_bytes, metavar="N",
                       help="largest request message, in bytes (default %(default)s)")
    group.add_argument("--max-batch-length", type=_at_least_one,
                       default=defaults.max_batch_length, metavar="N",
                       help="fills + transfers in one StreamDeltas batch (default %(default)s)")
    group.add_argument("--max-delta-streams", type=_at_least_one,
                       default=defaults.max_delta_streams, metavar="N",
                       help="StreamDeltas calls open at once (default %(default)s)")
    group.add_argument("--max-watch-streams", type=_at_least_one,
                       default=defaults.max_watch_streams, metavar="N",
                       help="WatchEvents calls open at once; they never take StreamDeltas' "
                            "slots (default %(default)s)")
    group.add_argument("--max-concurrent-streams", action=_Replaced, nargs="?", help=argparse.SUPPRESS)
    group.add_argument("--max-watch-backlog", type=_at_least_one,
                       default=defaults.max_watch_backlog, metavar="N",
                       help="events a caught-up WatchEvents consumer may fall behind before "
                            "it is cut off (default %(default)s)")
    group.add_argument("--max-sweep-steps", type=_at_least_one,
                       default=defaults.max_sweep_steps, metavar="N",
                       help="most steps of one sweep (default %(default)s)")
    group.add_argument("--max-mark-items", type=_at_least_one,
                       default=defaults.max_mark_items, metavar="N",
                       help="liquidations + ADL fills + steps in one ApplyMark(s) answer; "
                            "more is refused whole (default %(default)s)")


def from_args(args: argparse.Namespace) -> Limits:
    return Limits(max_message_bytes=args.max_message_bytes,
                  max_batch_length=args.max_batch_length,
                  max_delta_streams=args.max_delta_streams,
                  max_watch_streams=args.max_watch_streams,
                  max_watch_backlog=args.max_watch_backlog,
                  max_sweep_steps=args.max_sweep_steps, max_mark_items=args.max_mark_items)


def bound_sweeps(marks, max_sweep_steps: int) -> None:
    """Writes the server's step bound into each sweeping mark request whose max_steps is 0 or
    above it, so the journal holds the bound the call ran with."""
    for mark in marks:
        if mark.sweep and not 0 < mark.max_steps <= max_sweep_steps:
            mark.max_steps = max_sweep_steps


def _abort(context: grpc.ServicerContext, error: LimitExceeded):
    context.abort_with_status(rpc_status.to_status(status_for(error)))


class StreamSlots:
    """Slots for one streaming method: `take` one (False when all are in use), `give_back`."""

    def __init__(self, method_name: str, limit_name: str, limit: int):
        self.method_name, self.limit_name, self.limit = method_name, limit_name, limit
        self._lock = threading.Lock()
        self._open = 0

    @property
    def open(self) -> int:
        """Streams holding a slot now (read by the metrics at each scrape)."""
        return self._open

    def take(self) -> bool:
        with self._lock:
            if self._open >= self.limit:
                return False
            self._open += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self._open -= 1

    def refusal(self) -> LimitExceeded:
        flag = "--" + self.limit_name.replace("_", "-")
        return LimitExceeded(
            f"{self.limit} {self.method_name} streams are already open: {self.limit_name} "
            f"({flag}); retry later", limit_name=self.limit_name, limit=self.limit,
            got=self.limit + 1)


class _Oversized:
    """Stands in for a request too large to parse; the handler wrapper refuses it."""

    def __init__(self, size: int):
        self.size = size


class LimitsInterceptor(grpc.ServerInterceptor):
    """Applies Limits to RiskEngineService calls (health and reflection pass untouched)."""

    def __init__(self, limits: Limits):
        self._limits = limits
        self.delta_streams = StreamSlots("StreamDeltas", "max_delta_streams",
                                         limits.max_delta_streams)
        self.watch_streams = StreamSlots("WatchEvents", "max_watch_streams",
                                         limits.max_watch_streams)
        # Every streaming-response method has its slots; a new one must be added here.
        self._slots = {STREAM_DELTAS: self.delta_streams, WATCH_EVENTS: self.watch_streams}

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if not is_markcap_call(handler, handler_call_details):
            return handler
        behavior = self._checked_requests(behavior_of(handler), handler.request_streaming,
                                          handler_call_details.method == STREAM_DELTAS)
        if handler.response_streaming:
            behavior = _counted_stream(self._slots[handler_call_details.method], behavior)
        return rewrap(handler, behavior, self._sized(handler.request_deserializer))

    def _sized(self, deserializer):
        limit = self._limits.max_message_bytes

        def deserialize(data: bytes):
            return _Oversized(len(data)) if len(data) > limit else deserializer(data)
        return deserialize

    def _message_error(self, size: int) -> LimitExceeded:
        limit = self._limits.max_message_bytes
        return LimitExceeded(
            f"request message of {size} bytes exceeds max_message_bytes {limit} "
            "(--max-message-bytes)", limit_name="max_message_bytes", limit=limit, got=size)

    def _check_batch(self, request) -> None:
        """Raises LimitExceeded when a StreamDeltas batch has too many fills + transfers."""
        length = len(request.fills.account_id) + len(request.transfers.account_id)
        limit = self._limits.max_batch_length
        if length > limit:
            raise LimitExceeded(
                f"batch seq {request.seq}: {length} fills and transfers exceed "
                f"max_batch_length {limit} (--max-batch-length); nothing of it was applied",
                limit_name="max_batch_length", limit=limit, got=length)

    def _checked_requests(self, behavior, request_streaming: bool, is_deltas: bool):
        if request_streaming:
            def with_checked_stream(request_iterator, context):
                return behavior(self._checked_iterator(request_iterator, is_deltas), context)
            return with_checked_stream

        def with_checked_request(request, context):
            if isinstance(request, _Oversized):
                _abort(context, self._message_error(request.size))
            return behavior(request, context)
        return with_checked_request

    def _checked_iterator(self, requests: Iterator, is_deltas: bool) -> Iterator:
        """Raised inside the handler's loop, so the handler reports it like its own errors."""
        for request in requests:
            if isinstance(request, _Oversized):
                raise self._message_error(request.size)
            if is_deltas:
                self._check_batch(request)
            yield request


def _counted_stream(slots: StreamSlots, behavior):
    def counted(request_or_iterator, context):
        if not slots.take():
            _abort(context, slots.refusal())
        try:
            yield from behavior(request_or_iterator, context)
        finally:
            slots.give_back()
    return counted
