"""bench/index_alternatives.py: the three structures hold the same keys and answer with the
same rows, checked against keys kept here in plain Python (a small run)."""
import math

import numpy as np
import pytest

from bench.index_alternatives import STRUCTURES, measure, workload

ROWS, BATCH, REPEAT = 5_000, 200, 3


def _keys_after_batches():
    """The structures after every batch, and the keys they should hold (a plain list)."""
    keys, group_of, batches = workload(ROWS, BATCH, REPEAT)
    structures = {name: make(keys, group_of) for name, make in STRUCTURES.items()}
    expected = keys.tolist()
    for changed, fresh in batches:
        for structure in structures.values():
            structure.rekey(changed, fresh)
        for row, key in zip(changed.tolist(), fresh.tolist()):
            expected[row] = key
    return structures, expected


def _rows_at_most(keys: list[float], threshold: float) -> list[int]:
    return [row for row, key in enumerate(keys) if key <= threshold]


def test_the_expected_keys_differ_from_the_initial_ones():
    """The batches re-key rows, so a structure that ignored them would be caught."""
    keys, _, _ = workload(ROWS, BATCH, REPEAT)
    _, expected = _keys_after_batches()
    changed = sum(1 for before, after in zip(keys.tolist(), expected) if before != after)
    assert changed >= BATCH  # at least one batch's worth (batches may overlap)


@pytest.mark.parametrize("position", ["below all", "smallest", "smallest + 0.5", 1, 499, 1_234,
                                      2_500, ROWS - 2, "largest", "infinity"])
def test_every_structure_answers_with_the_same_rows(position):
    """Thresholds from an empty answer to the full one; at an index k the threshold is the
    (k+1)-th smallest key itself, so exactly k + 1 rows are at or under it (keys are distinct)."""
    structures, keys = _keys_after_batches()
    ordered = sorted(keys)
    assert len(set(ordered)) == ROWS
    threshold = {"below all": ordered[0] - 1.0, "smallest": ordered[0],
                 "smallest + 0.5": ordered[0] + 0.5, "largest": ordered[-1],
                 "infinity": math.inf}.get(position)
    if threshold is None:
        threshold = ordered[position]
    expected = _rows_at_most(keys, threshold)
    if isinstance(position, int):
        assert len(expected) == position + 1
    for name, structure in structures.items():
        assert structure.smallest() == ordered[0], name
        got = np.sort(np.asarray(structure.rows_at_most(threshold), dtype=np.int64)).tolist()
        assert got == expected, (name, position, len(got), len(expected))


def test_the_sizes_cover_empty_many_and_full_answers():
    _, keys = _keys_after_batches()
    ordered = sorted(keys)
    assert _rows_at_most(keys, ordered[0] - 1.0) == []
    assert len(_rows_at_most(keys, ordered[499])) == 500
    assert len(_rows_at_most(keys, math.inf)) == ROWS


def test_measure_reports_the_same_rows_for_every_structure():
    """The timed query (smallest key + window) with a window wide enough for hundreds of rows."""
    results = measure(rows=ROWS, batch=BATCH, repeat=REPEAT, window=40.0)
    assert set(results) == set(STRUCTURES)
    _, keys = _keys_after_batches()
    expected = _rows_at_most(keys, min(keys) + 40.0)
    assert 200 <= len(expected) < ROWS
    for name, row in results.items():
        assert row["rows"].tolist() == expected, name
        assert row["hits"] == len(expected), name


def test_the_smallest_key_rises_when_the_smallest_rows_are_re_keyed_upward():
    """Re-keying the 100 smallest rows to the top: every structure's minimum must rise with them
    (the block minima they held are stale until recomputed)."""
    structures, keys = _keys_after_batches()
    lowest = sorted(range(ROWS), key=keys.__getitem__)[:100]
    fresh = [max(keys) + 1.0 + i for i in range(len(lowest))]
    for structure in structures.values():
        structure.rekey(np.array(lowest, dtype=np.int64), np.array(fresh))
    for row, key in zip(lowest, fresh):
        keys[row] = key
    threshold = sorted(keys)[299]
    for name, structure in structures.items():
        assert structure.smallest() == min(keys), name
        got = np.sort(np.asarray(structure.rows_at_most(threshold), dtype=np.int64)).tolist()
        assert got == _rows_at_most(keys, threshold), name
