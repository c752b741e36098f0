"""The journal: the contract both versions keep, then what only files can suffer
(segments, torn tails, damage in a sealed segment)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from markcap.store import CorruptJournal, JournalGap, JournalRecord, RecordKind
from markcap.store.journal import (HEADER, PREALLOCATE_BYTES, FileJournal, scan_segment,
                                   segment_name)
from markcap.store.memory import MemoryJournal
from markcap.store.records import encode

SMALL_SEGMENT = 256  # bytes: a few records per segment


def record(seq: int) -> JournalRecord:
    kind = RecordKind.MARK if seq % 3 == 0 else RecordKind.DELTAS
    return JournalRecord(seq, kind, f"request {seq}".encode(),
                         f"response {seq}".encode() if kind is RecordKind.MARK else b"")


def filled(journal, first: int, last: int):
    journal.continue_at(first)
    for seq in range(first, last + 1):
        journal.append(record(seq))
    journal.sync()
    return journal


@pytest.fixture(params=["file", "memory"])
def journal(request, tmp_path):
    if request.param == "memory":
        yield MemoryJournal()
        return
    opened = FileJournal(tmp_path / "journal", SMALL_SEGMENT)
    yield opened
    opened.close()


# ---- the contract ---------------------------------------------------------------

def test_a_new_journal_holds_nothing_until_told_where_to_start(journal):
    assert (journal.first_seq, journal.last_seq, journal.next_seq) == (None, None, None)
    journal.continue_at(5)
    assert (journal.first_seq, journal.last_seq, journal.next_seq) == (5, 4, 5)


def test_records_read_back_in_order_and_one_by_one(journal):
    filled(journal, 1, 30)
    assert list(journal.read(1, 30)) == [record(seq) for seq in range(1, 31)]
    assert list(journal.read(12, 14)) == [record(12), record(13), record(14)]
    assert journal.get(17) == record(17)
    assert journal.get(31) is None and journal.get(0) is None
    assert journal.last_seq == 30


def test_a_record_out_of_sequence_is_refused(journal):
    filled(journal, 1, 3)
    with pytest.raises(ValueError, match="seq 5: expected 4"):
        journal.append(record(5))
    with pytest.raises(ValueError, match="seq 3: expected 4"):
        journal.append(record(3))


def test_reading_what_is_not_held_is_a_gap(journal):
    filled(journal, 10, 12)
    with pytest.raises(JournalGap):
        list(journal.read(9, 11))
    with pytest.raises(JournalGap):
        list(journal.read(12, 13))


def test_pruning_drops_old_records_only(journal):
    filled(journal, 1, 40)
    journal.prune_before(20)
    assert 1 < journal.first_seq <= 20
    assert list(journal.read(20, 40)) == [record(seq) for seq in range(20, 41)]
    assert journal.get(journal.first_seq - 1) is None


def test_continuing_past_the_end_starts_afresh_there(journal):
    filled(journal, 1, 5)
    journal.continue_at(9)
    journal.append(record(9))
    assert journal.get(9) == record(9) and journal.last_seq == 9


# ---- files ------------------------------------------------------------------------

def reopen(directory: Path) -> FileJournal:
    return FileJournal(directory, SMALL_SEGMENT)


def segments(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.journal"))


def test_segments_roll_over_and_are_named_by_their_first_seq(tmp_path):
    directory = tmp_path / "journal"
    filled(reopen(directory), 1, 30).close()
    names = [path.name for path in segments(directory)]
    assert len(names) > 3 and names[0] == segment_name(1) == "00000000000000000001.journal"
    journal = reopen(directory)
    assert (journal.first_seq, journal.last_seq, journal.repairs) == (1, 30, [])
    assert list(journal.read(1, 30)) == [record(seq) for seq in range(1, 31)]


def last_record_bounds(path: Path, seq: int) -> tuple[int, int]:
    """Byte range of record `seq`, the last one in the segment file at `path`."""
    size = path.stat().st_size
    return size - len(encode(record(seq))), size


def test_a_tail_cut_anywhere_in_the_last_record_is_reported_and_cut_off(tmp_path):
    directory = tmp_path / "journal"
    filled(reopen(directory), 1, 10).close()
    newest = segments(directory)[-1]
    start, end = last_record_bounds(newest, 10)
    original = newest.read_bytes()
    for cut in range(start + 1, end):
        newest.write_bytes(original[:cut])
        journal = reopen(directory)
        assert journal.last_seq == 9, cut
        assert len(journal.repairs) == 1 and "damaged tail" in journal.repairs[0]
        assert f"cut at offset {start}, dropping {cut - start} byte(s)" in journal.repairs[0]
        assert newest.stat().st_size == start
        journal.close()
    journal = reopen(directory)
    journal.append(record(10))  # the writer carries on where the intact data ends
    journal.close()
    assert reopen(directory).get(10) == record(10)


def test_a_flipped_byte_in_the_last_record_drops_that_record_only(tmp_path):
    directory = tmp_path / "journal"
    filled(reopen(directory), 1, 10).close()
    newest = segments(directory)[-1]
    start, end = last_record_bounds(newest, 10)
    data = bytearray(newest.read_bytes())
    data[end - 2] ^= 0x40
    newest.write_bytes(bytes(data))
    journal = reopen(directory)
    assert journal.last_seq == 9
    assert "CRC32 mismatch" in journal.repairs[0]


def test_garbage_after_the_last_record_is_cut_off(tmp_path):
    directory = tmp_path / "journal"
    filled(reopen(directory), 1, 10).close()
    newest = segments(directory)[-1]
    with open(newest, "ab") as file:
        file.write(os.urandom(7))
    journal = reopen(directory)
    assert journal.last_seq == 10 and len(journal.repairs) == 1


def test_a_segment_cut_short_while_being_created_is_removed(tmp_path):
    directory = tmp_path / "journal"
    filled(reopen(directory), 1, 10).close()
    (directory / segment_name(11)).write_bytes(b"MCJR")
    journal = reopen(directory)
    assert journal.last_seq == 10
    assert "cut short while it was being created" in journal.repairs[0]
    assert not (directory / segment_name(11)).exists()


def test_damage_in_a_sealed_segment_is_corruption_not_a_torn_tail(tmp_path):
    directory = tmp_path / "journal"
    filled(reopen(directory), 1, 30).close()
    oldest = segments(directory)[0]
    data = bytearray(oldest.read_bytes())
    data[HEADER.size + 10] ^= 0x01
    oldest.write_bytes(bytes(data))
    journal = reopen(directory)
    assert journal.repairs == []  # the newest segment is intact
    with pytest.raises(CorruptJournal, match="not the newest segment"):
        list(journal.read(1, 30))


def test_a_foreign_file_in_the_journal_directory_is_refused(tmp_path):
    directory = tmp_path / "journal"
    directory.mkdir()
    (directory / segment_name(1)).write_bytes(b"not a journal segment at all")
    with pytest.raises(CorruptJournal, match="bad header"):
        reopen(directory)


def test_pruning_keeps_the_segment_being_written(tmp_path):
    journal = filled(reopen(tmp_path / "journal"), 1, 30)
    journal.prune_before(10_000)
    assert len(segments(tmp_path / "journal")) == 1
    assert journal.last_seq == 30 and journal.get(30) == record(30)


def test_the_segment_being_written_is_zero_filled_ahead_and_closing_cuts_it(tmp_path):
    directory = tmp_path / "journal"
    journal = FileJournal(directory)  # one big segment
    filled(journal, 1, 10)
    segment = segments(directory)[0]
    records_end = scan_segment(segment, 1).end
    assert segment.stat().st_size >= HEADER.size + PREALLOCATE_BYTES > records_end
    assert segment.read_bytes()[records_end:].count(0) == segment.stat().st_size - records_end
    crashed = FileJournal(directory)  # opened again without a close: as after kill -9
    assert (crashed.last_seq, crashed.repairs) == (10, [])
    crashed.append(record(11))
    crashed.close()
    assert segment.stat().st_size == scan_segment(segment, 1).end
    assert list(FileJournal(directory).read(1, 11)) == [record(seq) for seq in range(1, 12)]


def test_a_record_torn_inside_the_zero_filled_space_is_a_damaged_tail(tmp_path):
    directory = tmp_path / "journal"
    filled(FileJournal(directory), 1, 10)  # not closed: zeros follow the records
    segment = segments(directory)[0]
    end = scan_segment(segment, 1).end
    torn = encode(record(11))[:12]  # frame and part of the body reached the disk
    with open(segment, "r+b") as file:
        file.seek(end)
        file.write(torn)
    journal = FileJournal(directory)
    assert journal.last_seq == 10 and "damaged tail" in journal.repairs[0]
    assert segment.stat().st_size == end


def test_zeros_in_a_sealed_segment_are_corruption(tmp_path):
    directory = tmp_path / "journal"
    filled(reopen(directory), 1, 30).close()
    oldest = segments(directory)[0]
    with open(oldest, "ab") as file:
        file.write(bytes(64))
    with pytest.raises(CorruptJournal, match="zeros after its last record"):
        list(reopen(directory).read(1, 30))
