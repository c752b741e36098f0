"""Retrying a call on UNAVAILABLE, within one overall deadline.

Only the caller knows whether a call is safe to repeat (a query, or an input
carrying an explicit seq that the server will answer as a duplicate); this
module only does the waiting and the counting.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, TypeVar

import grpc

from .errors import MarkcapError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """At most `attempts` tries; waits `initial_backoff` seconds, then `multiplier` times more each time."""

    attempts: int = 4
    initial_backoff: float = 0.1
    multiplier: float = 2.0
    max_backoff: float = 1.0

    def backoff(self, failures: int) -> float:
        """Seconds to wait after the `failures`-th consecutive failure (1-based)."""
        return min(self.initial_backoff * self.multiplier ** (failures - 1), self.max_backoff)


def is_unavailable(error: grpc.RpcError) -> bool:
    code = getattr(error, "code", None)
    return callable(code) and code() == grpc.StatusCode.UNAVAILABLE


def call_with_retry(attempt: Callable[[float | None], T], *, retryable: bool,
                    policy: RetryPolicy, timeout: float | None) -> T:
    """Runs `attempt(seconds_left)` until it succeeds, retrying UNAVAILABLE when
    `retryable` and the deadline (`timeout` seconds from now; None: no deadline)
    leaves room for the wait. Raises MarkcapError for the last failure."""
    deadline = None if timeout is None else time.monotonic() + timeout
    failures = 0
    while True:
        try:
            return attempt(_seconds_left(deadline))
        except grpc.RpcError as error:
            failures += 1
            wait = policy.backoff(failures)
            if not (retryable and is_unavailable(error) and failures < policy.attempts
                    and _has_room(deadline, wait)):
                raise MarkcapError.from_rpc_error(error) from None
        time.sleep(wait)


def _seconds_left(deadline: float | None) -> float | None:
    return None if deadline is None else max(deadline - time.monotonic(), 0.0)


def _has_room(deadline: float | None, wait: float) -> bool:
    return deadline is None or time.monotonic() + wait < deadline
