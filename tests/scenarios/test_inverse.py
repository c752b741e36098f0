"""An inverse, coin-margined instrument settled in BTC with BTC collateral (SPEC 1, 3.3).

Instrument 2 INVERSE, multiplier m = 1000 (USD per contract), mark 10000,
settled in BTC; BTC is worth sigma = 10000 USD; USD is the valuation currency.
upnl(p) = K - q*m/p (BTC), K = q*m/entry; b = q*m / (K + E'/sigma).
"""
import pytest

from markcap.v1 import risk_engine_pb2 as pb

from .book import Book
from .exchange import (
    TOLERANCE, account, adl_fills, apply_mark, assert_invariants_after_cap,
    assert_moved_balances_are_zero, equities, fund_equity, liquidations, position,
)

CONFIG = """
insurance_fund_account_id = 0
insurance_fund_floor = 0.0

[[currencies]]
currency_id = 1
code = "USD"
decimals = 2
price = 1.0
valuation = true

[[currencies]]
currency_id = 2
code = "BTC"
decimals = 8
price = 10000.0

[[instruments]]
instrument_id = 2
symbol = "XBTUSD"
kind = "INVERSE"
settlement_currency_id = 2
multiplier = 1000.0
tick_size = 0.5
mark_price = 10000.0
cap_policy = "CAP_TO_FIRST_BANKRUPTCY_PRICE"
adl_ranking = "PNL"
adl_allocation = "PRO_RATA"
"""
XBT = 2
FUND = 0


def inverse_book() -> Book:
    """Shorts' costs: 1: K = -100*1000/10000 = -10 BTC; 2: K = -50*1000/10000 = -5 BTC."""
    return (Book(instrument_id=XBT, multiplier=1000, inverse=True, settlement="btc",
                 currencies={"usd": (1, 1.0), "btc": (2, 10000.0)})
            .deposit(account=FUND, btc=5)
            # E'/sigma = 2 BTC -> b = -100000/(-10+2) = 12500
            .short(account=1, qty=100, price=10000).deposit(account=1, btc=2)
            # E' = 1*10000 + 20000 USD = 30000, E'/sigma = 3 -> b = -50000/(-5+3) = 25000
            .short(account=2, qty=50, price=10000).deposit(account=2, btc=1, usd=20000)
            .long(account=3, qty=150, price=10000).deposit(account=3, btc=20))


def test_inverse_rise_to_15000_stops_at_12500_where_the_btc_margined_short_is_bankrupt(open_exchange):
    stub = open_exchange(CONFIG)
    # Given
    book = inverse_book()
    book.send(stub)
    book.verify(stub)
    assert position(stub, 1, XBT).bankruptcy_price == pytest.approx(12500)
    assert position(stub, 2, XBT).bankruptcy_price == pytest.approx(25000)
    # Equities in USD at 10000 (upnl 0): 1: 2 BTC = 20000; 2: 10000 + 20000 = 30000.
    assert account(stub, 1).equity == pytest.approx(20000)
    assert account(stub, 2).equity == pytest.approx(30000)
    before = equities(stub, book.accounts())
    # When
    response = apply_mark(stub, XBT, 15000)
    # Then
    assert response.capped
    assert response.applied_price == pytest.approx(12500)
    assert response.first_bankruptcy_price == pytest.approx(12500)
    assert liquidations(response) == [(1, pb.LIQUIDATION_REASON_FIRST_BANKRUPTCY_PRICE, 12500, [(XBT, -100, 12500)])]
    assert response.liquidations[0].equity_before == pytest.approx(0, abs=TOLERANCE)
    # Realised on closing at 12500: -100*(0.1 - 1000/12500) = -2 BTC, all of its 2 BTC.
    assert_moved_balances_are_zero(response.liquidations[0])
    assert adl_fills(response) == []
    # Fund: 5 BTC = 50000 USD; its new short 100 has K = -100*1000/12500 = -8 BTC, upnl 0.
    assert response.insurance_fund_equity_before == pytest.approx(50000)
    assert response.insurance_fund_equity_after == pytest.approx(50000)
    assert fund_equity(stub) == pytest.approx(50000)
    fund_position = position(stub, FUND, XBT)
    assert (fund_position.qty, fund_position.cost) == (-100, pytest.approx(-8))
    assert fund_position.entry_price == pytest.approx(12500)  # q*m/K = -100000/-8
    # Account 2 at 12500: upnl = -5 + 50000/12500 = -1 BTC; equity (1-1)*10000 + 20000 = 20000 USD.
    short = position(stub, 2, XBT)
    assert short.upnl == pytest.approx(-1)
    assert account(stub, 2).equity == pytest.approx(20000)
    assert short.bankruptcy_price == pytest.approx(25000)  # its E' is unchanged
    # Account 3: K = 15 BTC, upnl = 15 - 150000/12500 = 3 BTC; equity (20+3)*10000 = 230000 USD.
    assert position(stub, 3, XBT).upnl == pytest.approx(3)
    assert account(stub, 3).equity == pytest.approx(230000)
    assert_invariants_after_cap(stub, book, before, response, fund_floor=0.0)
