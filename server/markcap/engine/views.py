"""Read-only views (SPEC 6): accounts, the fund, bankruptcy bands, ADL queues, state hash."""
from __future__ import annotations

import hashlib

import numpy as np

from . import contracts
from .adl import rank_of, rank_side
from .errors import InvalidInput, UnknownId
from .mark import harmed_near
from .risk import RiskView
from .state import ExchangeState
from .types import (AccountView, AdlQueueEntry, BankruptcyBand, FundView, Instrument, PositionView,
                    Side)
from .valuation import account_equity


def adl_indicator(rank: int, count: int) -> int:
    """Quintile light 1-5 of a 1-based rank among `count` (5 = first to be deleveraged)."""
    return 5 - (rank - 1) * 5 // count


def _adl_rank(state: ExchangeState, instrument: Instrument, slot: int, qty: int) -> tuple[int, int]:
    if slot == state.fund_slot:
        return 0, 0
    rank, count = rank_of(state, instrument, slot, 1 if qty > 0 else -1)
    return rank, adl_indicator(rank, count)


def _position_view(state: ExchangeState, slot: int, equity: float, instrument: Instrument,
                   qty: int, cost: float) -> PositionView:
    sigma = state.sigma(instrument)
    upnl = float(contracts.upnl(instrument.kind, qty, cost, instrument.multiplier, instrument.mark_price))
    equity_without = equity - sigma * upnl
    if slot == state.fund_slot:
        equity_without -= state.floor
    bankruptcy = contracts.bankruptcy_price(instrument.kind, qty, cost, instrument.multiplier, sigma,
                                            equity_without)
    rank, indicator = _adl_rank(state, instrument, slot, qty)
    return PositionView(instrument.instrument_id, qty, cost,
                        contracts.entry_price(instrument.kind, qty, cost, instrument.multiplier),
                        upnl, bankruptcy, rank, indicator)


def account_view(state: ExchangeState, account_id: int) -> AccountView:
    slot = state.accounts.slot(account_id)
    if slot is None:
        raise UnknownId(f"unknown account {account_id}", kind="account", id_value=account_id,
                        field="account_id")
    equity = account_equity(state, slot)
    balances = tuple((c.currency_id, state.accounts.balance(slot, state.currencies.column[c.currency_id]))
                     for c in state.currencies.sorted())
    positions = tuple(_position_view(state, slot, equity, instrument, qty, cost)
                      for instrument, qty, cost in state.positions_of(slot))
    return AccountView(account_id, equity, tuple(b for b in balances if b[1] != 0.0), positions)


def fund_view(state: ExchangeState) -> FundView:
    view = account_view(state, state.fund_account_id)
    return FundView(view, state.floor, max(0.0, state.floor - view.equity))


def bankruptcy_band(risk: RiskView, instrument_id: int) -> BankruptcyBand:
    """Nearest non-fund bankruptcy prices below (longs) and above (shorts) the mark, from the index
    (read only: the inputs keep it caught up).

    Accounts already at or below zero equity sit at the mark: no move is free of liquidation.
    """
    state = risk.state
    instrument = state.instruments.get(instrument_id)
    sides = []
    for direction in (-1, 1):
        harmed = harmed_near(risk, instrument, direction, at_price=instrument.mark_price, query=True)
        traders = harmed.slots != state.fund_slot
        # bankrupt accounts sit at the mark, beside any whose price rounding put exactly there
        prices = np.where(traders, np.where(harmed.equity <= 0, instrument.mark_price, harmed.bankruptcy), np.nan)
        if np.isnan(prices).all():
            sides.append((None, ()))
            continue
        nearest = float(np.nanmax(prices) if direction < 0 else np.nanmin(prices))
        at_nearest = prices == nearest
        ids = np.sort(harmed.account_ids[at_nearest])
        sides.append((nearest, tuple(int(i) for i in ids)))
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
    return [AdlQueueEntry(int(ranking.account_ids[i]), int(ranking.qty[i]), float(ranking.scores[i]),
                          i + 1, adl_indicator(i + 1, count))
            for i in range(len(ranking.slots))]


def state_hash(state: ExchangeState, applied_seq: int) -> str:
    """SHA-256 over a canonical encoding (sorted by id) of everything that defines the state."""
    digest = hashlib.sha256()
    digest.update(np.uint64(applied_seq).tobytes())
    for currency in state.currencies.sorted():
        digest.update(repr((currency.currency_id, currency.code, currency.price, currency.valuation)).encode())
    for instrument in state.instruments.sorted():
        digest.update(repr(tuple(instrument.__dict__.values())).encode())
    n = state.accounts.count
    ids = state.accounts.ids[:n]
    order = np.argsort(ids, kind="stable")
    columns = [state.currencies.column[c] for c in sorted(state.currencies.by_id)]
    digest.update(ids[order].tobytes())
    digest.update(np.ascontiguousarray(state.accounts.balances[:n][order][:, columns]).tobytes())
    for instrument_id in sorted(state.books):
        slots, qty, cost = state.books[instrument_id].columns()
        by_id = np.argsort(state.accounts.ids[slots], kind="stable")
        digest.update(np.uint32(instrument_id).tobytes())
        digest.update(state.accounts.ids[slots][by_id].tobytes())
        digest.update(qty[by_id].tobytes())
        digest.update(cost[by_id].tobytes())
    return digest.hexdigest()
