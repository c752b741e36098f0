"""What a sweep keeps for its range of marks answers as a fresh search would (SPEC 3 "Sweep", 5.3).

A side range scores one side of x once for a range of marks; at any mark inside it, and after
ADL-like fills it is told about, its top k must be `rank_side`'s top k exactly, in the same
order. Sides here are larger than the first top asked for (64), so the bounds do the narrowing;
heads smaller than the side make it order only part of it at first, and more when asked for more.
"""
from hypothesis import HealthCheck, given, settings, strategies as st

from markcap.engine.adl import rank_side
from markcap.engine.adl_window import SideRange
from markcap.engine.types import AdlRanking

from reference.grid import on_grid

from .helpers import INVERSE_ID, LINEAR_ID, USD, exchange, send

holders = st.lists(st.tuples(st.integers(1, 40), st.sampled_from([0.8, 0.9, 1.0, 1.1, 1.2]),
                             st.floats(0.0, 2_000.0)), min_size=70, max_size=160)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(holdings=holders, instrument_id=st.sampled_from([LINEAR_ID, INVERSE_ID]), side_sign=st.sampled_from([1, -1]),
       span=st.floats(-0.4, 0.4), head=st.sampled_from([1, 3, 16, 4096]),
       ranking=st.sampled_from([AdlRanking.PNL, AdlRanking.PNL_RATIO_TIMES_LEVERAGE]), data=st.data())
def test_a_side_range_ranks_as_the_whole_side_at_every_mark_inside_it(holdings, instrument_id, side_sign,
                                                                      span, head, ranking, data):
    engine = exchange(multiplier=0.5, adl_ranking=ranking)  # the ranking of the linear instrument
    state = engine.state
    instrument = state.instruments.by_id[instrument_id]
    cash = [(1000, USD, 10_000_000.0)]
    fills = []
    for k, (qty, factor, deposit) in enumerate(holdings, start=1):
        price = on_grid(instrument.mark_price * factor, instrument.tick_size)
        fills += [(k, instrument_id, side_sign * qty, price), (1000, instrument_id, -side_sign * qty, price)]
        cash.append((k, USD, round(deposit, 2)))
    send(engine, transfers=cash)
    send(engine, fills=fills)
    grid = state.instruments.grid(instrument)
    start = state.mark_ticks(instrument)
    end = max(1, grid.units(on_grid(instrument.mark_price * (1 + span), instrument.tick_size), "price"))
    side_range = SideRange(state, instrument, side_sign, (start, end), head=head)
    with engine.risk.operation(always_rollback=True):
        for _ in range(4):
            ticks = data.draw(st.integers(min(start, end), max(start, end)))
            state.set_mark(instrument_id, grid.value(ticks))
            instrument = state.instruments.by_id[instrument_id]
            for top in (1, 5, 64):
                got = side_range.ranking(instrument, top)
                want = rank_side(state, instrument, side_sign, top)
                assert got.slots.tolist() == want.slots.tolist()
                assert got.qty.tolist() == want.qty.tolist()
            # an ADL-like fill closes part or all of some holders' positions against the fund
            ranked = rank_side(state, instrument, side_sign, 8)
            filled = []
            for slot, qty in zip(ranked.slots.tolist(), ranked.qty.tolist()):
                take = data.draw(st.integers(0, abs(qty)))
                if take:
                    change = -take if qty > 0 else take
                    state.fill(slot, instrument, change, ticks, "adl")
                    state.fill(state.fund_slot, instrument, -change, ticks, "adl")
                    filled.append(slot)
            side_range.filled(instrument, filled)
            engine.risk.catch_up()

