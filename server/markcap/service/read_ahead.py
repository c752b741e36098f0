"""Reads a request stream ahead on a helper thread, so the handler can take, in one go,
every message the client has already sent (group commit: one fsync for all of them)."""
from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator

_END = object()
_PUT_SECONDS = 0.2  # how often a blocked reader re-checks that the consumer is still there


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


class ReadAhead:
    """`with ReadAhead(items, limit) as ahead: for group in ahead.groups(): ...`"""

    def __init__(self, items: Iterable, limit: int):
        self._items = items
        self._queue: queue.Queue = queue.Queue(maxsize=limit)
        self._limit = limit
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._read, name="stream-read-ahead", daemon=True)

    def __enter__(self) -> "ReadAhead":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._closed.set()  # the reader ends at its next put, or when the stream ends

    def _put(self, item) -> bool:
        while not self._closed.is_set():
            try:
                self._queue.put(item, timeout=_PUT_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:
        try:
            for item in self._items:
                if not self._put(item):
                    return
        except BaseException as error:  # noqa: BLE001 - handed to the consumer
            self._put(_Failed(error))
            return
        self._put(_END)

    def groups(self) -> Iterator[list]:
        """Lists of at least one item: the next item (waiting for it) and those already read."""
        while True:
            group, ended = [], False
            item = self._queue.get()
            while True:
                if item is _END:
                    ended = True
                    break
                if isinstance(item, _Failed):
                    if group:
                        yield group
                    raise item.error
                group.append(item)
                if len(group) >= self._limit:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if group:
                yield group
            if ended:
                return
