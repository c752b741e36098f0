"""GetBankruptcyBand, GetAdlQueue and the ADL indicator of GetAccount (SPEC 6),
through a real (in-process) server, against the slow reference on random books: seeded
zero-sum fills (the fund trading too) on the default exchange's linear and
inverse instruments, then marks moved with NO_CAP so some accounts sit below
zero."""
from __future__ import annotations

import math
import random

import grpc
import pytest

from markcap.engine.types import Side
from markcap.service.config import load_default
from markcap.v1 import risk_engine_pb2 as pb, risk_engine_pb2_grpc as pb_grpc
from reference.adl import rank_counterparties
from reference.exchange import ReferenceExchange
from reference.grid import in_units, on_grid

RPC_SECONDS = 10
INSTRUMENTS = (7, 8, 9)      # BTC-PERP, ETH-PERP (linear, USD), BTC-USD-INV (inverse, BTC)
CURRENCIES = (1, 2)          # USD, BTC
ACCOUNTS = 40
FUND = 0
RELATIVE = 1e-9              # engine (numpy) and reference (loops) round differently


def _book(seed: int) -> tuple[pb.StreamDeltasRequest, list[tuple[int, float]]]:
    """Deposits, zero-sum fills near each mark, then NO_CAP marks up to ±(4·seed)% away:
    the bigger the seed, the more accounts end below zero (at the mark, in the band)."""
    rng = random.Random(seed)
    marks = {i.instrument_id: i.mark_price for i in load_default().instruments}
    ticks = {i.instrument_id: i.tick_size for i in load_default().instruments}
    prices = {c.currency_id: c.price for c in load_default().currencies}
    decimals = {c.currency_id: c.decimals for c in load_default().currencies}
    accounts = list(range(0, ACCOUNTS + 1))
    request = pb.StreamDeltasRequest()
    for account in accounts:
        for currency in CURRENCIES:
            request.transfers.account_id.append(account)
            request.transfers.currency_id.append(currency)
            request.transfers.amount.append(in_units(rng.uniform(100, 5000) / prices[currency],
                                                    decimals[currency]))
    for _ in range(150):
        instrument = rng.choice(INSTRUMENTS)
        buyer, seller = rng.sample(accounts, 2)
        qty, price = rng.randint(1, 20), on_grid(marks[instrument] * rng.uniform(0.95, 1.05), ticks[instrument])
        request.fills.account_id.extend((buyer, seller))
        request.fills.instrument_id.extend((instrument, instrument))
        request.fills.qty.extend((qty, -qty))
        request.fills.price.extend((price, price))
    move = 0.04 * seed
    new_marks = [(i, on_grid(marks[i] * rng.uniform(1 - move, 1 + move), ticks[i])) for i in INSTRUMENTS]
    return request, new_marks


def _reference(request: pb.StreamDeltasRequest, new_marks) -> ReferenceExchange:
    reference = ReferenceExchange.from_config(load_default())
    fills = request.fills
    for row in zip(fills.account_id, fills.instrument_id, fills.qty, fills.price):
        reference.apply_fill(*row)
    transfers = request.transfers
    for row in zip(transfers.account_id, transfers.currency_id, transfers.amount):
        reference.apply_transfer(*row)
    for instrument, price in new_marks:
        reference.set_mark(instrument, price)
    return reference


@pytest.fixture(scope="module", params=[1, 2, 3])
def books(request, start_module_in_process_server):
    """(stub, reference) for one seeded random book, served by its own (in-process) server."""
    deltas, new_marks = _book(request.param)
    running = start_module_in_process_server()
    stub = pb_grpc.RiskEngineServiceStub(grpc.insecure_channel(running.address))
    list(stub.StreamDeltas(iter([deltas]), timeout=RPC_SECONDS))
    for instrument, price in new_marks:
        stub.ApplyMark(pb.ApplyMarkRequest(instrument_id=instrument, price=price,
                                           cap_policy=pb.CAP_POLICY_NO_CAP), timeout=RPC_SECONDS)
    return stub, _reference(deltas, new_marks)


def _close(got: float, expected: float) -> bool:
    return math.isclose(got, expected, rel_tol=RELATIVE, abs_tol=1e-9)


def _nearest(reference: ReferenceExchange, instrument: int, direction: int):
    """(exact price, account ids) of the non-fund bankruptcy prices nearest the mark in
    `direction`, or (None, []): SPEC 6 over the accounts harmed by that move, with every
    account whose exact b (fractions, on the reference's book) equals the nearest one.

    README's choice: an account harmed by the move that is already at or below zero
    equity sits at the mark, even where no positive price would make its equity zero
    (ReferenceExchange.bankruptcy_price returns the mark for it)."""
    prices = {}
    for account in sorted(reference.accounts):
        if account == reference.fund_id or reference.qty(account, instrument) * direction >= 0:
            continue
        price = reference.bankruptcy_price(account, instrument, direction)  # exact Fraction
        if price is not None:
            prices[account] = price
    if not prices:
        return None, []
    nearest = (max if direction < 0 else min)(prices.values())
    return nearest, sorted(a for a, p in prices.items() if p == nearest)


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_bankruptcy_band_matches_the_reference(books, instrument):
    """The nearest price on each side, the double nearest to the exact one, with exactly the
    accounts at it (ids ascending)."""
    stub, reference = books
    band = stub.GetBankruptcyBand(pb.GetBankruptcyBandRequest(instrument_id=instrument),
                                  timeout=RPC_SECONDS)
    assert band.mark_price == reference.mark(instrument)
    for direction, present, price, ids in (
            (-1, band.HasField("lower_price"), band.lower_price, band.lower_account_ids),
            (1, band.HasField("upper_price"), band.upper_price, band.upper_account_ids)):
        expected_price, expected_ids = _nearest(reference, instrument, direction)
        if expected_price is None:
            assert not present and not ids
            continue
        assert present and price == float(expected_price), (direction, price, expected_price)
        assert list(ids) == expected_ids, (direction, list(ids), expected_ids)


def test_the_seeds_put_several_accounts_at_one_band_price():
    """The exact sets are worth checking: some seed has several accounts at one band price
    (below zero, so at the mark together), where a server naming only one would fail."""
    sizes = [len(_nearest(_reference(*_book(seed)), instrument, direction)[1])
             for seed in (1, 2, 3) for instrument in INSTRUMENTS for direction in (-1, 1)]
    assert max(sizes) >= 3, sizes


@pytest.mark.parametrize("instrument", INSTRUMENTS)
@pytest.mark.parametrize("side", [Side.LONG, Side.SHORT])
def test_adl_queue_matches_the_reference_ranking(books, instrument, side):
    stub, reference = books
    fund_sign = -1 if side == Side.LONG else 1  # the queue is who ADL would hit
    ranking = rank_counterparties(reference, instrument, fund_sign)
    assert ranking, "the random book should hold both sides"
    limit = 15
    response = stub.GetAdlQueue(pb.GetAdlQueueRequest(
        instrument_id=instrument, side=pb.SIDE_LONG if side == Side.LONG else pb.SIDE_SHORT,
        limit=limit), timeout=RPC_SECONDS)
    count = len(ranking)
    expected = [(account, reference.qty(account, instrument), score, rank,
                 5 - (rank - 1) * 5 // count)
                for rank, (account, score) in enumerate(ranking[:limit], start=1)]
    got = [(e.account_id, e.qty, e.score, e.rank, e.indicator) for e in response.entries]
    assert [g[:2] + g[3:] for g in got] == [e[:2] + e[3:] for e in expected]
    for g, e in zip(got, expected):
        assert _close(g[2], e[2]), (g, e)


def test_each_position_s_adl_indicator_matches_the_reference(books):
    stub, reference = books
    for account in range(1, ACCOUNTS + 1):
        view = stub.GetAccount(pb.GetAccountRequest(account_id=account),
                               timeout=RPC_SECONDS).account
        for position in view.positions:
            ranking = [a for a, _ in rank_counterparties(reference, position.instrument_id,
                                                         -1 if position.qty > 0 else 1)]
            rank = ranking.index(account) + 1
            assert (position.adl_rank, position.adl_indicator) == (
                rank, 5 - (rank - 1) * 5 // len(ranking)), (account, position)
