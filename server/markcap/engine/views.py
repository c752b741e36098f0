"""Read-only views (SPEC 6): accounts, the fund, bankruptcy bands, ADL queues, state hash."""
from __future__ import annotations

import hashlib
import math
from fractions import Fraction

import numpy as np

from . import contracts
from .adl import exact_score, rank_of, rank_side
from .errors import InvalidInput, UnknownId
from .mark import harmed_near
from .risk import RiskView
from .state import ExchangeState
from .types import (AccountView, AdlQueueEntry, BankruptcyBand, ContractKind, FundView, Instrument,
                    PositionView, Side)
from .valuation import exact_equity


def adl_indicator(rank: int, count: int) -> int:
    """Quintile light 1-5 of a 1-based rank among `count` (5 = first to be deleveraged)."""
    return 5 - (rank - 1) * 5 // count


def _adl_rank(state: ExchangeState, instrument: Instrument, slot: int, qty: int) -> tuple[int, int]:
    if slot == state.fund_slot:
        return 0, 0
    rank, count = rank_of(state, instrument, slot, 1 if qty > 0 else -1)
    return rank, adl_indicator(rank, count)


def _position_view(state: ExchangeState, slot: int, instrument: Instrument, qty: int, cost: int,
                   bankruptcy_ticks: Fraction | None) -> PositionView:
    """One position with the doubles nearest to its exact cost, entry price, upnl and b."""
    settlement = state.currencies.by_id[instrument.settlement_currency_id]
    unit = Fraction(1, 10**settlement.decimals)
    kernel = contracts.kernel(instrument.kind)
    terms, ticks = state.terms(instrument), state.mark_ticks(instrument)
    upnl = kernel.upnl_units(terms, qty, cost, ticks) * unit
    value_per_tick = kernel.value_units(terms, qty, 1)  # LINEAR q*A; INVERSE q*B
    entry = (cost / value_per_tick if instrument.kind == ContractKind.LINEAR
             else (value_per_tick / cost if cost else None))
    rank, indicator = _adl_rank(state, instrument, slot, qty)
    return PositionView(instrument.instrument_id, qty, float(cost * unit),
                        float(entry * terms.tick) if entry is not None else math.inf, float(upnl),
                        None if bankruptcy_ticks is None else float(bankruptcy_ticks * terms.tick),
                        rank, indicator)


def account_view(state: ExchangeState, account_id: int) -> AccountView:
    slot = state.accounts.slot(account_id)
    if slot is None:
        raise UnknownId(f"unknown account {account_id}", kind="account", id_value=account_id,
                        field="account_id")
    equity = exact_equity(state, slot)
    balances = tuple((c.currency_id, state.accounts.balance(slot, state.currencies.column[c.currency_id]))
                     for c in state.currencies.sorted())
    positions = tuple(
        _position_view(state, slot, instrument, qty, cost, _own_bankruptcy(state, slot, instrument, qty, cost))
        for instrument, qty, cost in state.positions_of(slot))
    return AccountView(account_id, float(equity), tuple(b for b in balances if b[1] != 0.0), positions)


def _own_bankruptcy(state: ExchangeState, slot: int, instrument: Instrument, qty: int,
                    cost: int) -> Fraction | None:
    """The position's own exact bankruptcy price in ticks (SPEC 6; the fund's against its floor),
    all else fixed, whichever side of the mark it lies on; None if there is no positive one."""
    equity = exact_equity(state, slot)
    if slot == state.fund_slot:
        equity -= state.floor_exact
    unit = state.currencies.unit_values[instrument.settlement_currency_id]
    return contracts.kernel(instrument.kind).bankruptcy_ticks(
        state.terms(instrument), qty, state.mark_ticks(instrument), (equity.numerator, equity.denominator),
        unit)


def fund_view(state: ExchangeState) -> FundView:
    view = account_view(state, state.fund_account_id)
    deficit = max(Fraction(0), state.floor_exact - exact_equity(state, state.fund_slot))
    return FundView(view, state.floor, float(deficit))


def bankruptcy_band(risk: RiskView, instrument_id: int) -> BankruptcyBand:
    """Nearest non-fund bankruptcy prices below (longs) and above (shorts) the mark, from the index
    (read only: the inputs keep it caught up), decided exactly, all accounts at each.

    Accounts already at or below zero equity sit at the mark: no move is free of liquidation.
    """
    state = risk.state
    instrument = state.instruments.get(instrument_id)
    sides = []
    for direction in (-1, 1):
        harmed = harmed_near(risk, instrument, direction, at_price=instrument.mark_price, query=True)
        traders = np.flatnonzero(harmed.slots != state.fund_slot)
        trader_view = harmed.only(traders)
        nearest = trader_view.first()
        if nearest is None:
            sides.append((None, ()))
            continue
        at_nearest = [i for i in trader_view.candidates_near(nearest) if trader_view.exact_ticks(i) == nearest]
        ids = sorted(int(trader_view.account_ids[i]) for i in at_nearest)
        sides.append((trader_view.price_of(nearest), tuple(ids)))
    (lower, lower_ids), (upper, upper_ids) = sides
    return BankruptcyBand(instrument.mark_price, lower, lower_ids, upper, upper_ids)


def adl_queue(state: ExchangeState, instrument_id: int, side: Side | None, limit: int) -> list[AdlQueueEntry]:
    instrument = state.instruments.get(instrument_id)
    if side is None:
        raise InvalidInput("side is required: SIDE_LONG or SIDE_SHORT", field="side", value=side)
    side_sign = 1 if side == Side.LONG else -1
    slots, qty, _ = state.books[instrument_id].columns()
    count = int(((np.sign(qty) == side_sign) & (slots != state.fund_slot)).sum())
    ranking = rank_side(state, instrument, side_sign, top=limit)
    return [AdlQueueEntry(int(ranking.account_ids[i]), int(ranking.qty[i]),
                          exact_score(state, instrument, int(ranking.slots[i]), int(ranking.qty[i])),
                          i + 1, adl_indicator(i + 1, count))
            for i in range(len(ranking.slots))]


def state_hash(state: ExchangeState, applied_seq: int) -> str:
    """SHA-256 over a canonical encoding (sorted by id) of everything that defines the state."""
    digest = hashlib.sha256()
    digest.update(np.uint64(applied_seq).tobytes())
    for currency in state.currencies.sorted():
        digest.update(repr((currency.currency_id, currency.code, currency.price, currency.valuation, currency.decimals)).encode())
    for instrument in state.instruments.sorted():
        digest.update(repr(tuple(instrument.__dict__.values())).encode())
    n = state.accounts.count
    ids = state.accounts.ids[:n]
    order = np.argsort(ids, kind="stable")
    columns = [state.currencies.column[c] for c in sorted(state.currencies.by_id)]
    digest.update(ids[order].tobytes())
    digest.update(np.ascontiguousarray(state.accounts.units[:n][order][:, columns]).tobytes())
    digest.update(repr(sorted(state.residue.items())).encode())
    for instrument_id in sorted(state.books):
        book = state.books[instrument_id]
        slots, qty, _ = book.columns()
        by_id = np.argsort(state.accounts.ids[slots], kind="stable")
        digest.update(np.uint32(instrument_id).tobytes())
        digest.update(state.accounts.ids[slots][by_id].tobytes())
        digest.update(qty[by_id].tobytes())
        digest.update(book.cost_units[: len(book)][by_id].tobytes())
    return digest.hexdigest()
