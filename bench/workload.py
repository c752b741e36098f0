"""Seeded workload "exchange-N": reference data, deposits and zero-sum fills.

The shape issue 3 asks for:
- N accounts: the insurance fund (account 0), MAKER_COUNT market makers, traders;
- 50 instruments, 40 LINEAR settled in USD and 10 INVERSE settled in BTC (every
  fifth id), marks and multipliers of many sizes; instrument 1 is the most popular;
- each trader holds 1 + Poisson(0.8) positions in distinct instruments (at most
  50), drawn with Zipf(1.1) popularity, sized lognormally in USD notional;
- leverage lognormal, median 3x, tail clipped at 50x, so a ±0.5% move liquidates
  nobody and a ±20% jump is capped at the first bankruptcy price (~2% away);
- 30% of traders post BTC collateral, the rest USD;
- zero-sum: per instrument, longs are matched against shorts with a two-pointer
  walk, each match a fill pair at one price near the mark; the makers hold each
  instrument's net trader imbalance so that the books balance;
- a thin insurance fund: it is short the most popular instrument with 1.2% of
  its notional as collateral, enough for ±0.5% moves but not for a rise to the
  traders' first bankruptcy prices (~2% away at 50x): such a rise stops at the
  fund's own bankruptcy price and deleverages it (ADL).

All arrays are numpy columns; `delta_batches` cuts them into StreamDeltas
batches of BATCH_SIZE: the deposits first, then the fills.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

BATCH_SIZE = 4096
INSTRUMENT_COUNT = 50
INVERSE_EVERY = 5                 # ids 5, 10, ..., 50 are INVERSE (10 of 50)
USD, BTC = 1, 2                   # currency ids
BTC_PRICE_USD = 50_000.0
USD_DECIMALS, BTC_DECIMALS = 2, 8
ZIPF_EXPONENT = 1.1
EXTRA_POSITIONS_MEAN = 0.8        # positions per trader: 1 + Poisson(0.8)
BTC_COLLATERAL_SHARE = 0.3
LEVERAGE_MEDIAN, LEVERAGE_SIGMA, LEVERAGE_MAX = 3.0, 0.8, 50.0
NOTIONAL_MEDIAN_USD, NOTIONAL_SIGMA = 2_000.0, 1.2
ENTRY_SPREAD, ENTRY_SPREAD_MAX = 0.0005, 0.002   # fill price = mark * (1 + eps)
MAKER_COUNT, MAKER_LEVERAGE = 10, 2.0
FUND_MARGIN = 0.012               # fund collateral / its position's notional
FUND_NOTIONAL_USD = 100 * NOTIONAL_MEDIAN_USD
MIN_DEPOSIT_USD = 100.0
SIZES = {"tiny": 1_000, "10k": 10_000, "100k": 100_000, "1M": 1_000_000}
MIN_ACCOUNTS = 100
_CHUNK = 100_000                  # traders per chunk when drawing instruments


def parse_size(size: str) -> int:
    """Account count of a size name ("tiny", "10k", "100k", "1M") or a plain integer."""
    if size in SIZES:
        return SIZES[size]
    count = int(size)
    if count < MIN_ACCOUNTS:
        raise ValueError(f"size {size!r}: at least {MIN_ACCOUNTS} accounts")
    return count


@dataclass(frozen=True)
class Instruments:
    """The 50 instruments as columns of shape (50,), index k is instrument_id k+1."""

    instrument_id: np.ndarray       # uint32
    inverse: np.ndarray             # bool
    multiplier: np.ndarray          # float64
    mark_price: np.ndarray          # float64, the initial mark
    tick_exponent: np.ndarray       # int64 e: the tick size is 10**e, about 5 significant digits
    contract_value_usd: np.ndarray  # float64, one contract's value at the mark, USD
    adl_ranking: list[str]
    adl_allocation: list[str]

    def tick_size(self, k: int) -> float:
        return float(f"1e{int(self.tick_exponent[k])}")

    def symbol(self, k: int) -> str:
        return f"INV{k + 1:02d}-USD" if self.inverse[k] else f"LIN{k + 1:02d}-PERP"


@dataclass(frozen=True)
class FillColumns:
    account_id: np.ndarray     # uint64
    instrument_id: np.ndarray  # uint32
    qty: np.ndarray            # int64, signed contracts
    price: np.ndarray          # float64

    def __len__(self) -> int:
        return len(self.qty)

    def rows(self, start: int, stop: int) -> "FillColumns":
        return FillColumns(self.account_id[start:stop], self.instrument_id[start:stop],
                           self.qty[start:stop], self.price[start:stop])


@dataclass(frozen=True)
class TransferColumns:
    account_id: np.ndarray   # uint64
    currency_id: np.ndarray  # uint32
    amount: np.ndarray       # float64, in the currency

    def __len__(self) -> int:
        return len(self.amount)

    def rows(self, start: int, stop: int) -> "TransferColumns":
        return TransferColumns(self.account_id[start:stop], self.currency_id[start:stop],
                               self.amount[start:stop])


@dataclass(frozen=True)
class Positions:
    """The open positions the fills build, one row per (account, instrument)."""

    account_id: np.ndarray     # uint64
    instrument_id: np.ndarray  # uint32
    qty: np.ndarray            # int64, signed, never 0

    def __len__(self) -> int:
        return len(self.qty)


@dataclass(frozen=True)
class Workload:
    size: str
    seed: int
    account_count: int
    instruments: Instruments
    positions: Positions
    transfers: TransferColumns
    fills: FillColumns
    config_toml: str

    @property
    def most_popular_instrument_id(self) -> int:
        return int(self.instruments.instrument_id[0])


def generate(size: str = "100k", seed: int = 1) -> Workload:
    """The workload exchange-<size>, the same for the same (size, seed)."""
    account_count = parse_size(size)
    rng = np.random.default_rng(seed)
    instruments = _instruments(rng)
    positions = _positions(rng, instruments, account_count)
    transfers = _deposits(rng, instruments, positions, account_count)
    fills = _zero_sum_fills(rng, instruments, positions)
    return Workload(size, seed, account_count, instruments, positions, transfers, fills,
                    config_toml(instruments))


def delta_batches(workload: Workload, batch_size: int = BATCH_SIZE
                  ) -> Iterator[tuple[TransferColumns | None, FillColumns | None]]:
    """(transfers, fills) per StreamDeltas batch: deposits first, then fills."""
    for start in range(0, len(workload.transfers), batch_size):
        yield workload.transfers.rows(start, start + batch_size), None
    for start in range(0, len(workload.fills), batch_size):
        yield None, workload.fills.rows(start, start + batch_size)


# ---- reference data -----------------------------------------------------------

def on_decimal_grid(values, exponent: int):
    """The multiples of 10**exponent nearest to `values`, as the doubles of those decimals
    (a whole count divided by an exact power of ten is correctly rounded)."""
    if exponent < 0:
        return np.rint(np.asarray(values) * 10.0 ** -exponent) / 10.0 ** -exponent
    return np.rint(np.asarray(values) / 10.0 ** exponent) * 10.0 ** exponent


def _significant(value: float, digits: int) -> float:
    return float(f"{value:.{digits}g}")


def _instruments(rng: np.random.Generator) -> Instruments:
    """Marks from 0.01 to 100,000 and multipliers that make a contract worth ~1-100 USD.

    LINEAR contract value m*p USD; INVERSE m/p BTC, i.e. m/p*BTC_PRICE_USD USD.
    Instrument 5 is a classic inverse BTC contract: mark 50,000, 100 USD a contract.
    """
    ids = np.arange(1, INSTRUMENT_COUNT + 1, dtype=np.uint32)
    inverse = ids % INVERSE_EVERY == 0
    multiplier = np.empty(INSTRUMENT_COUNT)
    mark = np.empty(INSTRUMENT_COUNT)
    for k in range(INSTRUMENT_COUNT):
        target_value_usd = 10 ** rng.uniform(0, 2)
        if inverse[k]:
            mark[k] = _significant(10 ** rng.uniform(0, 5), 4)
            multiplier[k] = _significant(target_value_usd * mark[k] / BTC_PRICE_USD, 2)
        else:
            mark[k] = _significant(10 ** rng.uniform(-2, 5), 4)
            multiplier[k] = 10.0 ** round(math.log10(target_value_usd / mark[k]))
    first_inverse = INVERSE_EVERY - 1
    mark[first_inverse], multiplier[first_inverse] = BTC_PRICE_USD, 100.0
    value_usd = np.where(inverse, multiplier / mark * BTC_PRICE_USD, multiplier * mark)
    tick_exponent = np.floor(np.log10(mark)).astype(np.int64) - 4  # the 4-digit marks lie on it
    ranking = ["PNL_RATIO_TIMES_LEVERAGE" if i % 2 == 0 else "PNL" for i in ids.tolist()]
    allocation = ["QUEUE" if i % 3 == 0 else "PRO_RATA" for i in ids.tolist()]
    return Instruments(ids, inverse, multiplier, mark, tick_exponent, value_usd, ranking, allocation)


def config_toml(instruments: Instruments) -> str:
    """markcap-server's config for the workload: USD (valuation), BTC, 50 instruments."""
    lines = ["# Generated by bench/workload.py.", "insurance_fund_account_id = 0",
             "insurance_fund_floor = 0.0", "",
             "[[currencies]]", f"currency_id = {USD}", 'code = "USD"', "price = 1.0",
             f"decimals = {USD_DECIMALS}",
             "valuation = true", "",
             "[[currencies]]", f"currency_id = {BTC}", 'code = "BTC"',
             f"price = {BTC_PRICE_USD!r}", f"decimals = {BTC_DECIMALS}", ""]
    for k in range(INSTRUMENT_COUNT):
        lines += ["[[instruments]]",
                  f"instrument_id = {int(instruments.instrument_id[k])}",
                  f'symbol = "{instruments.symbol(k)}"',
                  f'kind = "{"INVERSE" if instruments.inverse[k] else "LINEAR"}"',
                  f"settlement_currency_id = {BTC if instruments.inverse[k] else USD}",
                  f"multiplier = {float(instruments.multiplier[k])!r}",
                  f"tick_size = {instruments.tick_size(k)!r}",
                  f"mark_price = {float(instruments.mark_price[k])!r}",
                  'cap_policy = "CAP_TO_FIRST_BANKRUPTCY_PRICE"',
                  f'adl_ranking = "{instruments.adl_ranking[k]}"',
                  f'adl_allocation = "{instruments.adl_allocation[k]}"', ""]
    return "\n".join(lines)


# ---- positions ----------------------------------------------------------------

def _zipf_log_weights() -> np.ndarray:
    """log of the Zipf(1.1) popularity of instrument ranks 1..50 (rank k = instrument k)."""
    return -ZIPF_EXPONENT * np.log(np.arange(1, INSTRUMENT_COUNT + 1))


def _draw_instruments(rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
    """Instrument indexes, `counts[i]` distinct ones for trader i, in trader order.

    Weighted sampling without replacement by the Gumbel-top-k trick: the k
    largest of log(w) + Gumbel noise are a weighted draw of k distinct items.
    """
    log_weights = _zipf_log_weights()
    drawn = []
    for start in range(0, len(counts), _CHUNK):
        chunk = counts[start:start + _CHUNK]
        keys = log_weights + rng.gumbel(size=(len(chunk), INSTRUMENT_COUNT))
        order = np.argsort(-keys, axis=1)
        drawn.append(order[np.arange(INSTRUMENT_COUNT) < chunk[:, None]])
    return np.concatenate(drawn)


def _positions(rng: np.random.Generator, instruments: Instruments, account_count: int) -> Positions:
    """Trader, fund and maker positions; the makers' make each instrument's sum zero."""
    trader_ids = np.arange(1 + MAKER_COUNT, account_count, dtype=np.uint64)
    counts = np.minimum(1 + rng.poisson(EXTRA_POSITIONS_MEAN, len(trader_ids)), INSTRUMENT_COUNT)
    index = _draw_instruments(rng, counts)
    notional_usd = NOTIONAL_MEDIAN_USD * rng.lognormal(0.0, NOTIONAL_SIGMA, len(index))
    side = rng.choice(np.array([-1, 1], dtype=np.int64), len(index))
    qty = side * np.maximum(1, np.rint(notional_usd / instruments.contract_value_usd[index])).astype(np.int64)
    account = np.repeat(trader_ids, counts)

    fund_index = np.array([0])  # short the most popular instrument
    fund_qty = -np.maximum(1, np.rint(FUND_NOTIONAL_USD / instruments.contract_value_usd[fund_index])
                          ).astype(np.int64)
    account = np.concatenate([np.zeros(1, dtype=np.uint64), account])
    index = np.concatenate([fund_index, index])
    qty = np.concatenate([fund_qty, qty])

    net = np.zeros(INSTRUMENT_COUNT, dtype=np.int64)
    np.add.at(net, index, qty)
    maker_index = np.flatnonzero(net)
    maker_account = (1 + maker_index % MAKER_COUNT).astype(np.uint64)
    return Positions(np.concatenate([account, maker_account]),
                     instruments.instrument_id[np.concatenate([index, maker_index])],
                     np.concatenate([qty, -net[maker_index]]))


def _deposits(rng: np.random.Generator, instruments: Instruments, positions: Positions,
              account_count: int) -> TransferColumns:
    """One deposit per account, worth gross notional / leverage (at least MIN_DEPOSIT_USD).

    Traders: leverage lognormal (median 3x, clipped to [1, 50]); 30% deposit BTC.
    Makers 2x, the fund 1/FUND_MARGIN (83x), both in USD.
    """
    index = positions.instrument_id.astype(np.int64) - 1
    gross_usd = np.bincount(positions.account_id.astype(np.int64),
                            weights=np.abs(positions.qty) * instruments.contract_value_usd[index],
                            minlength=account_count)
    leverage = np.clip(rng.lognormal(math.log(LEVERAGE_MEDIAN), LEVERAGE_SIGMA, account_count),
                       1.0, LEVERAGE_MAX)
    leverage[0] = 1.0 / FUND_MARGIN
    leverage[1:1 + MAKER_COUNT] = MAKER_LEVERAGE
    collateral_usd = np.maximum(gross_usd / leverage, MIN_DEPOSIT_USD)
    in_btc = rng.random(account_count) < BTC_COLLATERAL_SHARE
    in_btc[:1 + MAKER_COUNT] = False
    amount = np.where(in_btc, on_decimal_grid(collateral_usd / BTC_PRICE_USD, -BTC_DECIMALS),
                      on_decimal_grid(collateral_usd, -USD_DECIMALS))
    currency = np.where(in_btc, BTC, USD).astype(np.uint32)
    return TransferColumns(np.arange(account_count, dtype=np.uint64), currency, amount)


# ---- zero-sum fills -------------------------------------------------------------

def _matched_pairs(rng: np.random.Generator, long_accounts: np.ndarray, long_qty: np.ndarray,
                   short_accounts: np.ndarray, short_qty: np.ndarray, mark: float):
    """Two-pointer walk over one instrument's longs and shorts (equal totals).

    The cumulative long and short quantities cut [0, total] into segments;
    each segment is one trade between the long and the short covering it.
    Returns (long account, short account, qty > 0, price) per trade.
    """
    long_ends, short_ends = np.cumsum(long_qty), np.cumsum(short_qty)
    assert long_ends[-1] == short_ends[-1], "instrument is not zero-sum"
    cuts = np.union1d(long_ends, short_ends)
    qty = np.diff(cuts, prepend=0)
    buyer = long_accounts[np.searchsorted(long_ends, cuts)]
    seller = short_accounts[np.searchsorted(short_ends, cuts)]
    spread = np.clip(rng.normal(0.0, ENTRY_SPREAD, len(cuts)), -ENTRY_SPREAD_MAX, ENTRY_SPREAD_MAX)
    return buyer, seller, qty, mark * (1.0 + spread)  # put on the tick grid by the caller


def _zero_sum_fills(rng: np.random.Generator, instruments: Instruments,
                    positions: Positions) -> FillColumns:
    """Fill pairs (buyer +q, seller -q at one price), pairs shuffled across instruments."""
    parts = []
    for k, instrument_id in enumerate(instruments.instrument_id.tolist()):
        held = positions.instrument_id == instrument_id
        if not held.any():
            continue
        account, qty = positions.account_id[held], positions.qty[held]
        buyer, seller, traded, price = _matched_pairs(
            rng, account[qty > 0], qty[qty > 0], account[qty < 0], -qty[qty < 0],
            float(instruments.mark_price[k]))
        price = on_decimal_grid(price, int(instruments.tick_exponent[k]))
        parts.append((buyer, seller, np.full(len(traded), instrument_id, dtype=np.uint32), traded, price))
    buyer, seller, instrument, traded, price = (np.concatenate(column) for column in zip(*parts))
    order = rng.permutation(len(traded))
    pair_count = len(traded)

    def interleave(first: np.ndarray, second: np.ndarray) -> np.ndarray:
        both = np.empty(2 * pair_count, dtype=first.dtype)
        both[0::2], both[1::2] = first[order], second[order]
        return both

    return FillColumns(interleave(buyer, seller), interleave(instrument, instrument),
                       interleave(traded, -traded), interleave(price, price))
