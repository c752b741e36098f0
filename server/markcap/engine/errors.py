"""Domain errors of the engine: exceptions with fields, no transport codes.

The service layer maps each class to one gRPC status code in a single table;
the engine only says what kind of failure it is.
"""
from __future__ import annotations


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class InvalidInput(EngineError):
    """A request value is malformed: NaN, non-positive price, qty 0, bad enum."""

    def __init__(self, message: str, *, field: str = "", value: object = None):
        super().__init__(message)
        self.field = field
        self.value = value


class UnknownId(EngineError):
    """A referenced id (instrument, currency, account) does not exist."""

    def __init__(self, message: str, *, kind: str, id_value: int, field: str = ""):
        super().__init__(message)
        self.kind = kind
        self.id_value = id_value
        self.field = field


class PreconditionFailed(EngineError):
    """The state forbids the call (e.g. changing the multiplier of a held instrument)."""


class SequenceGap(PreconditionFailed):
    """The request's seq is ahead of last applied + 1."""

    def __init__(self, got: int, expected: int):
        super().__init__(f"seq {got} leaves a gap: expected seq {expected} (or 0 to auto-assign)")
        self.got = got
        self.expected = expected


class DuplicateTooOld(PreconditionFailed):
    """A duplicate seq whose original outcome is no longer retained."""

    def __init__(self, seq: int, oldest_retained: int):
        super().__init__(
            f"seq {seq} was already applied, but its outcome is no longer retained "
            f"(oldest retained: {oldest_retained})")
        self.seq = seq
        self.oldest_retained = oldest_retained


class LimitExceeded(EngineError):
    """A configured limit (batch length, message size) was exceeded."""

    def __init__(self, message: str, *, limit_name: str, limit: int, got: int):
        super().__init__(message)
        self.limit_name = limit_name
        self.limit = limit
        self.got = got
