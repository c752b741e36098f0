"""Small builders for engine tests: a one-currency exchange and zero-sum books."""
from __future__ import annotations

from markcap.engine import (ContractKind, Currency, Engine, ExchangeConfig, FillBatch, Instrument,
                            TransferBatch)

USD, BTC = 1, 2
LINEAR_ID, INVERSE_ID = 7, 9


def exchange(floor: float = 0.0, **instrument_terms) -> Engine:
    """USD (valuation) and BTC at 50,000; a linear USD perp (7) and an inverse BTC perp (9)."""
    linear = dict(instrument_id=LINEAR_ID, symbol="LIN", kind=ContractKind.LINEAR,
                  settlement_currency_id=USD, multiplier=1.0, tick_size=0.01, mark_price=100.0)
    linear.update(instrument_terms)
    return Engine(ExchangeConfig(
        currencies=(Currency(USD, "USD", 1.0, True, decimals=2), Currency(BTC, "BTC", 50_000.0, decimals=8)),
        instruments=(Instrument(**linear),
                     Instrument(INVERSE_ID, "INV", ContractKind.INVERSE, BTC, 100.0, 50_000.0, tick_size=0.5)),
        insurance_fund_floor=floor))


def send(engine: Engine, fills=(), transfers=(), seq: int = 0):
    return engine.apply_deltas(seq, FillBatch.of(list(fills)), TransferBatch.of(list(transfers)))


def trade(engine: Engine, buyer: int, seller: int, qty: int, price: float, instrument: int = LINEAR_ID):
    """One zero-sum trade: `buyer` +qty, `seller` -qty at `price`."""
    return send(engine, [(buyer, instrument, qty, price), (seller, instrument, -qty, price)])
