"""A sweep (SPEC 3 "Sweep") is the capped step repeated toward the same price in one call.

Property: on random cross-margined books, one ApplyMark with sweep equals ApplyMark with the
same requested price called once per step: the same liquidations and ADL fills in the same
order, the same state (hash without seq), and it stops for the same reason. A dry-run sweep
returns the same outcome and changes nothing.
"""
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from markcap.engine import AdlRanking, CapPolicy, FillBatch, SweepStopReason, TransferBatch
from markcap.engine.views import state_hash

from reference.grid import in_units, on_grid

from .helpers import BTC, INVERSE_ID, LINEAR_ID, USD, exchange, send, trade

accounts = st.integers(1, 15)
books = st.lists(st.tuples(accounts, accounts, st.sampled_from([LINEAR_ID, INVERSE_ID]), st.integers(1, 30),
                           st.floats(0.95, 1.05)), min_size=1, max_size=30)
cash = st.lists(st.tuples(accounts, st.sampled_from([USD, BTC]), st.floats(0.0, 400.0)), max_size=15)


def _book(trades, deposits, fund_cash, ranking=AdlRanking.PNL):
    engine = exchange(multiplier=0.5, adl_ranking=ranking)  # the linear instrument's ranking
    transfers = [(0, USD, fund_cash)] + [
        (a, c, in_units(x, 2) if c == USD else in_units(x / 50_000.0, 8)) for a, c, x in deposits]
    send(engine, transfers=transfers)
    fills = []
    for buyer, seller, instrument_id, qty, factor in trades:
        if buyer != seller:
            instrument = engine.state.instruments.by_id[instrument_id]
            price = on_grid(instrument.mark_price * factor, instrument.tick_size)
            fills += [(buyer, instrument_id, qty, price), (seller, instrument_id, -qty, price)]
    engine.apply_deltas(0, FillBatch.of(fills), TransferBatch.of([]))
    return engine


def _step_by_step(engine, instrument_id, price, max_steps, trail):
    """ApplyMark with the same price until it gets there, a step changes nothing, or max_steps;
    each call's (applied price, capped, FBP, liquidations, ADL fills, fund after) in `trail`."""
    liquidations, fills, steps = [], [], 0
    while True:
        before = engine.state.instruments.by_id[instrument_id].mark_price
        outcome = engine.apply_mark(0, instrument_id, price)
        liquidations += outcome.liquidations
        fills += outcome.adl_fills
        steps += 1
        trail.append((outcome.applied_price, outcome.capped, outcome.first_bankruptcy_price,
                      len(outcome.liquidations), len(outcome.adl_fills), outcome.insurance_fund_equity_after))
        if outcome.applied_price == price:
            return liquidations, fills, steps, SweepStopReason.REACHED_REQUESTED_PRICE
        if outcome.applied_price == before and not outcome.liquidations and not outcome.adl_fills:
            return liquidations, fills, steps, SweepStopReason.NO_PROGRESS
        if steps == max_steps:
            return liquidations, fills, steps, SweepStopReason.MAX_STEPS


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trades=books, deposits=cash, fund_cash=st.sampled_from([0.0, 50.0, 5_000.0]),
       instrument_id=st.sampled_from([LINEAR_ID, INVERSE_ID]), factor=st.floats(0.5, 1.6),
       max_steps=st.sampled_from([0, 1, 3]),
       ranking=st.sampled_from([AdlRanking.PNL, AdlRanking.PNL_RATIO_TIMES_LEVERAGE]))
def test_a_sweep_equals_the_same_request_repeated_step_by_step(trades, deposits, fund_cash, instrument_id,
                                                                factor, max_steps, ranking):
    swept, stepped = _book(trades, deposits, fund_cash, ranking), _book(trades, deposits, fund_cash, ranking)
    instrument = swept.state.instruments.by_id[instrument_id]
    price = on_grid(instrument.mark_price * factor, instrument.tick_size)
    if price == instrument.mark_price:
        return
    hash_before = state_hash(swept.state, 0)
    preview = swept.apply_mark(0, instrument_id, price, dry_run=True, sweep=True, max_steps=max_steps)
    assert state_hash(swept.state, 0) == hash_before, "a dry-run sweep changed the state"
    outcome = swept.apply_mark(0, instrument_id, price, sweep=True, max_steps=max_steps)
    assert replace(preview, seq=outcome.seq, dry_run=False) == outcome
    assert swept.applied_seq == stepped.applied_seq + 1  # one seq for the whole sweep
    trail = []
    liquidations, fills, steps, reason = _step_by_step(stepped, instrument_id, price, max_steps, trail)
    # every step's answer, the fund's equity after it included (a sweep keeps the fund aside)
    assert [(s.applied_price, s.capped, s.first_bankruptcy_price, s.liquidation_count, s.adl_fill_count,
             s.insurance_fund_equity_after) for s in outcome.steps] == trail
    assert outcome.liquidations == tuple(liquidations)
    assert outcome.adl_fills == tuple(fills)
    assert (len(outcome.steps), outcome.sweep_stop_reason) == (steps, reason)
    assert [s.liquidation_count for s in outcome.steps] and sum(
        s.liquidation_count for s in outcome.steps) == len(liquidations)
    assert outcome.applied_price == outcome.steps[-1].applied_price
    assert state_hash(swept.state, 0) == state_hash(stepped.state, 0)
    swept.check_invariants()
    event(f"stopped: {reason.name}")
    event("several steps with takeovers" if steps > 1 and liquidations else "at most one step or none taken")
    if fills:
        event("ADL in a sweep")


def test_a_crash_through_a_ladder_of_shorts_is_one_call():
    """Ten shorts bankrupt at 110, 120, ..., 200 (m 0.5, 10 contracts each, cash 50*k), a rich long on
    the other side and a rich fund: a rise to 250 takes all ten over in ten steps and reaches 250."""
    engine = exchange(multiplier=0.5, tick_size=0.5)
    send(engine, transfers=[(0, USD, 1_000_000.0), (100, USD, 1_000_000.0)]
         + [(k, USD, 50.0 * k) for k in range(1, 11)])
    for k in range(1, 11):
        trade(engine, 100, k, 10, 100.0)
    outcome = engine.apply_mark(0, LINEAR_ID, 250.0, sweep=True)
    assert outcome.sweep_stop_reason == SweepStopReason.REACHED_REQUESTED_PRICE
    assert [s.applied_price for s in outcome.steps] == [110.0 + 10 * k for k in range(10)] + [250.0]
    assert [l.account_id for l in outcome.liquidations] == list(range(1, 11))
    assert outcome.capped and outcome.first_bankruptcy_price == 110.0 and outcome.applied_price == 250.0
    assert engine.applied_seq == 1 + 11  # the deposits, ten trades, one sweep


def test_a_sweep_over_the_item_limit_is_refused_whole():
    """max_mark_items bounds liquidations + ADL fills + steps of one call: over it, nothing is
    applied and the seq is not used (the server answers RESOURCE_EXHAUSTED)."""
    from markcap.engine import LimitExceeded
    engine = exchange(multiplier=0.5, tick_size=0.5)
    send(engine, transfers=[(0, USD, 1_000_000.0), (100, USD, 1_000_000.0)]
         + [(k, USD, 50.0 * k) for k in range(1, 11)])
    for k in range(1, 11):
        trade(engine, 100, k, 10, 100.0)
    engine.max_mark_items = 15  # the ladder needs 10 takeovers + 11 steps
    before, seq = state_hash(engine.state, 0), engine.applied_seq
    with pytest.raises(LimitExceeded, match="max_mark_items"):
        engine.apply_mark(0, LINEAR_ID, 250.0, sweep=True)
    assert (state_hash(engine.state, 0), engine.applied_seq) == (before, seq)
    engine.check_invariants()
    assert engine.apply_mark(0, LINEAR_ID, 250.0, sweep=True, max_steps=5).sweep_stop_reason == \
        SweepStopReason.MAX_STEPS  # 5 takeovers + 5 steps fit


def test_bankruptcy_prices_one_tick_apart_are_two_steps_of_a_sweep():
    """Shorts of 10 (m 0.5) at 100 with 50 and 52.5 USD are bankrupt at exactly 110 and 110.5, one
    tick apart: the first step caps at 110 and takes only the first (the band stops before the
    next grid price), the second caps at 110.5, the third reaches 120; as three single calls do."""
    engines = [exchange(multiplier=0.5, tick_size=0.5) for _ in range(2)]
    for engine in engines:
        send(engine, transfers=[(0, USD, 1_000_000.0), (100, USD, 1_000_000.0), (1, USD, 50.0), (2, USD, 52.5)])
        trade(engine, 100, 1, 10, 100.0)
        trade(engine, 100, 2, 10, 100.0)
    swept, stepped = engines
    outcome = swept.apply_mark(0, LINEAR_ID, 120.0, sweep=True)
    assert [(s.applied_price, s.liquidation_count) for s in outcome.steps] == [(110.0, 1), (110.5, 1), (120.0, 0)]
    assert [l.account_id for l in outcome.liquidations] == [1, 2]
    singles = [stepped.apply_mark(0, LINEAR_ID, 120.0) for _ in range(3)]
    assert [o.applied_price for o in singles] == [110.0, 110.5, 120.0]
    assert outcome.liquidations == tuple(l for o in singles for l in o.liquidations)
    assert state_hash(swept.state, 0) == state_hash(stepped.state, 0)
