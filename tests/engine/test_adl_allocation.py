"""Allocation of the deleveraged quantity (SPEC 5.5): exact integers, never more than held."""
from hypothesis import given, strategies as st

from markcap.engine import AdlAllocation
from markcap.engine.adl import allocate

PRO_RATA, QUEUE = AdlAllocation.PRO_RATA, AdlAllocation.QUEUE


def test_pro_rata_gives_the_leftover_contract_to_the_largest_remainder():
    # 12 over (6, 7): 5.54 and 6.46 -> floors 5 and 6; remainders 72 mod 13 = 7 and 84 mod 13 = 6
    assert allocate([6, 7], 12, PRO_RATA) == [6, 6]


def test_pro_rata_breaks_remainder_ties_in_ranking_order():
    # 1 over (1, 1): both remainders equal, the first in the ranking takes it
    assert allocate([1, 1], 1, PRO_RATA) == [1, 0]


def test_queue_closes_in_ranking_order_and_the_last_partly():
    assert allocate([4, 6], 5, QUEUE) == [4, 1]
    assert allocate([4, 6], 5, PRO_RATA) == [2, 3]


def test_when_the_side_holds_too_little_everything_is_closed():
    assert allocate([2, 3], 9, PRO_RATA) == [2, 3]
    assert allocate([2, 3], 9, QUEUE) == [2, 3]


@given(st.lists(st.integers(1, 10**12), min_size=1, max_size=12), st.data(),
       st.sampled_from([PRO_RATA, QUEUE]))
def test_allocations_sum_to_the_target_and_never_exceed_a_holding(sizes, data, allocation):
    target = data.draw(st.integers(1, sum(sizes)))
    taken = allocate(sizes, target, allocation)
    assert sum(taken) == target
    assert all(0 <= t <= s for t, s in zip(taken, sizes))
    if allocation == PRO_RATA:
        total = sum(sizes)
        assert all(abs(t - target * s / total) < 1 + 1e-9 for t, s in zip(taken, sizes))
