"""The vectorised fill kernels agree exactly with the scalar ones (SPEC 2 accounting in units)."""
import numpy as np
from hypothesis import given, strategies as st

from markcap.engine import ContractKind
from markcap.engine.contracts import kernel, terms_of

quantities = st.integers(-10**6, 10**6)
ticks = st.integers(1, 10**7)
multipliers = st.sampled_from([0.001, 0.01, 0.37, 1.0, 2.5, 100.0])
tick_sizes = st.sampled_from([0.01, 0.25, 0.5, 1.0])


@given(st.sampled_from(list(ContractKind)[1:]), multipliers, tick_sizes, st.sampled_from([2, 6, 8]),
       st.lists(st.tuples(quantities, quantities.filter(bool), ticks, ticks), min_size=1, max_size=30))
def test_vectorised_fills_match_the_scalar_rule_exactly(kind, multiplier, tick_size, decimals, rows):
    terms = terms_of(kind, multiplier, tick_size, decimals)
    rule = kernel(kind)
    # a position's cost as if opened at its own price
    cost = [0 if q == 0 else rule.fill(terms, 0, 0, q, opened).cost for q, _, _, opened in rows]
    qty = np.array([r[0] for r in rows], dtype=np.int64)
    delta = np.array([r[1] for r in rows], dtype=np.int64)
    at = np.array([r[2] for r in rows], dtype=np.int64)
    n = len(rows)
    a = np.full(n, terms.constant.numerator, dtype=np.int64)
    b = np.full(n, terms.constant.denominator, dtype=np.int64)
    result = rule.fill_arrays(a, b, qty, np.array(cost, dtype=np.int64), delta, at)
    if result is None:  # too large for int64: the batch takes the exact path
        return
    for i, (q, dq, p, _) in enumerate(rows):
        expected = rule.fill(terms, q, cost[i], dq, p)
        assert (int(result[0][i]), int(result[1][i]), int(result[2][i])) == (expected.qty, expected.cost,
                                                                              expected.realised)


def test_int64_overflow_sends_the_batch_to_the_exact_path():
    big = np.array([2**62], dtype=np.int64)
    one = np.array([1], dtype=np.int64)
    assert kernel(ContractKind.LINEAR).fill_arrays(one, one, big, one, big, one) is None
