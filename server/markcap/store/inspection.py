"""Read-only inspection of a data directory, for operators (`markcap journal DIR`).

Nothing here writes, truncates, locks or removes anything: files are opened
read-only and mapped read-only, so a data dir can be inspected while a server
runs on it, or copied off a broken machine and examined elsewhere. (Opening a
store with `open_store` instead repairs a torn tail and removes temp files.)

A record whose frame is intact but whose CRC fails is listed as damaged and the
walk goes on after it (its length field is believed); a frame that cannot be
read at all ends the walk of its segment. `verify` names every problem with its
file and byte offset.
"""
from __future__ import annotations

import mmap
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from markcap.engine.snapshot import FORMAT_VERSION

from . import records
from .journal import HEADER, MAGIC, SUFFIX
from .records import BODY_HEAD, FRAME, DamagedRecord, JournalRecord, RecordKind
from .snapshots import CRC, SUFFIX as SNAPSHOT_SUFFIX, DamagedSnapshot, format_version_of

JOURNAL_DIR, SNAPSHOT_DIR = "journal", "snapshots"


@dataclass(frozen=True)
class Frame:
    """One record's frame as found on disk."""
    offset: int
    size: int                # frame bytes: 8-byte frame head + body
    seq: int | None          # None when the body is too short to hold one
    kind: str                # RecordKind name, or "?N" for an unknown kind
    crc_ok: bool
    problem: str | None = None


@dataclass
class SegmentReport:
    path: Path
    first_seq: int | None    # from the file name (None: not a segment name)
    size: int
    frames: list[Frame] = field(default_factory=list)
    end: int = HEADER.size   # offset after the last frame read
    problems: list[str] = field(default_factory=list)
    zero_tail: int = 0       # bytes of zeros after the last record (preallocated space)

    @property
    def seqs(self) -> tuple[int, int] | None:
        seqs = [frame.seq for frame in self.frames if frame.seq is not None]
        return (seqs[0], seqs[-1]) if seqs else None


def is_data_dir(data_dir: Path) -> bool:
    return any((Path(data_dir) / name).is_dir() for name in (JOURNAL_DIR, SNAPSHOT_DIR))


def segment_paths(data_dir: Path) -> list[Path]:
    directory = Path(data_dir) / JOURNAL_DIR
    return sorted(directory.glob(f"*{SUFFIX}")) if directory.is_dir() else []


def _map(path: Path):
    """A read-only map of the file (an empty bytes object for an empty file)."""
    file = open(path, "rb")
    try:
        if not file.seek(0, 2):
            return file, b""
        return file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except BaseException:
        file.close()
        raise


def _frame_at(data, offset: int) -> tuple[Frame, int | None]:
    """The frame at `offset` and the offset after it (None: the walk cannot go on)."""
    available = len(data) - offset
    if available < FRAME.size:
        return Frame(offset, available, None, "?", False,
                     f"{available} byte(s) left, a record frame needs {FRAME.size}"), None
    length, crc = FRAME.unpack_from(data, offset)
    if not BODY_HEAD.size <= length <= records.MAX_BODY_BYTES:
        return Frame(offset, available, None, "?", False, f"implausible record length {length}"), None
    start, end = offset + FRAME.size, offset + FRAME.size + length
    if end > len(data):
        return Frame(offset, available, None, "?", False,
                     f"record of {length} bytes cut short at {len(data) - start}"), None
    body = data[start:end]
    seq, kind_number, _ = BODY_HEAD.unpack_from(body)
    kind = RecordKind(kind_number).name if kind_number in RecordKind._value2member_map_ \
        else f"?{kind_number}"
    crc_ok = zlib.crc32(body) == crc
    problem = None if crc_ok else "CRC32 mismatch"
    if crc_ok:
        try:
            records.decode(data, offset)
        except DamagedRecord as damage:
            problem = str(damage)
    return Frame(offset, FRAME.size + length, seq, kind, crc_ok, problem), end


def read_segment(path: Path) -> SegmentReport:
    """Every frame of a segment file, with what is wrong where."""
    path = Path(path)
    try:
        first_seq = int(path.name.removesuffix(SUFFIX))
    except ValueError:
        first_seq = None
    report = SegmentReport(path, first_seq, path.stat().st_size)
    if first_seq is None:
        report.problems.append(f"{path}: not a journal segment name (<first seq>{SUFFIX})")
    file, data = _map(path)
    with file:
        try:
            _walk(report, data)
        finally:
            if isinstance(data, mmap.mmap):
                data.close()
    return report


def _walk(report: SegmentReport, data) -> None:
    path = report.path
    if len(data) < HEADER.size:
        report.problems.append(f"{path}: offset 0: {len(data)} of {HEADER.size} header bytes")
        report.end = len(data)
        return
    magic, header_seq = HEADER.unpack_from(data, 0)
    if magic != MAGIC or header_seq != report.first_seq:
        report.problems.append(f"{path}: offset 0: bad header (magic {magic!r}, first seq "
                               f"{header_seq}, file name says {report.first_seq})")
    offset, expected = HEADER.size, report.first_seq
    while offset < len(data):
        if data[offset:offset + 4] == bytes(4):  # a zero length: preallocated space, if all zeros
            rest = data[offset:]
            if rest.count(0) == len(rest):
                report.zero_tail = len(rest)
                break
        frame, after = _frame_at(data, offset)
        if frame.problem:
            report.problems.append(f"{path}: offset {offset}: {frame.problem}"
                                   + (f" (seq {frame.seq})" if frame.seq is not None else ""))
        elif expected is not None and frame.seq != expected:
            report.problems.append(f"{path}: offset {offset}: seq {frame.seq}, expected {expected}")
        report.frames.append(frame)
        if after is None:
            offset = len(data)
            break
        if frame.crc_ok and frame.seq is not None:
            expected = frame.seq + 1
        elif expected is not None:  # a damaged body's seq is not to be believed
            expected += 1
        offset = after
    report.end = offset if not report.zero_tail else len(data) - report.zero_tail


def segments(data_dir: Path) -> list[SegmentReport]:
    return [read_segment(path) for path in segment_paths(data_dir)]


def find_record(data_dir: Path, seq: int) -> JournalRecord | None:
    """The intact record of `seq`, or None when no segment holds one."""
    for path in reversed(segment_paths(data_dir)):
        try:
            first_seq = int(path.name.removesuffix(SUFFIX))
        except ValueError:
            continue
        if first_seq > seq:
            continue
        file, data = _map(path)
        with file:
            try:
                for frame in read_segment(path).frames:
                    if frame.seq == seq and frame.crc_ok and frame.problem is None:
                        return records.decode(data, frame.offset)[0]
            finally:
                if isinstance(data, mmap.mmap):
                    data.close()
        return None
    return None


@dataclass(frozen=True)
class SnapshotReport:
    path: Path
    seq: int | None
    size: int
    problem: str | None


def snapshot_reports(data_dir: Path) -> list[SnapshotReport]:
    """Each snapshot file (temp files too, as problems), checked by format and CRC."""
    directory = Path(data_dir) / SNAPSHOT_DIR
    if not directory.is_dir():
        return []
    reports = []
    for path in sorted(directory.iterdir()):
        if path.name.endswith(".tmp"):
            reports.append(SnapshotReport(path, None, path.stat().st_size,
                                          "leftover temp file (a write cut short); the server "
                                          "removes it when it starts"))
            continue
        if not path.name.endswith(SNAPSHOT_SUFFIX):
            continue
        try:
            seq = int(path.name.removesuffix(SNAPSHOT_SUFFIX))
        except ValueError:
            continue
        reports.append(SnapshotReport(path, seq, path.stat().st_size, _snapshot_problem(path)))
    return reports


def _snapshot_problem(path: Path) -> str | None:
    file, data = _map(path)
    with file:
        try:
            version = format_version_of(data)
            if version != FORMAT_VERSION:
                return f"format version {version}; this markcap reads {FORMAT_VERSION}"
            (stored,) = CRC.unpack_from(data, len(data) - CRC.size)
            if zlib.crc32(memoryview(data)[: len(data) - CRC.size]) != stored:
                return "CRC32 mismatch"
            return None
        except DamagedSnapshot as damage:
            return str(damage)
        finally:
            if isinstance(data, mmap.mmap):
                data.close()


def verify(data_dir: Path) -> list[str]:
    """Every problem found in the data dir, each naming its file (and offset); [] when sound.

    Checked: each segment's header, every record's frame, CRC and seq, the seqs
    running on from one segment to the next, no zeros after the last record of
    a sealed (not the newest) segment, the snapshots' CRCs, and that the journal
    reaches back to the newest intact snapshot.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return [f"{data_dir}: no such directory"]
    if not is_data_dir(data_dir):
        return [f"{data_dir}: not a markcap data dir (no {JOURNAL_DIR}/ or {SNAPSHOT_DIR}/ in it)"]
    problems: list[str] = []
    reports = segments(data_dir)
    for index, report in enumerate(reports):
        problems += report.problems
        if report.zero_tail and index < len(reports) - 1:
            problems.append(f"{report.path}: offset {report.end}: {report.zero_tail} zero byte(s) "
                            f"after the last record of a sealed segment")
        if index and report.first_seq is not None:
            before = reports[index - 1]
            held = before.seqs
            expected = held[1] + 1 if held else before.first_seq
            if expected is not None and report.first_seq != expected:
                problems.append(f"{report.path}: offset 0: starts at seq {report.first_seq} but "
                                f"{before.path.name} ends before seq {expected}: a gap")
    snapshots = snapshot_reports(data_dir)
    problems += [f"{s.path}: {s.problem}" for s in snapshots if s.problem]
    intact = [s.seq for s in snapshots if s.problem is None and s.seq is not None]
    if reports and intact and reports[0].first_seq is not None \
            and reports[0].first_seq > max(intact) + 1:
        problems.append(f"{reports[0].path}: offset 0: the journal starts at seq "
                        f"{reports[0].first_seq} but the newest intact snapshot is at seq "
                        f"{max(intact)}: seqs {max(intact) + 1} to {reports[0].first_seq - 1} "
                        f"are missing")
    if reports and not intact:
        problems.append(f"{data_dir / SNAPSHOT_DIR}: no intact snapshot to replay the journal onto")
    return problems
