"""No single input can switch protection off for another instrument (issue 12, critical row).

A mark of 5e-324 on an inverse instrument nobody held made 1/p infinite; the
index's bound for every other book became NaN and the capped search found no
candidate, so every later mark on every instrument went through uncapped.
"""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from markcap.engine import ContractKind, InstrumentUpdate, InvalidInput
from markcap.engine.bankruptcy import harmed_accounts
from markcap.engine.numbers import PRICE_MAX, PRICE_MIN

from reference.grid import exact, on_grid

from .helpers import BTC, INVERSE_ID, LINEAR_ID, USD, exchange, send, trade

FINE_ID = 20  # an empty inverse instrument whose tick, 1e-12, puts PRICE_MIN on its grid


def _with_fine_instrument(engine):
    engine.upsert_instrument(0, InstrumentUpdate(FINE_ID, "FINE", ContractKind.INVERSE, BTC, 100.0,
                                                 mark_price=1.0, tick_size=PRICE_MIN))
    return engine


def _short_at_risk(engine):
    """Accounts 1 (long) and 2 (short) 10 @100 on the linear perp with 500 USD each: 2's b is 150."""
    send(engine, transfers=[(1, USD, 500.0), (2, USD, 500.0)])
    trade(engine, 1, 2, 10, 100.0)


@pytest.mark.parametrize("tiny", [5e-324, 1e-320, 1e-300])
def test_a_subnormal_or_absurd_mark_is_refused_naming_the_value(tiny):
    engine = exchange()
    with pytest.raises(InvalidInput, match=repr(tiny)):
        engine.apply_mark(0, INVERSE_ID, tiny)
    with pytest.raises(InvalidInput, match="instrument.mark_price"):
        engine.upsert_instrument(0, InstrumentUpdate(INVERSE_ID, mark_price=tiny))
    with pytest.raises(InvalidInput, match="multiplier"):
        engine.upsert_instrument(0, InstrumentUpdate(INVERSE_ID, multiplier=tiny))
    with pytest.raises(InvalidInput, match="fills\\[0\\].price"):
        send(engine, [(1, LINEAR_ID, 1, tiny), (2, LINEAR_ID, -1, tiny)])
    assert engine.applied_seq == 0


def test_the_extremes_of_the_accepted_range_leave_capping_on_elsewhere():
    engine = _with_fine_instrument(exchange())
    _short_at_risk(engine)
    for instrument_id, price in ((FINE_ID, PRICE_MIN), (INVERSE_ID, PRICE_MAX), (FINE_ID, 9000.0),
                                 (INVERSE_ID, 0.5), (FINE_ID, PRICE_MIN)):
        engine.apply_mark(0, instrument_id, price)
        outcome = engine.apply_mark(0, LINEAR_ID, 200.0, dry_run=True)
        assert outcome.capped and outcome.applied_price == pytest.approx(150.0)
        assert [liquidation.account_id for liquidation in outcome.liquidations] == [2]


def test_the_index_fails_closed_when_a_bound_is_not_finite(monkeypatch):
    """Should a feature ever be infinite, the search takes every row of the side (a full scan)."""
    engine = exchange()
    _short_at_risk(engine)
    trade(engine, 2, 3, 1, 50_000.0, INVERSE_ID)  # account 2's key in the linear book now depends on 9
    index = engine.risk.index
    features = index._features().copy()
    features[index.keys[INVERSE_ID].bit] = math.inf
    monkeypatch.setattr(index, "_features", lambda: features)
    assert np.isinf(index.bounds(LINEAR_ID)).any()
    outcome = engine.apply_mark(0, LINEAR_ID, 200.0, dry_run=True)
    assert outcome.capped and outcome.applied_price == pytest.approx(150.0)


EXTREMES = (PRICE_MIN, PRICE_MIN * 3, 1e-9, 1.0, 9000.0, 1e9, PRICE_MAX / 3, PRICE_MAX)


def _extremes_on_grid(tick: float) -> list[float]:
    """The extremes snapped to a tick grid, keeping those the grid can hold (below 2^53 ticks)."""
    snapped = {on_grid(price, tick) for price in EXTREMES}
    return sorted(p for p in snapped if PRICE_MIN <= p <= PRICE_MAX and exact(p) / exact(tick) < 2**53)


extreme_marks = st.one_of(*[st.tuples(st.just(instrument_id), st.sampled_from(_extremes_on_grid(tick)))
                            for instrument_id, tick in ((LINEAR_ID, 0.01), (INVERSE_ID, 0.5),
                                                        (FINE_ID, PRICE_MIN))])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(marks=st.lists(extreme_marks, max_size=6),
       target=st.sampled_from([LINEAR_ID, INVERSE_ID]), factor=st.sampled_from([0.5, 0.9, 1.1, 2.0]))
def test_capping_after_extreme_marks_equals_a_full_scan(marks, target, factor):
    """Random instruments marked with extreme but accepted values; a capped move on any
    instrument then finds the first bankruptcy price a scan of all holders finds."""
    engine = _with_fine_instrument(exchange())
    send(engine, transfers=[(a, USD, 300.0 + 50 * a) for a in range(1, 7)])
    for buyer, seller, instrument_id, qty, price in [(1, 2, LINEAR_ID, 10, 100.0), (3, 4, LINEAR_ID, 5, 100.0),
                                                     (5, 6, INVERSE_ID, 100, 50_000.0),
                                                     (2, 5, INVERSE_ID, 50, 50_000.0)]:
        trade(engine, buyer, seller, qty, price, instrument_id)
    for instrument_id, price in marks:
        engine.apply_mark(0, instrument_id, price)
    instrument = engine.state.instruments.by_id[target]
    requested = min(on_grid(instrument.mark_price * factor, instrument.tick_size), PRICE_MAX)
    direction = int(np.sign(requested - instrument.mark_price))
    if direction == 0:
        return
    full = harmed_accounts(engine.state, instrument, direction)
    first = full.first()
    fbp = None if first is None else full.price_of(first)
    already = full.bankrupt_now()
    outcome = engine.apply_mark(0, target, requested, dry_run=True)
    if len(already) == 0:
        assert outcome.first_bankruptcy_price == fbp
        assert outcome.capped == (fbp is not None and (fbp - requested) * direction <= 0)
    else:  # step 2 takes them over at the mark first
        assert {liquidation.account_id for liquidation in outcome.liquidations} >= set(
            int(i) for i in engine.state.accounts.ids[already])
