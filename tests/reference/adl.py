"""Auto-deleveraging (SPEC §5), literally: rank, select, allocate, fill at the applied price."""
from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from markcap.engine.types import AdlAllocation, AdlRanking, ContractKind

from .grid import exact
from .outcome import RefAdlFill

if TYPE_CHECKING:
    from .exchange import ReferenceExchange


def deleverage(exchange: "ReferenceExchange", instrument_id: int, direction: int,
               price: Fraction) -> list[RefAdlFill]:
    """Closes the fund's whole harmed position in x against the ranked counterparties at `price`."""
    fund_qty = exchange.qty(exchange.fund_id, instrument_id)
    if fund_qty * direction >= 0:
        return []
    ranking = rank_counterparties(exchange, instrument_id, fund_qty)
    sizes = [abs(exchange.qty(a, instrument_id)) for a, _ in ranking]
    selected = select(sizes, abs(fund_qty))
    allocation = exchange.instruments[instrument_id].adl_allocation
    total = min(abs(fund_qty), sum(sizes[:selected]))
    if allocation == AdlAllocation.QUEUE:
        amounts = allocate_queue(sizes[:selected], total)
    else:
        amounts = allocate_pro_rata(sizes[:selected], total)
    fills = []
    for index, amount in enumerate(amounts):
        if amount == 0:
            continue
        account_id, score = ranking[index]
        change = -amount if exchange.qty(account_id, instrument_id) > 0 else amount
        exchange.apply_fill(account_id, instrument_id, change, price)
        exchange.apply_fill(exchange.fund_id, instrument_id, -change, price)
        fills.append(RefAdlFill(account_id, instrument_id, change, float(price), index + 1, float(score)))
    return fills


def rank_counterparties(exchange: "ReferenceExchange", instrument_id: int,
                        fund_qty: int) -> list[tuple[int, Fraction | float]]:
    """Non-fund accounts opposite the fund in x as (account_id, score): highest score first, ties lower id."""
    scored = []
    for account_id in sorted(exchange.accounts):
        if account_id == exchange.fund_id:
            continue
        if exchange.qty(account_id, instrument_id) * fund_qty < 0:
            scored.append((account_id, score(exchange, account_id, instrument_id)))
    scored.sort(key=lambda entry: (-entry[1], entry[0]))
    return scored


def score(exchange: "ReferenceExchange", account_id: int, instrument_id: int) -> Fraction | float:
    """Exact: PNL: upnl*sigma. PNL_RATIO_TIMES_LEVERAGE: r*L if r > 0 else r/L, r = upnl/|K|
    (0 when K = 0), L = |position value|*sigma/E (+inf when E <= 0: then r*L = +inf, r/L = 0)."""
    instrument = exchange.instruments[instrument_id]
    position = exchange.accounts[account_id].positions[instrument_id]
    sigma = exchange.settlement_price(instrument_id)
    upnl = exchange.upnl(instrument_id, position, exchange.exact_mark(instrument_id))
    if instrument.adl_ranking == AdlRanking.PNL:
        return upnl * sigma
    ratio = upnl / abs(position.cost) if position.cost else Fraction(0)
    equity = exchange.equity(account_id)
    value = abs(position_value(exchange, instrument, position.qty)) * sigma
    if equity <= 0 or value == 0:
        return float("inf") if ratio > 0 else Fraction(0)
    leverage = value / equity
    return ratio * leverage if ratio > 0 else ratio / leverage


def position_value(exchange, instrument, qty: int) -> Fraction:
    """q*m*p (LINEAR) or q*m/p (INVERSE) at the instrument's mark, in the settlement currency."""
    m, p = exact(instrument.multiplier), exchange.exact_mark(instrument.instrument_id)
    if instrument.kind == ContractKind.LINEAR:
        return qty * m * p
    return qty * m / p


def select(sizes: list[int], needed: int) -> int:
    """How many of the ranked accounts, from the top, first hold at least `needed` contracts."""
    held = 0
    for count, size in enumerate(sizes):
        if held >= needed:
            return count
        held += size
    return len(sizes)


def allocate_queue(sizes: list[int], total: int) -> list[int]:
    """Each account closed fully in ranking order, the last one partly."""
    amounts = []
    for size in sizes:
        amounts.append(min(size, total))
        total -= amounts[-1]
    return amounts


def allocate_pro_rata(sizes: list[int], total: int) -> list[int]:
    """total*size/sum(sizes) in whole contracts by exact integer largest remainder (ties: ranking order)."""
    whole = sum(sizes)
    if whole == 0:
        return [0] * len(sizes)
    amounts = [total * size // whole for size in sizes]
    remainders = [total * size % whole for size in sizes]
    left = total - sum(amounts)
    by_remainder = sorted(range(len(sizes)), key=lambda i: (-remainders[i], i))
    for index in by_remainder[:left]:
        amounts[index] += 1
    return amounts
