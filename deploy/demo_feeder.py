"""Demo feeder: plays a small synthetic exchange into markcap, as a matching engine would.

It waits until markcap is SERVING, deposits cash for ACCOUNTS traders, then
streams random zero-sum fills on one StreamDeltas stream (every fill has its
opposite, at a price near the mark) and moves each instrument's mark by a
random walk with rare jumps, so that caps, liquidations and ADL show up on the
dashboard. Inputs go with seq 0 (the server assigns them), so a restarted
feeder simply carries on.

    python deploy/demo_feeder.py --target unix:/run/markcap/markcap.sock
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time

from markcap.client import DeltaBatch, Fills, MarkcapClient, MarkcapError, Transfers
from markcap.client.grid import nearest_amount, nearest_price

DEPOSIT_VALUATION = 2_000.0     # per trader per currency, in valuation currency
WALK_SIGMA = 0.002              # relative mark step per tick
JUMP_PROBABILITY = 0.02         # chance per tick of a jump of JUMP_SIZE
JUMP_SIZE = 0.15
READY_SECONDS = 60.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default=os.environ.get("MARKCAP_TARGET", "127.0.0.1:50051"),
                        help="markcap address (default $MARKCAP_TARGET or %(default)s)")
    parser.add_argument("--accounts", type=int, default=200, help="traders (default %(default)s)")
    parser.add_argument("--fills-per-second", type=int, default=500,
                        help="fills streamed per second, in pairs (default %(default)s)")
    parser.add_argument("--mark-interval", type=float, default=1.0,
                        help="seconds between mark updates (default %(default)s)")
    parser.add_argument("--duration", type=float, default=0.0,
                        help="seconds to run (default 0: until stopped)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default %(default)s)")
    return parser.parse_args(argv)


def wait_until_serving(client: MarkcapClient) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while True:
        try:
            if client.check_health(timeout=2).status == 1:  # SERVING
                return
        except MarkcapError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"markcap at {client.target} not SERVING after {READY_SECONDS} s")
        time.sleep(1.0)


class SyntheticExchange:
    """Traders 1..N (the fund is never one of them), instruments and marks from the server."""

    def __init__(self, client: MarkcapClient, accounts: int, rng: random.Random):
        self.rng = rng
        fund = client.get_insurance_fund().account.account_id
        self.traders = [a for a in range(1, accounts + 2) if a != fund][:accounts]
        self.instruments = list(client.list_instruments().instruments)
        self.currencies = list(client.list_currencies().currencies)
        self.marks = {i.instrument_id: i.mark_price for i in self.instruments}
        self.ticks = {i.instrument_id: i.tick_size for i in self.instruments}

    def deposits(self) -> Transfers:
        rows = [(trader, c.currency_id, nearest_amount(DEPOSIT_VALUATION / c.price, c.decimals))
                for trader in self.traders for c in self.currencies]
        return Transfers(*map(list, zip(*rows)))

    def fills(self, pairs: int) -> Fills:
        """`pairs` zero-sum fill pairs: a buyer and a seller at one price near the mark."""
        rows = []
        for _ in range(pairs):
            instrument = self.rng.choice(self.instruments).instrument_id
            buyer, seller = self.rng.sample(self.traders, 2)
            qty = self.rng.randint(1, 5)
            price = nearest_price(self.marks[instrument] * (1 + self.rng.uniform(-0.001, 0.001)),
                                  self.ticks[instrument])
            rows += [(buyer, instrument, qty, price), (seller, instrument, -qty, price)]
        return Fills(*map(list, zip(*rows)))

    def next_mark(self, instrument_id: int) -> float:
        step = self.rng.gauss(0.0, WALK_SIGMA)
        if self.rng.random() < JUMP_PROBABILITY:
            step += self.rng.choice((-JUMP_SIZE, JUMP_SIZE))
        return nearest_price(self.marks[instrument_id] * (1 + step), self.ticks[instrument_id])


def stream_fills(client: MarkcapClient, exchange: SyntheticExchange, pairs_per_second: int,
                 stop: threading.Event) -> None:
    """One long StreamDeltas stream: the deposits, then a batch of fills every 100 ms."""
    def batches():
        yield DeltaBatch(transfers=exchange.deposits())
        while not stop.is_set():
            yield DeltaBatch(fills=exchange.fills(max(1, pairs_per_second // 10)))
            time.sleep(0.1)

    for _ in client.stream_deltas(batches(), timeout=None):
        pass


def move_marks(client: MarkcapClient, exchange: SyntheticExchange) -> tuple[int, int]:
    """One mark update per instrument; returns (capped, liquidations)."""
    capped = liquidations = 0
    for instrument in exchange.instruments:
        response = client.apply_mark(instrument.instrument_id,
                                     exchange.next_mark(instrument.instrument_id))
        exchange.marks[instrument.instrument_id] = response.applied_price
        capped += response.capped
        liquidations += len(response.liquidations)
    return capped, liquidations


def run(args: argparse.Namespace) -> int:
    with MarkcapClient(args.target, timeout=10.0) as client:
        wait_until_serving(client)
        exchange = SyntheticExchange(client, args.accounts, random.Random(args.seed))
        stop = threading.Event()
        failure: list[BaseException] = []

        def streamer():
            try:
                stream_fills(client, exchange, args.fills_per_second // 2, stop)
            except BaseException as error:  # reported by the main thread
                failure.append(error)
                stop.set()

        thread = threading.Thread(target=streamer, daemon=True)
        thread.start()
        deadline = time.monotonic() + args.duration if args.duration > 0 else float("inf")
        ticks = capped = liquidated = 0
        while not stop.wait(args.mark_interval) and time.monotonic() < deadline:
            capped_now, liquidated_now = move_marks(client, exchange)
            ticks, capped, liquidated = ticks + 1, capped + capped_now, liquidated + liquidated_now
            print(f"tick {ticks}: marks {exchange.marks}, capped {capped}, "
                  f"liquidations {liquidated}", flush=True)
        stop.set()
        thread.join(timeout=10)
        if failure:
            print(f"demo feeder: stream failed: {failure[0]}", file=sys.stderr)
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        return run(parse_args(argv))
    except KeyboardInterrupt:
        return 130
    except MarkcapError as error:
        print(f"demo feeder: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
