"""Record framing: what was written is read back; anything cut or flipped is refused."""
from __future__ import annotations

import struct
import zlib

import pytest

from markcap.store.records import DamagedRecord, JournalRecord, RecordKind, decode, encode

RECORD = JournalRecord(seq=42, kind=RecordKind.MARK, request=b"\x08\x2a\x10\x07",
                       response=b"response bytes")


def test_a_record_reads_back_as_written_and_says_where_the_next_starts():
    frame = encode(RECORD)
    assert decode(b"pad" + frame + b"next", 3) == (RECORD, 3 + len(frame))


def test_the_frame_is_length_crc_then_seq_kind_request_length():
    frame = encode(RECORD)
    body = struct.pack("<QBI", 42, 2, 4) + RECORD.request + RECORD.response
    assert frame == struct.pack("<II", len(body), zlib.crc32(body)) + body


def test_an_empty_response_stays_empty():
    record = JournalRecord(7, RecordKind.DELTAS, b"batch")
    assert decode(encode(record), 0)[0] == record


@pytest.mark.parametrize("cut", range(len(encode(RECORD))))
def test_every_cut_short_frame_is_damaged(cut):
    with pytest.raises(DamagedRecord):
        decode(encode(RECORD)[:cut], 0)


def test_every_flipped_bit_is_detected():
    frame = encode(RECORD)
    for position in range(len(frame)):
        for bit in range(8):
            damaged = bytearray(frame)
            damaged[position] ^= 1 << bit
            with pytest.raises(DamagedRecord):
                decode(bytes(damaged), 0)


def test_an_unknown_kind_with_a_good_crc_is_damaged():
    body = struct.pack("<QBI", 1, 9, 0)
    with pytest.raises(DamagedRecord, match="unknown record kind 9"):
        decode(struct.pack("<II", len(body), zlib.crc32(body)) + body, 0)
