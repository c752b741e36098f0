"""The bankruptcy index follows a book's row changes (appends, swap-removes) in one batched write
when there are many (BookKeys.replay) exactly as it does one event at a time."""
import numpy as np
from hypothesis import given, settings, strategies as st

from markcap.engine.bankruptcy_index import BookKeys
from markcap.engine.blockmin import NO_GROUP
from markcap.engine.changes import RowEvent


def _one_by_one(keys: BookKeys, events) -> None:
    for event in events:
        if event.moved_from is None:
            keys.resize(event.row + event.count)
        else:
            if event.moved_from >= 0:
                keys.move(event.moved_from, event.row)
            keys.resize(event.moved_from if event.moved_from >= 0 else event.row)


def _keys(values, groups) -> BookKeys:
    keys = BookKeys(instrument_id=1, bit=0, tiers=2)
    keys.resize(len(values))
    if len(values):
        keys.priority.set(np.arange(len(values)), np.asarray(values, float), np.asarray(groups))
    return keys


@st.composite
def books_and_events(draw):
    start = draw(st.integers(0, 300) | st.integers(0, 12))
    values = draw(st.lists(st.floats(-1e6, 1e6), min_size=start, max_size=start))
    groups = draw(st.lists(st.integers(NO_GROUP, 3), min_size=start, max_size=start))
    count, events = start, []
    for _ in range(draw(st.integers(0, 120))):
        if count and draw(st.integers(0, 3)):  # mostly removals: rows moved more than once
            row = draw(st.integers(0, count - 1))
            last = count - 1
            events.append(RowEvent(0, row, moved_from=last if row != last else -1))
            count -= 1
        else:
            appended = draw(st.integers(1, 70) | st.integers(1, 4))
            events.append(RowEvent(0, count, count=appended))
            count += appended
    return values, groups, events, count


@settings(max_examples=300, deadline=None)
@given(books_and_events(), st.lists(st.floats(-1e6, 1e6), min_size=8, max_size=8))
def test_replaying_row_events_at_once_equals_one_by_one(case, new_values):
    values, groups, events, count = case
    expected, replayed = _keys(values, groups), _keys(values, groups)
    _one_by_one(expected, events)
    replayed.replay(events)
    a, b = expected.priority, replayed.priority
    assert a.count == b.count == count
    assert np.array_equal(a.values[: count], b.values[: count])
    assert np.array_equal(a.group[: count], b.group[: count])
    assert np.array_equal(a.sizes, b.sizes)
    # appended rows are unkeyed until the owner keys them; then both answer the same queries
    rows = np.arange(min(8, count))
    for keys in (a, b):
        keys.set(rows, np.asarray(new_values[: len(rows)]), np.arange(len(rows)) % 4)
    thresholds = np.array([0.0, 1e5, -1e5, np.inf])
    assert np.array_equal(a.rows_at_most(thresholds), b.rows_at_most(thresholds))
    assert np.array_equal(a.minima(), b.minima())
