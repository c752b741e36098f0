"""The single writer: every call into the engine runs under one lock.

gRPC handlers run on many threads; the engine is single-threaded. Serialising
all calls makes state changes happen in one order (deterministic) and lets
queries see a state between inputs, never one half-way through.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Callable, TypeVar

from .engine_api import EngineApi

Result = TypeVar("Result")


class SerializedEngine:
    """The engine behind one lock: `exclusive()` for inputs, `read()` for queries."""

    def __init__(self, engine: EngineApi):
        self._engine = engine
        self._lock = threading.Lock()

    @contextmanager
    def exclusive(self) -> Iterator[EngineApi]:
        """The engine under the lock, for a change in several steps (apply, journal, publish)."""
        with self._lock:
            yield self._engine

    def held(self) -> EngineApi:
        """The engine, for code called inside `exclusive()` (e.g. a callback of an input)."""
        assert self._lock.locked(), "the writer's lock is not held"
        return self._engine

    def read(self, query: Callable[[EngineApi], Result]) -> Result:
        """Runs a query, e.g. `read(lambda engine: engine.account(7))`, between inputs."""
        with self._lock:
            return query(self._engine)
