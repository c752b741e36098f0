"""Crash-safe file operations: a file is whole on disk before its name says it exists."""
from __future__ import annotations

import logging
import os
from pathlib import Path

LOG = logging.getLogger("markcap.store")
TEMP_SUFFIX = ".tmp"


def fsync_directory(directory: Path) -> None:
    """Makes the directory's entries (created, renamed, removed files) durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, chunks) -> None:
    """Writes `chunks` (flat byte buffers) to a temp file, fsyncs it, renames it to `path`.

    A crash leaves either the old state or the whole new file, never part of
    it; a leftover `.tmp` file is garbage that opening the store removes. A
    write that fails (a full disk, an I/O error) removes its temp file before
    the error goes on, so failed attempts never pile up and take the last space.
    """
    temporary = path.with_name(f".{path.name}{TEMP_SUFFIX}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        try:
            for chunk in chunks:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        _remove(temporary)
        raise
    fsync_directory(path.parent)


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def remove_temp_files(directory: Path) -> list[Path]:
    """Deletes the `.<name>.tmp` files a crash left in `directory`; returns them."""
    removed = sorted(Path(directory).glob(f".*{TEMP_SUFFIX}"))
    for leftover in removed:
        LOG.warning("removing %s: a temp file left by a write that did not finish", leftover)
        _remove(leftover)
    return removed
