"""The free-space floor (`--min-free-mib`): inputs stop before the data dir's disk is full.

A journal that cannot be written is fatal (inputs.py): the input was applied but
is not durable, so the server exits. On a disk that is filling up, that would
turn into an exit at every restart's first input. Instead, before an input is
applied, the free space of the data dir's file system is read (statvfs: what an
unprivileged process may still write); below the floor the input is refused
with DiskSpaceLow (UNAVAILABLE, ErrorInfo `DISK_SPACE_LOW`), nothing applied or
written. Queries, dry runs, duplicates and WatchEvents go on being served. Once
space is freed the next input is taken; a producer that retries UNAVAILABLE
resumes by itself.

The floor should cover what one input and a snapshot may write: an input's
message (at most `--max-message-bytes`), the journal's next 1 MiB of
preallocation, and a snapshot of the whole state (docs/persistence.md).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

LOG = logging.getLogger("markcap.service")
MIB = 1024 * 1024


class DiskSpaceLow(Exception):
    """Free space on the data dir's file system is below the floor: inputs are refused.

    Not an EngineError: the input itself is fine, and the same input is taken
    once space is freed.
    """

    def __init__(self, path: Path, free_bytes: int, floor_bytes: int):
        super().__init__(
            f"inputs refused: the data dir {path} has {free_bytes / MIB:.1f} MiB free, below the "
            f"--min-free-mib floor of {floor_bytes / MIB:g} MiB; free space on its disk (reads "
            f"are still served, and inputs are taken again once it is above the floor)")
        self.path, self.free_bytes, self.floor_bytes = path, free_bytes, floor_bytes


def statvfs_probe(path: Path) -> Callable[[], int]:
    """Bytes an unprivileged process may still write on `path`'s file system."""
    def free_bytes() -> int:
        stat = os.statvfs(path)
        return stat.f_bavail * stat.f_frsize
    return free_bytes


class FreeSpaceFloor:
    def __init__(self, path: Path, floor_bytes: int, probe: Callable[[], int] | None = None):
        """`probe`: returns the free bytes (default: statvfs of `path`; tests inject one)."""
        self.path = Path(path)
        self.floor_bytes = floor_bytes
        self._probe = probe or statvfs_probe(self.path)
        self.low = False  # below the floor at the last check
        self.last_free_bytes: int | None = None

    def free_bytes(self) -> int:
        self.last_free_bytes = self._probe()
        return self.last_free_bytes

    def check(self) -> None:
        """Raises DiskSpaceLow below the floor (a floor of 0: never); logs each crossing."""
        if not self.floor_bytes:
            return
        free = self.free_bytes()
        if free < self.floor_bytes:
            if not self.low:
                LOG.error("data dir %s: %.1f MiB free, below the floor of %g MiB: refusing "
                          "inputs until space is freed; reads go on", self.path, free / MIB,
                          self.floor_bytes / MIB)
            self.low = True
            raise DiskSpaceLow(self.path, free, self.floor_bytes)
        if self.low:
            LOG.warning("data dir %s: %.1f MiB free, above the floor again: taking inputs",
                        self.path, free / MIB)
            self.low = False

    def describe(self) -> str:
        """For GetStatus.persistence."""
        if not self.floor_bytes:
            return "no free-space floor"
        free = self.last_free_bytes if self.last_free_bytes is not None else self.free_bytes()
        state = "; inputs refused until space is freed" if free < self.floor_bytes else ""
        return f"{free / MIB:.0f} MiB free, floor {self.floor_bytes / MIB:g} MiB{state}"
