"""Currency and instrument upserts: validation, defaults and forbidden changes."""
import math

import pytest

from markcap.engine import (CapPolicy, ContractKind, CurrencyUpdate, InstrumentUpdate, InvalidInput,
                            PreconditionFailed, UnknownId)

from .helpers import LINEAR_ID, USD, exchange, trade


def test_a_new_instrument_takes_the_engine_defaults():
    engine = exchange()
    outcome = engine.upsert_instrument(0, InstrumentUpdate(11, "NEW", ContractKind.LINEAR, USD, 1.0, 5.0, tick_size=0.01))
    assert outcome.instrument.cap_policy == CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE
    assert [i.instrument_id for i in engine.instruments()] == [7, 9, 11]


def test_a_new_instrument_needs_its_terms():
    engine = exchange()
    with pytest.raises(InvalidInput, match="kind"):
        engine.upsert_instrument(0, InstrumentUpdate(11, "NEW", None, USD, 1.0, 5.0, tick_size=0.01))
    with pytest.raises(UnknownId, match="unknown currency 77"):
        engine.upsert_instrument(0, InstrumentUpdate(11, "NEW", ContractKind.LINEAR, 77, 1.0, 5.0, tick_size=0.01))
    with pytest.raises(InvalidInput, match="multiplier"):
        engine.upsert_instrument(0, InstrumentUpdate(11, "NEW", ContractKind.LINEAR, USD, -1.0, 5.0, tick_size=0.01))
    assert engine.applied_seq == 0


def test_terms_of_a_held_instrument_cannot_change_but_its_policies_can():
    engine = exchange()
    trade(engine, 1, 2, 1, 100.0)
    with pytest.raises(PreconditionFailed, match="multiplier cannot change"):
        engine.upsert_instrument(0, InstrumentUpdate(LINEAR_ID, multiplier=2.0))
    with pytest.raises(PreconditionFailed, match="ApplyMark"):
        engine.upsert_instrument(0, InstrumentUpdate(LINEAR_ID, mark_price=150.0))
    outcome = engine.upsert_instrument(0, InstrumentUpdate(LINEAR_ID, symbol="LIN2", cap_policy=CapPolicy.NO_CAP))
    assert outcome.instrument.symbol == "LIN2" and outcome.instrument.multiplier == 1.0


def test_the_valuation_currency_is_fixed():
    engine = exchange()
    with pytest.raises(PreconditionFailed, match="valuation currency"):
        engine.upsert_currency(0, CurrencyUpdate(USD, 2.0))
    with pytest.raises(PreconditionFailed, match="cannot become it"):
        engine.upsert_currency(0, CurrencyUpdate(2, 50_000.0, valuation=True))
    with pytest.raises(InvalidInput, match="nan"):
        engine.upsert_currency(0, CurrencyUpdate(2, math.nan))
    assert engine.applied_seq == 0


def test_a_currency_price_change_reports_accounts_left_with_negative_equity():
    engine = exchange()
    from .helpers import send
    send(engine, transfers=[(1, 2, -1.0), (1, 1, 60_000.0)])  # owes 1 BTC, holds 60k USD
    assert engine.upsert_currency(0, CurrencyUpdate(2, 55_000.0)).negative_equity_accounts == ()
    outcome = engine.upsert_currency(0, CurrencyUpdate(2, 70_000.0))
    assert [(a.account_id, a.equity) for a in outcome.negative_equity_accounts] == [(1, -10_000.0)]


def test_a_new_currency_gets_a_balance_column():
    engine = exchange()
    engine.upsert_currency(0, CurrencyUpdate(3, 2_000.0, code="ETH", decimals=8))
    from .helpers import send
    send(engine, transfers=[(1, 3, 2.0)])
    assert engine.account(1).equity == 4_000.0
