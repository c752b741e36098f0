"""An undo log: the one mechanism behind atomic batches and dry runs.

While a transaction is open every mutation of the state records how to revert
itself; `rollback` replays those in reverse order, so a rejected batch or a dry
run leaves the state exactly as it was (slots and rows included).
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager


class UndoLog:
    def __init__(self) -> None:
        self._entries: list[Callable[[], None]] | None = None

    @property
    def active(self) -> bool:
        return self._entries is not None

    def record(self, revert: Callable[[], None]) -> None:
        """Remembers how to revert a mutation that just happened (no-op outside a transaction)."""
        if self._entries is not None:
            self._entries.append(revert)

    @contextmanager
    def transaction(self, *, always_rollback: bool = False):
        """Runs the block atomically: on an exception (or when `always_rollback`) it is undone."""
        if self._entries is not None:
            raise RuntimeError("transactions do not nest")
        self._entries = []
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        else:
            if always_rollback:
                self._rollback()
        finally:
            self._entries = None

    def _rollback(self) -> None:
        entries, self._entries = self._entries, None
        for revert in reversed(entries or ()):
            revert()
