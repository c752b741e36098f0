"""GroupedBlockMin answers like a plain scan under random sets, moves and resizes."""
import numpy as np
from hypothesis import given, strategies as st

from markcap.engine.blockmin import NO_GROUP, GroupedBlockMin

GROUPS = 3
operations = st.lists(st.one_of(
    st.tuples(st.just("set"), st.integers(0, 300), st.floats(-1e6, 1e6), st.integers(NO_GROUP, GROUPS - 1)),
    st.tuples(st.just("move"), st.integers(0, 300), st.integers(0, 300), st.just(0)),
    st.tuples(st.just("resize"), st.integers(0, 300), st.just(0), st.just(0))), max_size=80)
thresholds = st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(float("inf")), st.just(float("-inf"))),
                      min_size=GROUPS, max_size=GROUPS)


@given(operations, thresholds, st.sampled_from([1, 61]))
def test_block_minima_agree_with_a_scan(ops, limits, spread):
    """spread 61 puts rows up to 18,300 apart: several blocks and superblocks."""
    index = GroupedBlockMin(GROUPS)
    values, group = np.zeros(0), np.zeros(0, dtype=np.int64)
    for op, a, b, g in ops:
        a = a * spread
        if op != "set":
            b = b * spread
        if op == "resize":
            index.resize(a)
            keep = min(a, len(values))
            values = np.concatenate([values[:keep], np.full(a - keep, np.inf)])
            group = np.concatenate([group[:keep], np.full(a - keep, NO_GROUP)])
        elif a < len(values) and (op == "set" or b < len(values)):
            if op == "set":
                index.set(a, b, g)
                values[a], group[a] = (b, g) if g != NO_GROUP else (np.inf, NO_GROUP)
            else:
                index.move(a, int(b))
                values[int(b)], group[int(b)] = values[a], group[a]
    for g in range(GROUPS):
        mine = values[group == g]
        assert index.minimum(g) == (mine.min() if len(mine) else np.inf)
        assert index.sizes[g] == len(mine)
        assert index.rows_in([g]).tolist() == np.flatnonzero(group == g).tolist()
    limit = np.append(np.array(limits), -np.inf)[group]
    expected = np.flatnonzero((values <= limit) & (values < np.inf))
    assert index.rows_at_most(np.array(limits)).tolist() == expected.tolist()
    odd = slice(1, None, 2)
    limit = np.append(np.where(np.arange(GROUPS) % 2 == 1, limits, -np.inf), -np.inf)[group]
    expected = np.flatnonzero((values <= limit) & (values < np.inf))
    assert index.rows_at_most(np.array(limits)[odd], odd).tolist() == expected.tolist()
