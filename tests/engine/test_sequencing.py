"""Exactly-once sequencing (SPEC 2): in order, duplicates answered, gaps refused."""
import pytest

from markcap.engine import DuplicateTooOld, PreconditionFailed, SequenceGap

from .helpers import LINEAR_ID, exchange, send, trade


def test_seq_zero_is_assigned_the_next_number():
    engine = exchange()
    assert send(engine, transfers=[(1, 1, 10.0)]).seq == 1
    assert send(engine, transfers=[(1, 1, 10.0)]).seq == 2
    assert engine.applied_seq == 2


def test_a_gap_is_refused_naming_the_expected_seq_and_applies_nothing():
    engine = exchange()
    before = engine.status().state_hash
    with pytest.raises(SequenceGap) as error:
        send(engine, transfers=[(1, 1, 10.0)], seq=3)
    assert error.value.expected == 1 and "expected seq 1" in str(error.value)
    assert engine.status().state_hash == before


def test_a_duplicate_batch_is_acknowledged_without_applying_it_again():
    engine = exchange()
    send(engine, transfers=[(1, 1, 10.0)], seq=1)
    outcome = send(engine, transfers=[(1, 1, 10.0)], seq=1)
    assert outcome.duplicate and outcome.seq == 1
    assert engine.account(1).balances == ((1, 10.0),)


def test_a_duplicate_mark_returns_the_original_outcome_even_with_other_arguments():
    engine = exchange()
    trade(engine, 1, 2, 1, 100.0)
    send(engine, transfers=[(1, 1, 1_000.0), (2, 1, 1_000.0)])
    original = engine.apply_mark(3, LINEAR_ID, 110.0)
    again = engine.apply_mark(3, LINEAR_ID, 999.0)
    assert again == original
    assert engine.state.instruments.by_id[LINEAR_ID].mark_price == 110.0


def test_a_duplicate_of_another_kind_of_input_is_refused():
    engine = exchange()
    send(engine, transfers=[(1, 1, 10.0)])
    with pytest.raises(PreconditionFailed, match="seq 1 was already applied as a delta batch, not a mark update"):
        engine.apply_mark(1, LINEAR_ID, 110.0)


def test_a_duplicate_older_than_the_retained_outcomes_is_refused():
    from markcap.engine import Engine
    engine = exchange()
    engine.sequencer._retained = 2
    for price in (101.0, 102.0, 103.0):
        engine.apply_mark(0, LINEAR_ID, price)
    with pytest.raises(DuplicateTooOld):
        engine.apply_mark(1, LINEAR_ID, 101.0)
    assert engine.apply_mark(3, LINEAR_ID, 1.0).applied_price == 103.0
    assert isinstance(engine, Engine)


def test_a_dry_run_consumes_no_seq():
    engine = exchange()
    outcome = engine.apply_mark(5, LINEAR_ID, 120.0, dry_run=True)
    assert outcome.seq == 0 and outcome.dry_run and engine.applied_seq == 0
