"""BlockMin answers like a plain scan under random sets, moves and resizes."""
import numpy as np
from hypothesis import given, strategies as st

from markcap.engine.blockmin import BlockMin

operations = st.lists(st.one_of(
    st.tuples(st.just("set"), st.integers(0, 300), st.floats(-1e6, 1e6)),
    st.tuples(st.just("move"), st.integers(0, 300), st.integers(0, 300)),
    st.tuples(st.just("resize"), st.integers(0, 300), st.just(0))), max_size=80)


@given(operations, st.one_of(st.floats(-1e6, 1e6), st.just(float('inf'))))
def test_block_minima_agree_with_a_scan(ops, threshold):
    index, plain = BlockMin(), np.zeros(0)
    for op, a, b in ops:
        if op == "resize":
            index.resize(a)
            plain = np.concatenate([plain[:a], np.full(max(0, a - len(plain)), np.inf)])
        elif a < len(plain) and (op == "set" or b < len(plain)):
            if op == "set":
                index.set(a, b)
                plain[a] = b
            else:
                index.move(a, b)
                plain[b] = plain[a]
    assert index.minimum() == (plain.min() if len(plain) else np.inf)
    assert index.rows_at_most(threshold).tolist() == np.flatnonzero((plain <= threshold) & (plain < np.inf)).tolist()
