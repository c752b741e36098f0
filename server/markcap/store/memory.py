"""The store's in-memory version, for tests: the same contract as the files, no disk."""
from __future__ import annotations

import copy
from collections.abc import Iterator

from markcap.engine.snapshot import StateSnapshot

from .errors import JournalGap, SnapshotFormatError
from .records import JournalRecord


class MemoryJournal:
    def __init__(self) -> None:
        self.records: list[JournalRecord] = []
        self._first_seq: int | None = None
        self.repairs: list[str] = []
        self.syncs = 0  # how often sync was called, and the last seq it covered
        self.synced_seq: int | None = None
        self.appended_bytes = 0

    @property
    def size_bytes(self) -> int:
        return sum(len(r.request) + len(r.response) for r in self.records)

    @property
    def first_seq(self) -> int | None:
        return self._first_seq

    @property
    def next_seq(self) -> int | None:
        return None if self._first_seq is None else self._first_seq + len(self.records)

    @property
    def last_seq(self) -> int | None:
        next_seq = self.next_seq
        return None if next_seq is None else next_seq - 1

    def continue_at(self, next_seq: int) -> None:
        if self.next_seq != next_seq:
            self.records, self._first_seq = [], next_seq

    def append(self, record: JournalRecord) -> None:
        if record.seq != self.next_seq:
            raise ValueError(f"journal record seq {record.seq}: expected {self.next_seq}")
        self.records.append(record)
        self.appended_bytes += len(record.request) + len(record.response)

    def sync(self) -> None:
        self.syncs += 1
        self.synced_seq = self.last_seq

    def get(self, seq: int) -> JournalRecord | None:
        if self._first_seq is None or not self._first_seq <= seq < self.next_seq:
            return None
        return self.records[seq - self._first_seq]

    def read(self, from_seq: int, through_seq: int) -> Iterator[JournalRecord]:
        for seq in range(from_seq, through_seq + 1):
            record = self.get(seq)
            if record is None:
                raise JournalGap(f"the journal does not hold seq {seq}", self._first_seq)
            yield record

    def prune_before(self, seq: int) -> int:
        if self._first_seq is None or seq <= self._first_seq:
            return 0
        dropped = min(seq, self.next_seq) - self._first_seq
        del self.records[:dropped]
        self._first_seq += dropped
        return dropped

    def close(self) -> None:
        pass


class MemorySnapshots:
    def __init__(self) -> None:
        self.by_seq: dict[int, StateSnapshot] = {}
        self.skipped: list[str] = []

    def seqs(self) -> list[int]:
        return sorted(self.by_seq)

    def save(self, snapshot: StateSnapshot) -> str:
        self.by_seq[snapshot.seq] = copy.deepcopy(snapshot)
        return f"memory:{snapshot.seq}"

    def load_newest(self, format_version: int) -> StateSnapshot | None:
        if not self.by_seq:
            return None
        newest = self.by_seq[max(self.by_seq)]
        if newest.format_version != format_version:
            raise SnapshotFormatError(f"memory:{newest.seq}", newest.format_version, format_version)
        return copy.deepcopy(newest)

    def prune(self, keep: int) -> list[int]:
        seqs = self.seqs()
        for seq in seqs[:-keep]:
            del self.by_seq[seq]
        return seqs[-keep:]
