"""The bankruptcy index answers exactly like a full scan, however stale its keys are.

Random cross-margined books (linear and inverse, USD and BTC collateral), then
random marks on every instrument, currency moves and trades; after each step,
for every instrument and direction, the indexed search must find the same first
bankruptcy price, ties and already-bankrupt accounts as a scan of all holders,
and the negative-equity set must equal a scan of all accounts.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from markcap.engine import (ContractKind, Currency, CurrencyUpdate, Engine, ExchangeConfig, FillBatch,
                            Instrument, TransferBatch)
from markcap.engine import bankruptcy_index, holdings
from markcap.engine.bankruptcy import harmed_accounts
from markcap.engine.mark import harmed_near
from markcap.engine.valuation import AccountPositions, account_equity, all_equities, exact_equity

from reference.grid import in_units, on_grid

INSTRUMENTS = (Instrument(1, "A", ContractKind.LINEAR, 1, 1.0, 100.0, tick_size=0.01),
               Instrument(2, "B", ContractKind.LINEAR, 1, 10.0, 20.0, tick_size=0.001),
               Instrument(3, "C", ContractKind.INVERSE, 2, 100.0, 50_000.0, tick_size=0.5))


def _exchange() -> Engine:
    return Engine(ExchangeConfig(currencies=(Currency(1, "USD", 1.0, True, decimals=2), Currency(2, "BTC", 50_000.0, decimals=8)),
                                 instruments=INSTRUMENTS))


accounts = st.integers(1, 12)
trades = st.lists(st.tuples(accounts, accounts, st.sampled_from([1, 2, 3]), st.integers(1, 40),
                            st.floats(0.9, 1.1)), min_size=1, max_size=25)
deposits = st.lists(st.tuples(accounts, st.sampled_from([1, 2]), st.floats(1.0, 3_000.0)), max_size=15)
steps = st.lists(st.one_of(
    st.tuples(st.just("mark"), st.sampled_from([1, 2, 3]), st.floats(0.7, 1.3)),
    st.tuples(st.just("currency"), st.just(2), st.floats(0.9, 1.1)),
    st.tuples(st.just("trade"), st.sampled_from([1, 2, 3]), st.integers(1, 12))), max_size=25)


def _send_trades(engine, rows):
    fills = []
    for buyer, seller, instrument_id, qty, price_factor in rows:
        if buyer == seller:
            continue
        instrument = engine.state.instruments.by_id[instrument_id]
        price = on_grid(instrument.mark_price * price_factor, instrument.tick_size)
        fills += [(buyer, instrument_id, qty, price), (seller, instrument_id, -qty, price)]
    engine.apply_deltas(0, FillBatch.of(fills), TransferBatch.of([]))


def _exact_scan(state, instrument, direction):
    """Every harmed holder's exact equity and bankruptcy ticks, by plain loop over the book."""
    full = harmed_accounts(state, instrument, direction)
    return full, [(int(full.slots[i]), full.exact_equity(i), full.exact_ticks(i)) for i in range(len(full.slots))]


def _assert_index_matches_a_scan(engine):
    state, risk = engine.state, engine.risk
    assert risk.caught_up  # every input leaves the derived structures up to date
    for instrument in state.instruments.sorted():
        for direction in (1, -1):
            full, exact = _exact_scan(state, instrument, direction)
            near_mark = harmed_near(risk, instrument, direction, at_price=instrument.mark_price, query=True)
            bankrupt = sorted(slot for slot, equity, _ in exact if equity <= 0 and slot != state.fund_slot)
            # every account already bankrupt at the mark is found (SPEC 3.2) ...
            assert sorted(near_mark.bankrupt_now().tolist()) == bankrupt
            if bankrupt:
                continue  # ... and taken over before the search for the first bankruptcy price
            near = harmed_near(risk, instrument, direction, query=True)
            prices = [ticks for _, _, ticks in exact if ticks is not None]
            fbp = (min(prices) if direction > 0 else max(prices)) if prices else None
            assert near.first() == fbp == full.first()
            if fbp is not None:
                tied = sorted(slot for slot, _, ticks in exact if ticks == fbp)
                assert set(tied) <= set(near.slots.tolist())
    equity = all_equities(state)
    slots = np.arange(state.accounts.count)
    vectorised = AccountPositions(state, slots).equity_at_marks()
    scalar = np.array([account_equity(state, slot) for slot in slots.tolist()])
    # equities_of takes either path by size: they must agree to the bit (and with the full scan)
    assert vectorised.tobytes() == scalar.tobytes() == equity.tobytes()
    negative = {slot for slot in slots.tolist() if exact_equity(state, slot) < 0}
    assert negative <= risk.negative.slots  # every negative account is in the set ...
    for slot in risk.negative.slots - negative:  # ... and the others only by float doubt
        assert abs(float(exact_equity(state, slot))) < 1e-6
    for instrument in state.instruments.sorted():
        assert engine.bankruptcy_band(instrument.instrument_id) == _band_by_scan(state, instrument)


def _band_by_scan(state, instrument):
    """GetBankruptcyBand by brute force: every non-fund holder, exact, bankrupt ones at the mark."""
    from markcap.engine.types import BankruptcyBand
    sides = []
    for direction in (-1, 1):
        _, exact = _exact_scan(state, instrument, direction)
        traders = [(slot, ticks) for slot, _, ticks in exact if slot != state.fund_slot and ticks is not None]
        if not traders:
            sides.append((None, ()))
            continue
        nearest = (max if direction < 0 else min)(ticks for _, ticks in traders)
        ids = sorted(int(state.accounts.ids[slot]) for slot, ticks in traders if ticks == nearest)
        sides.append((float(nearest * state.terms(instrument).tick), tuple(ids)))
    return BankruptcyBand(instrument.mark_price, sides[0][0], sides[0][1], sides[1][0], sides[1][1])


@pytest.mark.parametrize("budget, tier_limits, inline_places", [
    (256, (0.0, 1 / 16, 1 / 4, 1.0, 4.0, 16.0, 64.0, 256.0), 4), (1, (0.0, 1.0, 16.0), 4), (2, (0.0, 0.01, 0.1), 4),
    (256, (0.0, 1.0, 16.0), 1), (1, (0.0,), 4)])  # one inline place: most positions go to the holdings' overflow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(trades=trades, deposits=deposits, steps=steps, rng_seed=st.integers(0, 2**32 - 1))
def test_indexed_search_equals_a_full_scan(monkeypatch, budget, tier_limits, inline_places, trades, deposits,
                                          steps,
                                          rng_seed):
    monkeypatch.setattr(bankruptcy_index, "CANDIDATE_BUDGET", budget)
    monkeypatch.setattr(bankruptcy_index, "TIER_LIMITS", np.array(tier_limits))
    monkeypatch.setattr(holdings, "WIDTH", inline_places)
    engine = _exchange()
    engine.apply_deltas(0, FillBatch.of([]), TransferBatch.of([(a, c, in_units(x, 2) if c == 1 else in_units(x / 50_000.0, 8))
                                                               for a, c, x in deposits]))
    _send_trades(engine, trades)
    _assert_index_matches_a_scan(engine)
    rng = np.random.default_rng(rng_seed)
    for kind, target, value in steps:
        if kind == "mark":
            instrument = engine.state.instruments.by_id[target]
            engine.apply_mark(0, target, on_grid(instrument.mark_price * value, instrument.tick_size),
                              dry_run=bool(rng.integers(2)))
        elif kind == "currency":
            engine.upsert_currency(0, CurrencyUpdate(2, engine.state.currencies.price(2) * value))
        else:
            buyer, seller = (int(x) for x in rng.integers(1, 13, 2))
            _send_trades(engine, [(buyer, seller, target, value, 1.0)])
        _assert_index_matches_a_scan(engine)
        engine.check_invariants()


def test_a_mark_elsewhere_that_makes_a_hedged_short_the_first_bankruptcy_is_seen():
    """A short in A hedged by a long in B becomes bankrupt first once B falls: its key in A is stale."""
    engine = _exchange()
    engine.apply_deltas(0, FillBatch.of([
        (1, 1, -10, 100.0), (9, 1, 10, 100.0),   # account 1 short 10 A @100 ...
        (1, 2, 10, 20.0), (9, 2, -10, 20.0),     # ... and long 10 B @20 (multiplier 10: 2,000 notional)
        (2, 1, -10, 100.0), (9, 1, 10, 100.0),   # account 2 short 10 A @100, no hedge
    ]), TransferBatch.of([(1, 1, 250.0), (2, 1, 200.0), (9, 1, 1e6)]))
    # b in A: account 1 (250 - 10p + 1000 = 0) at 125; account 2 (200 + 1000 - 10p) at 120
    assert engine.account(1).positions[0].bankruptcy_price == 125.0
    engine.apply_mark(0, 2, 19.0)  # B falls 1: account 1 loses 10*10*1 = 100 -> b in A = 115
    outcome = engine.apply_mark(0, 1, 130.0, dry_run=True)
    assert outcome.first_bankruptcy_price == pytest.approx(115.0)
    assert [liquidation.account_id for liquidation in outcome.liquidations] == [1]
