"""Snapshot files: the engine's primary state at one seq, written whole or not at all.

Layout of `<dir>/<seq, 20 digits>.snapshot`, little-endian:

    16-byte magic "MARKCAP-SNAPSHOT" | u32 format version | u32 header length
    | header (JSON: seq, meta, array manifest) | the arrays' raw bytes, in
    manifest order | u32 crc32 of everything before it

The format version comes first so that a file of another version is refused
by number, whatever else changed. No pickle: arrays are plain numeric bytes,
everything else is JSON.
"""
from __future__ import annotations

import json
import logging
import mmap
import struct
import zlib
from pathlib import Path

import numpy as np

from markcap.engine.snapshot import StateSnapshot

from .errors import SnapshotFormatError
from .sync_files import fsync_directory, remove_temp_files, write_atomically

LOG = logging.getLogger("markcap.store")
MAGIC = b"MARKCAP-SNAPSHOT"
PREFIX = struct.Struct("<16sII")  # magic, format version, header length
CRC = struct.Struct("<I")
SUFFIX = ".snapshot"
NUMERIC_KINDS = "biuf"


class DamagedSnapshot(Exception):
    pass


def snapshot_name(seq: int) -> str:
    return f"{seq:020d}{SUFFIX}"


def encode(snapshot: StateSnapshot) -> list[bytes | np.ndarray]:
    """The file's chunks, as bytes (arrays as byte views of their own buffers, not copies)."""
    arrays = {name: np.ascontiguousarray(array) for name, array in snapshot.arrays.items()}
    manifest = [{"name": name, "dtype": array.dtype.str, "shape": list(array.shape)}
                for name, array in arrays.items()]
    header = json.dumps({"seq": snapshot.seq, "meta": snapshot.meta, "arrays": manifest},
                        sort_keys=True, allow_nan=False).encode()
    prefix = PREFIX.pack(MAGIC, snapshot.format_version, len(header))
    crc = zlib.crc32(header, zlib.crc32(prefix))
    data = [array.reshape(-1).view(np.uint8) for array in arrays.values()]  # flat byte views
    for chunk in data:
        crc = zlib.crc32(chunk, crc)
    return [prefix, header, *data, CRC.pack(crc)]


def format_version_of(data: bytes | mmap.mmap) -> int:
    if len(data) < PREFIX.size + CRC.size:
        raise DamagedSnapshot(f"{len(data)} bytes: too short for a snapshot")
    magic, version, _ = PREFIX.unpack_from(data, 0)
    if magic != MAGIC:
        raise DamagedSnapshot(f"bad magic {magic!r}")
    return version


def decode(data: bytes | mmap.mmap) -> StateSnapshot:
    """Parses a snapshot file's bytes (of this format version); DamagedSnapshot if it is not whole."""
    version = format_version_of(data)
    (stored_crc,) = CRC.unpack_from(data, len(data) - CRC.size)
    if zlib.crc32(memoryview(data)[: len(data) - CRC.size]) != stored_crc:
        raise DamagedSnapshot("CRC32 mismatch")
    header_length = PREFIX.unpack_from(data, 0)[2]
    header = json.loads(bytes(data[PREFIX.size: PREFIX.size + header_length]))
    offset = PREFIX.size + header_length
    arrays = {}
    for entry in header["arrays"]:
        dtype = np.dtype(entry["dtype"])
        if dtype.kind not in NUMERIC_KINDS:
            raise DamagedSnapshot(f"array {entry['name']} has non-numeric dtype {dtype}")
        count = int(np.prod(entry["shape"], dtype=np.int64))
        array = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
        arrays[entry["name"]] = array.reshape(entry["shape"]).copy()
        offset += array.nbytes
    if offset != len(data) - CRC.size:
        raise DamagedSnapshot("array manifest does not match the file length")
    return StateSnapshot(version, int(header["seq"]), header["meta"], arrays)


class SnapshotDirectory:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.skipped: list[str] = []  # damaged snapshots passed over, for the log and status
        remove_temp_files(self.directory)  # snapshots cut short by a crash

    def seqs(self) -> list[int]:
        return sorted(int(path.name.removesuffix(SUFFIX))
                      for path in self.directory.glob(f"*{SUFFIX}") if path.name[0].isdigit())

    def path_of(self, seq: int) -> Path:
        return self.directory / snapshot_name(seq)

    def save(self, snapshot: StateSnapshot) -> Path:
        path = self.path_of(snapshot.seq)
        write_atomically(path, encode(snapshot))
        return path

    def load_newest(self, format_version: int) -> StateSnapshot | None:
        """The newest intact snapshot; damaged ones are reported and passed over.

        A snapshot of another format version stops the search with
        SnapshotFormatError: it is not damaged, and skipping it would quietly
        restore an older state.
        """
        for seq in reversed(self.seqs()):
            path = self.path_of(seq)
            try:
                with open(path, "rb") as file, \
                        mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
                    found = format_version_of(data)
                    if found != format_version:
                        raise SnapshotFormatError(str(path), found, format_version)
                    return decode(data)
            except (DamagedSnapshot, ValueError, KeyError, OSError) as damage:
                message = f"snapshot {path} is damaged ({damage}); trying an older one"
                LOG.warning("%s", message)
                self.skipped.append(message)
        return None

    def prune(self, keep: int) -> list[int]:
        """Deletes all but the newest `keep` snapshots; returns the seqs kept."""
        seqs = self.seqs()
        for seq in seqs[:-keep]:
            self.path_of(seq).unlink()
        if seqs[:-keep]:
            fsync_directory(self.directory)
        return seqs[-keep:]
