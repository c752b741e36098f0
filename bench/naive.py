"""The naive baseline: a full pure-Python recompute of a capped ApplyMark's search.

Plain loops over every account and its positions, written from SPEC.md alone
(no engine code): equity of each account, the bankruptcy price of each holder
harmed by the move, and the nearest one to the mark (the first bankruptcy
price). It is what an engine without incremental state would do per mark, and
doubles as an independent check of the engine's first bankruptcy price.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .workload import BTC, BTC_DECIMALS, BTC_PRICE_USD, USD, USD_DECIMALS, Workload

FUND_FLOOR = 0.0  # the workload's insurance_fund_floor


@dataclass
class NaiveExchange:
    """Plain Python state: per account [balances by currency index, {instrument index: [q, K]}]."""

    accounts: list[tuple[list[float], dict[int, list[float]]]]  # index = account_id
    inverse: list[bool]
    multiplier: list[float]
    mark: list[float]
    sigma: list[float]             # settlement currency price per instrument, USD
    currency_price: list[float]    # [USD, BTC]
    residue: list[Fraction] = field(default_factory=lambda: [Fraction(0), Fraction(0)])  # owed to the fund


def build(workload: Workload) -> NaiveExchange:
    """Replays the workload's deposits and fills with SPEC 2's average-cost accounting."""
    instruments = workload.instruments
    inverse = instruments.inverse.tolist()
    exchange = NaiveExchange(
        accounts=[([0, 0], {}) for _ in range(workload.account_count)],
        inverse=inverse, multiplier=instruments.multiplier.tolist(),
        mark=instruments.mark_price.tolist(),
        sigma=[BTC_PRICE_USD if is_inverse else 1.0 for is_inverse in inverse],
        currency_price=[1.0, BTC_PRICE_USD])
    currency_index = {USD: 0, BTC: 1}
    transfers = workload.transfers
    for account, currency, amount in zip(transfers.account_id.tolist(), transfers.currency_id.tolist(),
                                         transfers.amount.tolist()):
        index = currency_index[currency]
        exchange.accounts[account][0][index] += int(_decimal(amount) * POWERS[index])
    fills = workload.fills
    for account, instrument_id, qty, price in zip(fills.account_id.tolist(), fills.instrument_id.tolist(),
                                                  fills.qty.tolist(), fills.price.tolist()):
        _fill(exchange, account, instrument_id - 1, qty, price)
    for balances, positions in exchange.accounts:  # the search runs on floats, as an engine would
        balances[:] = [units / power for units, power in zip(balances, POWERS)]
        for k, position in positions.items():
            position[1] = position[1] / POWERS[1 if exchange.inverse[k] else 0]
    return exchange


POWERS = (10**USD_DECIMALS, 10**BTC_DECIMALS)  # minor units per USD, per BTC


def _decimal(value: float, cache: dict = {}) -> Fraction:  # noqa: B006 (a cache on purpose)
    """The decimal a double stands for (SPEC 1 "On the wire")."""
    found = cache.get(value)
    if found is None:
        found = cache[value] = Fraction(repr(value))
    return found


def _fill(exchange: NaiveExchange, account: int, k: int, dq: int, price: float) -> None:
    """SPEC 2 with SPEC 1's rounding, in whole minor units: growing adds dq's value to K; reducing
    by c realises its PnL and drops K*c/q. Each amount is rounded to the minor unit against the
    account (LINEAR: K up, realised down; INVERSE: K down, realised down); what rounding takes
    accrues to the fund (account 0) and is paid to it in whole minor units."""
    balances, positions = exchange.accounts[account]
    inverse = exchange.inverse[k]
    currency = 1 if inverse else 0
    value = _decimal(exchange.multiplier[k]) * POWERS[currency]  # m in minor units
    value = value / _decimal(price) if inverse else value * _decimal(price)  # one contract at price
    num, den = value.numerator, value.denominator

    def cost_of(qty: int) -> int:  # a value's K: up for LINEAR, down for INVERSE
        return (qty * num) // den if inverse else -((-qty * num) // den)

    q, cost = positions.get(k, (0, 0))
    old_cost, realised = cost, 0
    if q == 0 or (q > 0) == (dq > 0):
        q, cost = q + dq, cost + cost_of(dq)
    else:
        closed = -dq if abs(dq) <= abs(q) else q
        if closed == q:
            closed_cost = cost
        else:
            closed_cost = (cost * closed) // q if inverse else -((-cost * closed) // q)
        realised = ((-closed * num) // den + closed_cost) if inverse else ((closed * num) // den - closed_cost)
        cost = cost_of(q + dq) if closed == q else cost - closed_cost
        q += dq
    balances[currency] += realised
    booked = realised + (cost - old_cost) if inverse else realised - (cost - old_cost)
    exact = Fraction(dq * num if inverse else -dq * num, den)
    if exact != booked:
        owed = exchange.residue[currency] + exact - booked
        whole = owed.numerator // owed.denominator
        exchange.residue[currency] = owed - whole
        exchange.accounts[0][0][currency] += whole
    if q == 0:
        positions.pop(k, None)
    else:
        positions[k] = [q, cost]


def first_bankruptcy_price(exchange: NaiveExchange, k: int, requested: float) -> float | None:
    """SPEC 3.3-3.4 by plain loops: the harmed holders' b nearest to the mark P0 in direction d.

    Equity E = sum_c balance_c*px(c) + sum_x sigma_x*upnl_x (USD); with E' = E - sigma*upnl_k
    (minus the floor for the fund): LINEAR b = (K*sigma - E')/(q*m*sigma), INVERSE
    b = q*m/(K + E'/sigma), none unless finite and > 0; b behind P0 counts as P0.
    """
    p0 = exchange.mark[k]
    d = (requested > p0) - (requested < p0)
    if d == 0:
        return None
    inverse, multiplier, mark, sigma = exchange.inverse, exchange.multiplier, exchange.mark, exchange.sigma
    usd_price, btc_price = exchange.currency_price
    m_k, sigma_k, inverse_k = multiplier[k], sigma[k], inverse[k]
    best = None
    for account_id, (balances, positions) in enumerate(exchange.accounts):
        equity = balances[0] * usd_price + balances[1] * btc_price
        for x, (q, cost) in positions.items():
            upnl = cost - q * multiplier[x] / mark[x] if inverse[x] else q * multiplier[x] * mark[x] - cost
            equity += sigma[x] * upnl
        position = positions.get(k)
        if position is None or position[0] * d >= 0:
            continue
        q, cost = position
        upnl_k = cost - q * m_k / p0 if inverse_k else q * m_k * p0 - cost
        without = equity - sigma_k * upnl_k
        is_fund = account_id == 0
        if is_fund:
            without -= FUND_FLOOR
        if is_fund and equity <= FUND_FLOOR:
            b = p0
        else:
            b = _bankruptcy_price(inverse_k, q, cost, m_k, sigma_k, without)
            if b is None:
                continue
            if (b - p0) * d < 0:
                b = p0
        if best is None or (b - best) * d < 0:
            best = b
    return best


def _bankruptcy_price(inverse: bool, q: int, cost: float, m: float, sigma: float,
                      without: float) -> float | None:
    try:
        b = q * m / (cost + without / sigma) if inverse else (cost * sigma - without) / (q * m * sigma)
    except ZeroDivisionError:
        return None
    return b if b > 0 and b != float("inf") else None
