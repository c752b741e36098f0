"""Journal records and their on-disk framing.

A record is one acknowledged state-changing input: its seq, its kind, the
serialized request (with the seq it was given) and, for kinds whose answer is
needed later (marks, upserts), the serialized response.

Framing, little-endian:

    u32 body_length | u32 crc32(body) | body
    body = u64 seq | u8 kind | u32 request_length | request | response

The CRC covers the whole body, so a torn or flipped record is detected before
anything of it is used.
"""
from __future__ import annotations

import enum
import struct
import zlib
from dataclasses import dataclass

FRAME = struct.Struct("<II")        # body length, crc32(body)
BODY_HEAD = struct.Struct("<QBI")   # seq, kind, request length
MAX_BODY_BYTES = 1 << 30            # a length beyond this is damage, not data


class RecordKind(enum.IntEnum):
    DELTAS = 1
    MARK = 2
    CURRENCY = 3
    INSTRUMENT = 4
    MARKS = 5  # an ApplyMarks call


@dataclass(frozen=True)
class JournalRecord:
    seq: int
    kind: RecordKind
    request: bytes
    response: bytes = b""


class DamagedRecord(Exception):
    """The bytes at an offset are not a whole, intact record."""


def encode(record: JournalRecord) -> bytes:
    body = BODY_HEAD.pack(record.seq, int(record.kind), len(record.request)) \
        + record.request + record.response
    return FRAME.pack(len(body), zlib.crc32(body)) + body


def decode(buffer: bytes | memoryview, offset: int) -> tuple[JournalRecord, int]:
    """The record at `offset` of `buffer` and the offset just after it.

    Raises DamagedRecord when the frame is cut short, too long, fails its
    CRC or holds an unknown kind.
    """
    available = len(buffer) - offset
    if available < FRAME.size:
        raise DamagedRecord(f"{available} byte(s) left, a record frame needs {FRAME.size}")
    length, crc = FRAME.unpack_from(buffer, offset)
    if not BODY_HEAD.size <= length <= MAX_BODY_BYTES:
        raise DamagedRecord(f"implausible record length {length}")
    start, end = offset + FRAME.size, offset + FRAME.size + length
    if end > len(buffer):
        raise DamagedRecord(f"record of {length} bytes cut short at {len(buffer) - start}")
    body = bytes(buffer[start:end])
    if zlib.crc32(body) != crc:
        raise DamagedRecord("CRC32 mismatch")
    seq, kind, request_length = BODY_HEAD.unpack_from(body)
    if kind not in RecordKind._value2member_map_:
        raise DamagedRecord(f"unknown record kind {kind}")
    if BODY_HEAD.size + request_length > length:
        raise DamagedRecord(f"request length {request_length} exceeds the record")
    split = BODY_HEAD.size + request_length
    return JournalRecord(seq, RecordKind(kind), body[BODY_HEAD.size:split], body[split:]), end
