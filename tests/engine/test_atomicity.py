"""Batches are atomic and dry runs change nothing (SPEC 2, 6): state hash unchanged on failure."""
import math

import numpy as np
import pytest

from markcap.engine import FillBatch, InvalidInput, TransferBatch, UnknownId

from .helpers import LINEAR_ID, exchange, send, trade


def _engine_with_book():
    engine = exchange()
    trade(engine, 1, 2, 5, 100.0)
    send(engine, transfers=[(1, 1, 100.0), (2, 1, 100.0)])
    return engine


@pytest.mark.parametrize("fills, message", [
    ([(3, LINEAR_ID, 1, 100.0), (3, LINEAR_ID, 0, 100.0)], r"fills\[1\]\.qty is 0"),
    ([(3, LINEAR_ID, 1, math.nan)], r"fills\[0\]\.price is nan"),
    ([(3, LINEAR_ID, 1, math.inf)], r"fills\[0\]\.price is inf"),
    ([(3, LINEAR_ID, 1, -5.0)], r"fills\[0\]\.price is -5.0"),
    ([(3, LINEAR_ID, 1, 0.0)], r"fills\[0\]\.price is 0.0"),
])
def test_an_invalid_fill_rejects_the_whole_batch(fills, message):
    engine = _engine_with_book()
    before = engine.status()
    with pytest.raises(InvalidInput, match=message):
        send(engine, fills, transfers=[(3, 1, 50.0)])
    assert engine.status() == before


def test_the_first_bad_element_is_named_whatever_the_kind_of_problem():
    engine = _engine_with_book()
    with pytest.raises(UnknownId, match=r"fills\[1\]\.instrument_id: unknown instrument 404"):
        send(engine, [(3, LINEAR_ID, 1, 100.0), (3, 404, 1, 100.0), (3, LINEAR_ID, 0, 1.0)])


def test_unequal_columns_are_refused():
    engine = _engine_with_book()
    fills = FillBatch(np.array([1, 2], np.uint64), np.array([7], np.uint32), np.array([1, 1]), np.array([1.0, 1.0]))
    with pytest.raises(InvalidInput, match="unequal length"):
        engine.apply_deltas(0, fills, TransferBatch.of([]))


def test_an_unknown_currency_or_non_finite_amount_is_refused():
    engine = _engine_with_book()
    with pytest.raises(UnknownId, match="unknown currency 42"):
        send(engine, transfers=[(1, 42, 1.0)])
    with pytest.raises(InvalidInput, match=r"transfers\[1\]\.amount is nan"):
        send(engine, transfers=[(1, 1, 1.0), (1, 1, math.nan)])


def test_an_overflow_part_way_reverts_everything_applied_before_it():
    engine = _engine_with_book()
    before = engine.status()
    big = 2**62
    with pytest.raises(InvalidInput, match=r"fills\[2\].*beyond int64"):
        send(engine, [(3, LINEAR_ID, 7, 100.0), (4, LINEAR_ID, big, 0.01), (4, LINEAR_ID, big, 0.01)],
             transfers=[(5, 1, 1.0)])
    assert engine.status() == before
    assert engine.state.accounts.slot(3) is None, "an account first referenced by a rejected batch is not kept"
    engine.check_invariants()


def test_an_amount_too_large_to_hold_exactly_is_refused():
    engine = _engine_with_book()
    before = engine.status()
    with pytest.raises(InvalidInput, match=r"transfers\[1\]\.amount is 1e\+308: 2\^53 or more times"):
        send(engine, transfers=[(1, 1, 1.0), (1, 1, 1e308)])
    assert engine.status() == before


def test_a_dry_run_with_liquidation_and_adl_leaves_the_state_exactly_as_it_was():
    engine = _engine_with_book()
    before = engine.status()
    outcome = engine.apply_mark(0, LINEAR_ID, 200.0, dry_run=True)
    assert outcome.capped and outcome.liquidations
    assert engine.status() == before
    engine.check_invariants()
