"""Positions the takeover and ADL arithmetic could not hold are refused at the batch (issue 12).

Two accepted batches of int64-sized positions used to leave every later mark on the instrument
refused: a takeover gives the insurance fund all of one side, and two longs of 2**63-1 do not
fit one int64. Each side's total (open interest) must fit, so the batch that breaks it is
refused, naming the fill, and nothing of it is applied.
"""
import pytest

from markcap.engine import InvalidInput
from markcap.engine.views import state_hash

from .helpers import LINEAR_ID, USD, exchange, send

BIG = 2**63 - 1


def test_the_batch_that_would_put_a_side_beyond_int64_is_refused_and_marks_still_work():
    engine = exchange()
    send(engine, [(6, LINEAR_ID, BIG, 0.01), (7, LINEAR_ID, -BIG, 0.01)])
    hash_before = state_hash(engine.state, engine.applied_seq)
    with pytest.raises(InvalidInput, match=r"fills\[0\].*instrument 7 would have 18446744073709551614 "
                                           r"contracts open short, beyond int64"):
        send(engine, [(8, LINEAR_ID, -BIG, 0.01), (9, LINEAR_ID, BIG, 0.01)])
    assert state_hash(engine.state, engine.applied_seq) == hash_before and engine.applied_seq == 1
    for dry_run in (True, False):  # the reported symptom: every mark on the instrument refused
        outcome = engine.apply_mark(0 if dry_run else engine.applied_seq + 1, LINEAR_ID, 0.02, dry_run=dry_run)
        assert outcome.applied_price > 0
    engine.state.check_invariants()


def test_a_short_of_int64_min_is_refused_its_magnitude_does_not_fit():
    engine = exchange()
    with pytest.raises(InvalidInput, match="open short, beyond int64"):
        send(engine, [(8, LINEAR_ID, -2**63, 0.01), (9, LINEAR_ID, BIG, 0.01)])
    assert engine.applied_seq == 0


def test_positions_up_to_the_limit_are_accepted_and_the_fund_can_take_them_all():
    engine = exchange()
    send(engine, transfers=[(1, USD, 1.0)])
    half = BIG // 2
    send(engine, [(1, LINEAR_ID, half, 0.01), (2, LINEAR_ID, -half, 0.01),
                  (3, LINEAR_ID, BIG - half, 0.01), (4, LINEAR_ID, -(BIG - half), 0.01)])
    book = engine.state.books[LINEAR_ID]
    assert (book.open_long, book.open_short) == (BIG, BIG)
    # at a mark equal to their entry the unfunded longs are at zero equity: the fund takes both
    outcome = engine.apply_mark(engine.applied_seq + 1, LINEAR_ID, 0.01)
    assert [liquidation.account_id for liquidation in outcome.liquidations] == [1, 3]
    assert book.get(engine.state.fund_slot)[0] + sum(fill.qty for fill in outcome.adl_fills) == BIG
    engine.state.check_invariants()
