"""Durability: the journal of acknowledged inputs and the snapshots of state, behind a
small interface (store.Journal, store.Snapshots) with file and in-memory versions."""
from .errors import (CorruptJournal, DataDirInUse, JournalGap, SnapshotFormatError,
                     StoreError)
from .fsync import FsyncPolicy
from .records import JournalRecord, RecordKind
from .store import Journal, Snapshots, Store, memory_store, open_store

__all__ = ["CorruptJournal", "DataDirInUse", "FsyncPolicy", "Journal", "JournalGap",
           "JournalRecord", "RecordKind", "SnapshotFormatError", "Snapshots", "Store", "StoreError",
           "memory_store", "open_store"]
