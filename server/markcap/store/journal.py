"""The journal: an append-only log of records in segment files.

Layout: `<dir>/<first_seq, 20 digits>.journal`, each starting with a 16-byte
header (magic, u64 first seq) followed by framed records (records.py) whose
seqs run on without a gap. Only the newest segment is written; it is sealed
(fsynced) before the next one is created, so damage found in an older segment
is real corruption, while damage at the end of the newest one is a write cut
short by a crash: it is reported, cut off and never replayed.

The segment being written is zero-filled ahead of the writer (PREALLOCATE_BYTES
at a time), so an append overwrites blocks the file already has and its fdatasync
flushes data only, not the file's size: about half the cost of a growing file's
(docs/persistence.md). Zeros after the last record are unused space, not
damage; a sealed or closed segment is cut to its last record.

One writer appends; readers (history, duplicate answers) read through
read-only maps of the files, so they never block the writer for long.
"""
from __future__ import annotations

import logging
import mmap
import os
import struct
import threading
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import records
from .errors import CorruptJournal, JournalGap
from .records import DamagedRecord, JournalRecord
from .sync_files import fsync_directory

LOG = logging.getLogger("markcap.store")
HEADER = struct.Struct("<8sQ")  # magic, first seq
MAGIC = b"MCJRNL01"
SUFFIX = ".journal"
DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024
PREALLOCATE_BYTES = 1024 * 1024


def segment_name(first_seq: int) -> str:
    return f"{first_seq:020d}{SUFFIX}"


@dataclass
class Segment:
    path: Path
    first_seq: int
    offsets: array | None = None  # record start offsets; None until indexed
    end: int = HEADER.size        # bytes of intact data
    size: int = 0                 # the file's size once sealed (the active one: see _allocated)

    @property
    def count(self) -> int:
        return len(self.offsets)


@dataclass
class ScanResult:
    offsets: array = field(default_factory=lambda: array("Q"))
    end: int = HEADER.size
    damage: str | None = None


def _check_header(path: Path, data: bytes | mmap.mmap, first_seq: int) -> None:
    magic, header_seq = HEADER.unpack_from(data, 0)
    if magic != MAGIC or header_seq != first_seq:
        raise CorruptJournal(f"journal segment {path} has a bad header "
                             f"(magic {magic!r}, first seq {header_seq}); it is not a markcap "
                             f"journal segment for seq {first_seq}")


def scan_segment(path: Path, first_seq: int) -> ScanResult:
    """Indexes a segment's intact records; stops at the first damaged one.

    Zeros from the end of the intact records to the end of the file are
    preallocated space: the segment ends there cleanly.
    """
    result = ScanResult()
    with open(path, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        _check_header(path, data, first_seq)
        offset, expected = HEADER.size, first_seq
        while offset < len(data):
            try:
                record, after = records.decode(data, offset)
            except DamagedRecord as damage:
                rest = data[offset:]
                if rest.count(0) != len(rest):
                    result.damage = f"{damage} at offset {offset}"
                break
            if record.seq != expected:
                result.damage = f"record at offset {offset} has seq {record.seq}, expected {expected}"
                break
            result.offsets.append(offset)
            offset, expected = after, expected + 1
        result.end = offset
    return result


class FileJournal:
    def __init__(self, directory: Path, segment_bytes: int = DEFAULT_SEGMENT_BYTES):
        self.directory = Path(directory)
        self.segment_bytes = segment_bytes
        self.repairs: list[str] = []  # what opening had to cut off, for the log and status
        self.synced_seq: int | None = None  # last seq known to be on disk (fsynced)
        self.appended_bytes = 0  # written since this journal was opened
        self._segments: list[Segment] = []
        self._fd: int | None = None
        self._allocated = 0  # size of the active segment's file, zeros past its records
        self._sealed_bytes = 0  # sizes of the files of the segments before the active one
        self._dirty = False
        self._lock = threading.Lock()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._open_segments()

    # ---- opening --------------------------------------------------------------

    def _open_segments(self) -> None:
        paths = sorted(self.directory.glob(f"*{SUFFIX}"))
        for path in paths:
            try:
                first_seq = int(path.name.removesuffix(SUFFIX))
            except ValueError:
                raise CorruptJournal(f"unexpected file {path} in the journal directory") from None
            self._segments.append(Segment(path, first_seq, size=path.stat().st_size))
        if self._segments:
            self._open_newest()
        self._sealed_bytes = sum(segment.size for segment in self._segments[:-1])

    def _open_newest(self) -> None:
        newest = self._segments[-1]
        size = newest.path.stat().st_size
        if size < HEADER.size:  # created, but the crash came before its header was written
            self._report(f"journal segment {newest.path}: only {size} of {HEADER.size} header "
                         f"bytes (cut short while it was being created); removed")
            newest.path.unlink()
            fsync_directory(self.directory)
            self._segments.pop()
            if self._segments:
                self._open_newest()
            return
        scan = scan_segment(newest.path, newest.first_seq)
        if scan.damage:
            last = newest.first_seq + len(scan.offsets) - 1
            self._report(f"journal segment {newest.path}: damaged tail ({scan.damage}); cut at "
                         f"offset {scan.end}, dropping {size - scan.end} byte(s) to the end of "
                         f"the file; the journal ends at seq {last}, the last intact record")
            os.truncate(newest.path, scan.end)
        newest.offsets, newest.end = scan.offsets, scan.end
        self._fd = os.open(newest.path, os.O_WRONLY)
        self._allocated = os.fstat(self._fd).st_size
        os.fsync(self._fd)  # what a crash left in the OS's cache is on disk before we go on
        self.synced_seq = self.last_seq

    def _report(self, message: str) -> None:
        LOG.warning("%s", message)
        self.repairs.append(message)

    # ---- positions ------------------------------------------------------------

    @property
    def size_bytes(self) -> int:
        """Bytes the journal's files take on disk: every segment, the active one with the
        zeros preallocated ahead of the writer (what the disk no longer has free)."""
        return self._sealed_bytes + (self._allocated if self._fd is not None else 0)

    @property
    def first_seq(self) -> int | None:
        """Oldest seq the journal can still give (None before anything was set up)."""
        return self._segments[0].first_seq if self._segments else None

    @property
    def next_seq(self) -> int | None:
        """Seq the next appended record must have (None before `continue_at`)."""
        if not self._segments:
            return None
        active = self._segments[-1]
        return active.first_seq + active.count

    @property
    def last_seq(self) -> int | None:
        next_seq = self.next_seq
        return None if next_seq is None else next_seq - 1

    def continue_at(self, next_seq: int) -> None:
        """Makes the journal take `next_seq` next (the state was restored up to next_seq - 1)."""
        with self._lock:
            current = self.next_seq
            if current == next_seq:
                return
            if current is not None and next_seq < current:
                raise CorruptJournal(f"the journal holds seq {current - 1}, past the restored "
                                     f"state's seq {next_seq - 1}")
            if current is not None:
                LOG.warning("journal ends at seq %d but the state is at seq %d (a snapshot covers "
                            "the difference): new records start a new segment at seq %d",
                            current - 1, next_seq - 1, next_seq)
            self._start_segment(next_seq)

    # ---- writing --------------------------------------------------------------

    def append(self, record: JournalRecord) -> None:
        """Writes one record (to the OS: durable after `sync`)."""
        frame = records.encode(record)
        with self._lock:
            expected = self.next_seq
            if record.seq != expected:
                raise ValueError(f"journal record seq {record.seq}: expected {expected}")
            active = self._segments[-1]
            if active.end >= self.segment_bytes and active.count:
                self._start_segment(record.seq)
                active = self._segments[-1]
            if active.end + len(frame) > self._allocated:
                self._preallocate(active.end + len(frame))
            _write_all(self._fd, frame, active.end)
            active.offsets.append(active.end)
            active.end += len(frame)
            self.appended_bytes += len(frame)
            self._dirty = True

    def sync(self) -> None:
        """Makes every appended record durable (fdatasync)."""
        with self._lock:
            self._sync_locked()

    def _sync_locked(self) -> None:
        if self._dirty and self._fd is not None:
            os.fdatasync(self._fd)
            self._dirty = False
            self.synced_seq = self.last_seq

    def _preallocate(self, needed: int) -> None:
        """Zero-fills the active segment's file to at least `needed` + PREALLOCATE_BYTES."""
        size = needed + PREALLOCATE_BYTES
        _write_all(self._fd, bytes(size - self._allocated), self._allocated)
        self._allocated = size
        self._dirty = True

    def _cut_active(self) -> None:
        """Syncs the active segment and cuts its file to its records (no zeros left)."""
        if self._fd is None:
            return
        os.ftruncate(self._fd, self._segments[-1].end)
        self._allocated = self._segments[-1].end
        os.fsync(self._fd)
        self._dirty = False
        self.synced_seq = self.last_seq

    def _start_segment(self, first_seq: int) -> None:
        """Seals the active segment (durable before the next exists) and starts another."""
        self._cut_active()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._segments and self._segments[-1].count == 0:
            self._segments.pop().path.unlink()
        elif self._segments:
            sealed = self._segments[-1]
            sealed.size = sealed.end
            self._sealed_bytes += sealed.size
        path = self.directory / segment_name(first_seq)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        _write_all(fd, HEADER.pack(MAGIC, first_seq), 0)
        os.fsync(fd)
        fsync_directory(self.directory)
        self._fd, self._allocated = fd, HEADER.size
        self._segments.append(Segment(path, first_seq, array("Q"), HEADER.size))

    def prune_before(self, seq: int) -> int:
        """Deletes sealed segments holding only seqs < `seq`; returns how many."""
        with self._lock:
            doomed = 0
            while len(self._segments) > 1 and self._segments[1].first_seq <= seq:
                doomed += 1
                pruned = self._segments.pop(0)
                pruned.path.unlink()
                self._sealed_bytes -= pruned.size
            if doomed:
                fsync_directory(self.directory)
            return doomed

    def close(self) -> None:
        with self._lock:
            self._cut_active()
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    # ---- reading --------------------------------------------------------------

    def _locate(self, seq: int) -> tuple[Segment, int, int] | None:
        """(segment, offset of seq's record, end of intact data) or None if not held."""
        with self._lock:
            for index in range(len(self._segments) - 1, -1, -1):
                segment = self._segments[index]
                if segment.first_seq <= seq:
                    break
            else:
                return None
            if segment.offsets is None:
                self._index_sealed(segment)
            position = seq - segment.first_seq
            if position >= segment.count:
                return None
            return segment, segment.offsets[position], segment.end

    def _index_sealed(self, segment: Segment) -> None:
        scan = scan_segment(segment.path, segment.first_seq)
        if scan.damage or scan.end != segment.path.stat().st_size:
            damage = scan.damage or f"zeros after its last record at offset {scan.end}"
            raise CorruptJournal(f"journal segment {segment.path} is damaged ({damage}); "
                                 f"it is not the newest segment, so this is not a torn write: "
                                 f"restore the data directory from a backup")
        segment.offsets, segment.end = scan.offsets, scan.end

    def get(self, seq: int) -> JournalRecord | None:
        """The record of `seq`, or None when the journal does not hold it."""
        found = self._locate(seq)
        if found is None:
            return None
        segment, offset, end = found
        with open(segment.path, "rb") as file, \
                mmap.mmap(file.fileno(), end, access=mmap.ACCESS_READ) as data:
            return records.decode(data, offset)[0]

    def read(self, from_seq: int, through_seq: int) -> Iterator[JournalRecord]:
        """Records from_seq..through_seq in order; JournalGap if any of them is not held."""
        seq = from_seq
        while seq <= through_seq:
            found = self._locate(seq)
            if found is None:
                raise JournalGap(f"the journal does not hold seq {seq} (it holds seq "
                                 f"{self.first_seq} to {self.last_seq})", self.first_seq)
            segment, offset, end = found
            for record in _records_from(segment.path, offset, end):
                if record.seq != seq:
                    raise CorruptJournal(f"journal segment {segment.path}: found seq "
                                         f"{record.seq} where seq {seq} belongs")
                yield record
                seq += 1
                if seq > through_seq:
                    return


def _records_from(path: Path, offset: int, end: int) -> Iterator[JournalRecord]:
    try:
        file = open(path, "rb")
    except FileNotFoundError:
        raise JournalGap(f"journal segment {path} was pruned while being read", None) from None
    with file, mmap.mmap(file.fileno(), end, access=mmap.ACCESS_READ) as data:
        while offset < end:
            record, offset = records.decode(data, offset)
            yield record


def _write_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written
