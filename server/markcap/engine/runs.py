"""Runs of equal keys in a sorted array: the grouping step every batched structure shares
(positions by account, by book, fills by position)."""
from __future__ import annotations

import numpy as np


def run_bounds(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of each run of equal adjacent keys, int64; empty for an empty array."""
    n = len(sorted_keys)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    return starts, np.r_[starts[1:], n]


def occurrence(sorted_keys: np.ndarray) -> np.ndarray:
    """0 for the first element of each run, 1 for the next, ...: the round an element belongs to."""
    starts, ends = run_bounds(sorted_keys)
    return np.arange(len(sorted_keys)) - np.repeat(starts, ends - starts)


def groups_of(keys: np.ndarray):
    """(key, positions into `keys`) for each distinct key of an unsorted column, keys ascending."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    for start, end in zip(*(bound.tolist() for bound in run_bounds(sorted_keys))):
        yield int(sorted_keys[start]), order[start:end]
