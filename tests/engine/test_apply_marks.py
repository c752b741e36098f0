"""ApplyMarks (SPEC 3 "Several marks at once"): one seq, applied in list order, all or nothing on
bad input."""
from dataclasses import replace

import pytest

from markcap.engine import InvalidInput, MarkRequest, UnknownId
from markcap.engine.views import state_hash

from .helpers import BTC, INVERSE_ID, LINEAR_ID, USD, exchange, send, trade


def _hedged_book():
    """Account 1 short 10 linear at 100 (m 1) with 150 USD, and long 1 inverse contract of m 100 at
    50,000 (0.002 BTC of cost): a fall in the inverse mark lowers 1's equity, so its bankruptcy
    price in the linear instrument comes nearer."""
    engine = exchange()
    send(engine, transfers=[(0, USD, 100_000.0), (1, USD, 150.0), (50, USD, 1_000_000.0), (50, BTC, 10.0)])
    trade(engine, 50, 1, 10, 100.0)
    trade(engine, 1, 50, 1, 50_000.0, INVERSE_ID)
    return engine


def test_marks_apply_in_order_each_seeing_the_state_the_previous_left():
    together, one_by_one = _hedged_book(), _hedged_book()
    requests = [MarkRequest(INVERSE_ID, 40_000.0), MarkRequest(LINEAR_ID, 130.0)]
    outcome = together.apply_marks(0, requests)
    singles = [one_by_one.apply_mark(0, r.instrument_id, r.price) for r in requests]
    assert outcome.seq == together.applied_seq == one_by_one.applied_seq - 1
    assert [replace(o, seq=0) for o in outcome.outcomes] == [replace(o, seq=0) for o in singles]
    assert all(o.seq == outcome.seq for o in outcome.outcomes)
    # the inverse fall cost account 1 0.0005 BTC = 25 USD, so it is bankrupt at 112.5, not 115
    assert outcome.outcomes[1].first_bankruptcy_price == 112.5
    assert state_hash(together.state, 0) == state_hash(one_by_one.state, 0)


@pytest.mark.parametrize("requests, error, field", [
    ([MarkRequest(LINEAR_ID, 101.0), MarkRequest(INVERSE_ID, 50_000.25)], InvalidInput, "marks[1].price"),
    ([MarkRequest(LINEAR_ID, 101.0), MarkRequest(99, 1.0)], UnknownId, "marks[1].instrument_id"),
    ([MarkRequest(LINEAR_ID, 101.0), MarkRequest(LINEAR_ID, 102.0)], InvalidInput, "marks.instrument_id"),
    ([MarkRequest(LINEAR_ID, -1.0)], InvalidInput, "marks[0].price"),
    ([MarkRequest(LINEAR_ID, 101.0, max_steps=-1)], InvalidInput, "marks[0].max_steps"),
    ([], InvalidInput, "marks"),
])
def test_a_bad_request_refuses_the_whole_call_and_applies_nothing(requests, error, field):
    engine = _hedged_book()
    before, seq = state_hash(engine.state, 0), engine.applied_seq
    with pytest.raises(error) as raised:
        engine.apply_marks(0, requests)
    assert raised.value.field == field
    assert (state_hash(engine.state, 0), engine.applied_seq) == (before, seq)
    engine.check_invariants()


def test_a_duplicate_seq_is_answered_with_the_original_outcome():
    engine = _hedged_book()
    seq = engine.applied_seq + 1
    first = engine.apply_marks(seq, [MarkRequest(LINEAR_ID, 110.0)])
    again = engine.apply_marks(seq, [MarkRequest(LINEAR_ID, 200.0)])
    assert again == first


@pytest.mark.parametrize("requests", [
    [MarkRequest(INVERSE_ID, 40_000.0), MarkRequest(LINEAR_ID, 130.0, sweep=True)],
    # the sweep first: the mark after it sees its takeovers
    [MarkRequest(LINEAR_ID, 130.0, sweep=True), MarkRequest(INVERSE_ID, 40_000.0)],
    [MarkRequest(LINEAR_ID, 130.0, sweep=True), MarkRequest(INVERSE_ID, 40_000.0, sweep=True)],
])
def test_a_dry_run_changes_nothing_and_answers_like_the_real_call(requests):
    engine = _hedged_book()
    before = state_hash(engine.state, 0)
    preview = engine.apply_marks(0, requests, dry_run=True)
    assert state_hash(engine.state, 0) == before and preview.seq == 0
    real = engine.apply_marks(0, requests)
    assert [replace(o, seq=real.seq, dry_run=False) for o in preview.outcomes] == list(real.outcomes)
