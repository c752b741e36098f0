"""The vectorised fill kernel agrees bit for bit with the scalar one (SPEC 2 accounting)."""
import numpy as np
from hypothesis import given, strategies as st

from markcap.engine import ContractKind
from markcap.engine.contracts import apply_fill, apply_fills

quantities = st.integers(-10**6, 10**6)
prices = st.floats(0.01, 1e6, allow_nan=False)


@given(st.sampled_from(list(ContractKind)), st.floats(0.001, 1000.0),
       st.lists(st.tuples(quantities, quantities.filter(bool), prices, prices), min_size=1, max_size=30))
def test_vectorised_fills_match_the_scalar_rule_exactly(kind, multiplier, rows):
    qty = np.array([r[0] for r in rows], dtype=np.int64)
    # a position's cost as if opened at its own price
    cost = np.array([0.0 if r[0] == 0 else apply_fill(kind, multiplier, 0, 0.0, r[0], r[3])[1] for r in rows])
    delta = np.array([r[1] for r in rows], dtype=np.int64)
    price = np.array([r[2] for r in rows])
    new_qty, new_cost, realised, overflow = apply_fills(kind, multiplier, qty, cost, delta, price)
    assert not overflow.any()
    for i, (q, _, p, _) in enumerate(rows):
        expected = apply_fill(kind, multiplier, q, float(cost[i]), int(delta[i]), p)
        assert (int(new_qty[i]), float(new_cost[i]), float(realised[i])) == expected


def test_int64_overflow_is_flagged():
    big = np.array([2**62], dtype=np.int64)
    *_, overflow = apply_fills(ContractKind.LINEAR, 1.0, big, np.array([1.0]), big, np.array([1.0]))
    assert overflow.tolist() == [True]
