"""What can go wrong with the data directory, as exceptions with the path and the fix."""
from __future__ import annotations


class StoreError(Exception):
    """The data directory cannot be used as it is; the message says why and what to do."""


class DataDirInUse(StoreError):
    """Another process holds the data directory's lock."""


class CorruptJournal(StoreError):
    """Damage the journal cannot repair by itself (not a torn tail of the newest segment)."""


class JournalGap(StoreError):
    """Records asked for are not in the journal (pruned, or never written)."""

    def __init__(self, message: str, first_available: int | None):
        super().__init__(message)
        self.first_available = first_available


class SnapshotFormatError(StoreError):
    """A snapshot written in a format version this markcap does not read."""

    def __init__(self, path: str, found: int, expected: int):
        super().__init__(
            f"snapshot {path} has format version {found}, but this markcap reads format "
            f"version {expected} only: start the markcap version that wrote it, or move the "
            f"snapshot out of the data directory to restore from an older snapshot and the journal")
        self.path, self.found, self.expected = path, found, expected
