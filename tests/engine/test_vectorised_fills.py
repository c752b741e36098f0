"""The vectorised fill kernel agrees bit for bit with the scalar one (SPEC 2 accounting)."""
import numpy as np
from hypothesis import given, strategies as st

from markcap.engine import ContractKind
from markcap.engine.contracts import apply_fill, apply_fills

quantities = st.integers(-10**6, 10**6)
prices = st.floats(0.01, 1e6, allow_nan=False)


@given(st.lists(st.tuples(st.sampled_from(list(ContractKind)), st.floats(0.001, 1000.0),
                          quantities, quantities.filter(bool), prices, prices), min_size=1, max_size=30))
def test_vectorised_fills_match_the_scalar_rule_exactly(rows):
    """Positions of both kinds and different multipliers in one call, as a batch stages them."""
    kinds = [r[0] for r in rows]
    linear = np.array([k == ContractKind.LINEAR for k in kinds])
    multiplier = np.array([r[1] for r in rows])
    qty = np.array([r[2] for r in rows], dtype=np.int64)
    # a position's cost as if opened at its own price
    cost = np.array([0.0 if r[2] == 0 else apply_fill(r[0], r[1], 0, 0.0, r[2], r[5])[1] for r in rows])
    delta = np.array([r[3] for r in rows], dtype=np.int64)
    price = np.array([r[4] for r in rows])
    new_qty, new_cost, realised, overflow = apply_fills(linear, multiplier, qty, cost, delta, price)
    assert not overflow.any()
    for i, (kind, m, q, _, p, _) in enumerate(rows):
        expected = apply_fill(kind, m, q, float(cost[i]), int(delta[i]), p)
        assert (int(new_qty[i]), float(new_cost[i]), float(realised[i])) == expected


def test_int64_overflow_is_flagged():
    big = np.array([2**62], dtype=np.int64)
    *_, overflow = apply_fills(np.array([True]), np.array([1.0]), big, np.array([1.0]), big, np.array([1.0]))
    assert overflow.tolist() == [True]
