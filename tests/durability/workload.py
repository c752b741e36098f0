"""A seeded stream of state-changing inputs on the default exchange, and its expected run.

The inputs are request messages with explicit seqs 1..n: delta batches of
zero-sum fills and transfers, marks that jump far enough to cap, liquidate
and deleverage (some of them sweeps), ApplyMarks calls moving every
instrument, BTC price changes and instrument upserts. `reference_run`
applies them to an in-process engine with nothing persisted, uninterrupted:
what a durable server must reproduce after any number of crashes.
"""
from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass, field

from markcap.engine import Engine
from markcap.service.config import load_default
from markcap.service.input_kinds import of_record
from markcap.service.inputs import serialize
from markcap.store import RecordKind
from markcap.v1 import risk_engine_pb2 as pb

from reference.grid import in_units, on_grid

ACCOUNTS = range(1, 41)
INSTRUMENT_MARKS = {7: 100.0, 8: 3000.0, 9: 50000.0}  # the default exchange's
USD, BTC = 1, 2
SYMBOLS = {7: "BTC-PERP", 8: "ETH-PERP", 9: "BTC-USD-INV"}
TICKS = {7: 0.5, 8: 0.01, 9: 0.5}
DECIMALS = {USD: 2, BTC: 8}


@dataclass
class Input:
    kind: RecordKind
    request: object

    @property
    def seq(self) -> int:
        return self.request.seq


def _deposits(seq: int, rng: random.Random) -> pb.StreamDeltasRequest:
    accounts = [0, *ACCOUNTS]
    return pb.StreamDeltasRequest(seq=seq, transfers=pb.TransferColumns(
        account_id=accounts + list(ACCOUNTS[:10]),
        currency_id=[USD] * len(accounts) + [BTC] * 10,
        amount=[in_units(rng.uniform(200, 3000), DECIMALS[USD]) for _ in accounts]
        + [in_units(rng.uniform(0.01, 0.2), DECIMALS[BTC]) for _ in range(10)]))


def _batch(seq: int, rng: random.Random, prices: dict[int, float]) -> pb.StreamDeltasRequest:
    fills = pb.FillColumns()
    for _ in range(rng.randint(1, 12)):
        instrument = rng.choice(list(prices))
        buyer, seller = rng.sample(ACCOUNTS, 2)
        qty = rng.randint(1, 20)
        price = on_grid(prices[instrument] * rng.uniform(0.98, 1.02), TICKS[instrument])
        fills.account_id.extend([buyer, seller])
        fills.instrument_id.extend([instrument, instrument])
        fills.qty.extend([qty, -qty])
        fills.price.extend([price, price])
    transfers = pb.TransferColumns()
    for _ in range(rng.randint(0, 3)):
        transfers.account_id.append(rng.choice(ACCOUNTS))
        transfers.currency_id.append(USD)
        transfers.amount.append(in_units(rng.uniform(-50, 200), DECIMALS[USD]))
    return pb.StreamDeltasRequest(seq=seq, fills=fills, transfers=transfers)


def _mark(seq: int, rng: random.Random, prices: dict[int, float]) -> pb.ApplyMarkRequest:
    """A jump on one instrument; one in four is a sweep."""
    instrument = rng.choice(list(prices))
    prices[instrument] = on_grid(prices[instrument] * math.exp(rng.gauss(0, 0.06)), TICKS[instrument])
    return pb.ApplyMarkRequest(seq=seq, instrument_id=instrument, price=prices[instrument],
                               sweep=rng.random() < 0.25)


def _marks(seq: int, rng: random.Random, prices: dict[int, float]) -> pb.ApplyMarksRequest:
    """Every instrument moved in one ApplyMarks call, some sweeping."""
    marks = []
    for instrument in rng.sample(list(prices), len(prices)):
        prices[instrument] = on_grid(prices[instrument] * math.exp(rng.gauss(0, 0.04)), TICKS[instrument])
        marks.append(pb.MarkRequest(instrument_id=instrument, price=prices[instrument],
                                    sweep=rng.random() < 0.5))
    return pb.ApplyMarksRequest(seq=seq, marks=marks)


def _currency(seq: int, rng: random.Random) -> pb.UpsertCurrencyRequest:
    return pb.UpsertCurrencyRequest(seq=seq, currency=pb.Currency(
        currency_id=BTC, price=50000.0 * math.exp(rng.gauss(0, 0.1))))


def _instrument(seq: int, rng: random.Random) -> pb.UpsertInstrumentRequest:
    instrument_id = rng.choice(list(SYMBOLS))
    return pb.UpsertInstrumentRequest(seq=seq, instrument=pb.Instrument(
        instrument_id=instrument_id, symbol=f"{SYMBOLS[instrument_id]}-{seq}",
        cap_policy=rng.choice([pb.CAP_POLICY_NO_CAP, pb.CAP_POLICY_CAP_TO_FIRST_BANKRUPTCY_PRICE]),
        adl_allocation=rng.choice([pb.ADL_ALLOCATION_PRO_RATA, pb.ADL_ALLOCATION_QUEUE])))


def generate(seed: int, count: int) -> list[Input]:
    """`count` inputs with seqs 1..count; the same seed gives the same inputs."""
    rng = random.Random(seed)
    prices = dict(INSTRUMENT_MARKS)
    inputs = [Input(RecordKind.DELTAS, _deposits(1, rng))]
    for seq in range(2, count + 1):
        roll = rng.random()
        if roll < 0.70:
            inputs.append(Input(RecordKind.DELTAS, _batch(seq, rng, prices)))
        elif roll < 0.90:
            inputs.append(Input(RecordKind.MARK, _mark(seq, rng, prices)))
        elif roll < 0.95:
            inputs.append(Input(RecordKind.MARKS, _marks(seq, rng, prices)))
        elif roll < 0.98:
            inputs.append(Input(RecordKind.CURRENCY, _currency(seq, rng)))
        else:
            inputs.append(Input(RecordKind.INSTRUMENT, _instrument(seq, rng)))
    return inputs


@dataclass
class ReferenceRun:
    """What an uninterrupted, in-memory run of the inputs gives."""

    hash_at: dict[int, str] = field(default_factory=dict)  # state hash after each seq (0: start)
    responses: dict[int, bytes] = field(default_factory=dict)  # serialized response per seq
    events: list[bytes] = field(default_factory=list)  # serialized WatchEvents messages, in order
    liquidations: int = 0
    adl_fills: int = 0


def reference_run(inputs: list[Input]) -> ReferenceRun:
    engine = Engine(load_default())
    run = ReferenceRun()
    run.hash_at[0] = engine.status().state_hash
    for item in inputs:
        request = type(item.request).FromString(serialize(item.request))
        response = of_record(item.kind).apply(engine, request)
        run.responses[item.seq] = serialize(response)
        run.hash_at[item.seq] = engine.status().state_hash
        if item.kind is RecordKind.MARK:
            run.events.append(serialize(pb.WatchEventsResponse(seq=item.seq, mark=response)))
            run.liquidations += len(response.liquidations)
            run.adl_fills += len(response.adl_fills)
        elif item.kind is RecordKind.MARKS:
            run.events.append(serialize(pb.WatchEventsResponse(seq=item.seq, marks=response)))
            run.liquidations += sum(len(outcome.liquidations) for outcome in response.outcomes)
            run.adl_fills += sum(len(outcome.adl_fills) for outcome in response.outcomes)
        elif item.kind is RecordKind.CURRENCY:
            run.events.append(serialize(pb.WatchEventsResponse(seq=item.seq, currency=response)))
    return run


@functools.cache
def workload(seed: int, count: int) -> tuple[list[Input], ReferenceRun]:
    """Inputs and their reference run, computed once per (seed, count) in a test session."""
    inputs = generate(seed, count)
    return inputs, reference_run(inputs)
