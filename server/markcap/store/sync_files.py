"""Crash-safe file operations: a file is whole on disk before its name says it exists."""
from __future__ import annotations

import os
from pathlib import Path


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
    it; a leftover `.tmp` file is garbage that opening the store removes.
    """
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for chunk in chunks:
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)
    fsync_directory(path.parent)
