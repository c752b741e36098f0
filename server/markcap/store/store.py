"""A store: a journal and its snapshots, on disk under one locked directory or in memory.

    <data dir>/LOCK                 flock'ed by the one server using the directory
    <data dir>/journal/*.journal    segments of records (journal.py)
    <data dir>/snapshots/*.snapshot primary state at a seq (snapshots.py)
"""
from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from markcap.engine.snapshot import StateSnapshot

from .errors import DataDirInUse
from .journal import DEFAULT_SEGMENT_BYTES, FileJournal
from .memory import MemoryJournal, MemorySnapshots
from .records import JournalRecord
from .snapshots import SnapshotDirectory
from .sync_files import remove_temp_files

LOG = logging.getLogger("markcap.store")


class Journal(Protocol):
    repairs: list[str]
    synced_seq: int | None  # last seq made durable
    appended_bytes: int     # written since opened

    @property
    def size_bytes(self) -> int: ...  # what the journal's files take on disk

    @property
    def first_seq(self) -> int | None: ...
    @property
    def next_seq(self) -> int | None: ...
    @property
    def last_seq(self) -> int | None: ...
    def continue_at(self, next_seq: int) -> None: ...
    def append(self, record: JournalRecord) -> None: ...
    def sync(self) -> None: ...
    def get(self, seq: int) -> JournalRecord | None: ...
    def read(self, from_seq: int, through_seq: int) -> Iterator[JournalRecord]: ...
    def prune_before(self, seq: int) -> int: ...
    def close(self) -> None: ...


class Snapshots(Protocol):
    skipped: list[str]

    def seqs(self) -> list[int]: ...
    def save(self, snapshot: StateSnapshot) -> object: ...
    def load_newest(self, format_version: int) -> StateSnapshot | None: ...
    def prune(self, keep: int) -> list[int]: ...


@dataclass
class Store:
    journal: Journal
    snapshots: Snapshots
    location: str
    _lock_fd: int | None = field(default=None, repr=False)

    def close(self) -> None:
        self.journal.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None


def _lock(data_dir: Path) -> int:
    """Holds `<data dir>/LOCK` exclusively for this process's lifetime."""
    fd = os.open(data_dir / "LOCK", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise DataDirInUse(f"data dir {data_dir} is in use by another markcap-server "
                           f"(pid {holder}); two servers on one journal would corrupt it") from None
    try:  # only a hint for the message above: a full disk must not stop the start
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
    except OSError as error:
        LOG.warning("data dir %s: could not write this pid to LOCK (%s)", data_dir, error)
    return fd


def open_store(data_dir: Path, segment_bytes: int = DEFAULT_SEGMENT_BYTES) -> Store:
    """Locks and opens a data directory (creating it), repairing a torn journal tail."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    lock_fd = _lock(data_dir)
    try:
        for directory in (data_dir, data_dir / "journal"):
            remove_temp_files(directory)
        snapshots = SnapshotDirectory(data_dir / "snapshots")
        journal = FileJournal(data_dir / "journal", segment_bytes)
    except BaseException:
        os.close(lock_fd)
        raise
    return Store(journal, snapshots, str(data_dir.resolve()), lock_fd)


def memory_store() -> Store:
    return Store(MemoryJournal(), MemorySnapshots(), "memory")
