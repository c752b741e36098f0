"""Plain value types the engine takes and returns: enums, reference data, outcomes.

Everything here is immutable and free of numpy and gRPC, so outcomes can be
stored for duplicate answers and converted to messages by the service layer.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np


class ContractKind(enum.IntEnum):
    LINEAR = 1
    INVERSE = 2


class CapPolicy(enum.IntEnum):
    NO_CAP = 1
    CAP_TO_FIRST_BANKRUPTCY_PRICE = 2


class AdlRanking(enum.IntEnum):
    PNL = 1
    PNL_RATIO_TIMES_LEVERAGE = 2


class AdlAllocation(enum.IntEnum):
    PRO_RATA = 1
    QUEUE = 2


class Side(enum.IntEnum):
    LONG = 1
    SHORT = 2


class LiquidationReason(enum.IntEnum):
    ALREADY_BANKRUPT = 1
    FIRST_BANKRUPTCY_PRICE = 2


class SweepStopReason(enum.IntEnum):
    """Why a sweep (SPEC 3 "Sweep") stopped."""

    REACHED_REQUESTED_PRICE = 1
    NO_PROGRESS = 2
    MAX_STEPS = 3


DEFAULT_CAP_POLICY = CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE
DEFAULT_ADL_RANKING = AdlRanking.PNL
DEFAULT_ADL_ALLOCATION = AdlAllocation.PRO_RATA


@dataclass(frozen=True)
class Currency:
    """`decimals`: the minor unit is 10**-decimals (USD 2, BTC 8); balances and amounts are
    whole multiples of it (SPEC 1 "Numbers")."""

    currency_id: int
    code: str
    price: float
    valuation: bool = False
    decimals: int = field(kw_only=True)


@dataclass(frozen=True)
class Instrument:
    instrument_id: int
    symbol: str
    kind: ContractKind
    settlement_currency_id: int
    multiplier: float
    mark_price: float
    cap_policy: CapPolicy = DEFAULT_CAP_POLICY
    adl_ranking: AdlRanking = DEFAULT_ADL_RANKING
    adl_allocation: AdlAllocation = DEFAULT_ADL_ALLOCATION
    tick_size: float = field(kw_only=True)  # the price grid: every price is a whole multiple


@dataclass(frozen=True)
class CurrencyUpdate:
    """An upsert: `code` None or "" keeps the current code, `decimals` None the current
    decimals (both required on create)."""

    currency_id: int
    price: float
    code: str | None = None
    valuation: bool = False
    decimals: int | None = None


@dataclass(frozen=True)
class InstrumentUpdate:
    """An upsert: every None keeps the current value (or takes the default on create)."""

    instrument_id: int
    symbol: str | None = None
    kind: ContractKind | None = None
    settlement_currency_id: int | None = None
    multiplier: float | None = None
    mark_price: float | None = None
    cap_policy: CapPolicy | None = None
    adl_ranking: AdlRanking | None = None
    adl_allocation: AdlAllocation | None = None
    tick_size: float | None = None


@dataclass(frozen=True)
class ExchangeConfig:
    """What the engine starts from: reference data and the insurance fund."""

    currencies: tuple[Currency, ...]
    instruments: tuple[Instrument, ...] = ()
    insurance_fund_account_id: int = 0
    insurance_fund_floor: float = 0.0
    retained_outcomes: int = 65536


@dataclass
class FillBatch:
    """Fills as columns: account_id uint64, instrument_id uint32, qty int64, price float64, all shape (n,);
    validation adds `ticks` (int64, each price in ticks of its instrument)."""

    account_id: np.ndarray
    instrument_id: np.ndarray
    qty: np.ndarray
    price: np.ndarray
    ticks: np.ndarray | None = None

    @staticmethod
    def of(rows: list[tuple[int, int, int, float]]) -> "FillBatch":
        """Builds a batch from (account_id, instrument_id, qty, price) rows."""
        cols = list(zip(*rows)) if rows else [(), (), (), ()]
        return FillBatch(np.array(cols[0], dtype=np.uint64), np.array(cols[1], dtype=np.uint32),
                         np.array(cols[2], dtype=np.int64), np.array(cols[3], dtype=np.float64))


@dataclass
class TransferBatch:
    """Transfers as columns: account_id uint64, currency_id uint32, amount float64, all shape (n,);
    validation adds `units` (int64, each amount in minor units of its currency)."""

    account_id: np.ndarray
    currency_id: np.ndarray
    amount: np.ndarray
    units: np.ndarray | None = None

    @staticmethod
    def of(rows: list[tuple[int, int, float]]) -> "TransferBatch":
        """Builds a batch from (account_id, currency_id, amount) rows."""
        cols = list(zip(*rows)) if rows else [(), (), ()]
        return TransferBatch(np.array(cols[0], dtype=np.uint64), np.array(cols[1], dtype=np.uint32),
                             np.array(cols[2], dtype=np.float64))


# ---- outcomes ---------------------------------------------------------------

@dataclass(frozen=True)
class AccountEquity:
    account_id: int
    equity: float


@dataclass(frozen=True)
class MovedPosition:
    instrument_id: int
    qty: int
    price: float


@dataclass(frozen=True)
class MovedBalance:
    currency_id: int
    amount: float


@dataclass(frozen=True)
class Liquidation:
    account_id: int
    equity_before: float
    positions: tuple[MovedPosition, ...]
    balances: tuple[MovedBalance, ...]
    reason: LiquidationReason
    price: float


@dataclass(frozen=True)
class AdlFill:
    account_id: int
    instrument_id: int
    qty: int
    price: float
    rank: int
    score: float


@dataclass(frozen=True)
class DeltasOutcome:
    seq: int
    fill_count: int
    transfer_count: int
    duplicate: bool = False


@dataclass(frozen=True)
class MarkOutcome:
    seq: int
    instrument_id: int
    previous_price: float
    requested_price: float
    applied_price: float
    capped: bool
    first_bankruptcy_price: float | None
    liquidations: tuple[Liquidation, ...]
    adl_fills: tuple[AdlFill, ...]
    negative_equity_accounts: tuple[AccountEquity, ...]
    insurance_fund_equity_before: float
    insurance_fund_equity_after: float
    insurance_fund_deficit: float
    cap_policy: CapPolicy
    dry_run: bool = False
    steps: tuple["MarkStep", ...] = ()                # a sweep's steps (empty otherwise)
    sweep_stop_reason: SweepStopReason | None = None  # None: not a sweep


@dataclass(frozen=True)
class MarkRequest:
    """One mark update of an ApplyMarks call (SPEC 3 "Several marks at once")."""

    instrument_id: int
    price: float
    cap_policy: CapPolicy | None = None
    sweep: bool = False
    max_steps: int = 0


@dataclass(frozen=True)
class MarksOutcome:
    seq: int
    outcomes: tuple[MarkOutcome, ...]


@dataclass(frozen=True)
class MarkStep:
    """One capped step of a sweep."""

    applied_price: float
    capped: bool
    first_bankruptcy_price: float | None
    liquidation_count: int
    adl_fill_count: int
    insurance_fund_equity_after: float


@dataclass(frozen=True)
class CurrencyOutcome:
    seq: int
    negative_equity_accounts: tuple[AccountEquity, ...]


@dataclass(frozen=True)
class InstrumentOutcome:
    seq: int
    instrument: Instrument


@dataclass(frozen=True)
class PositionView:
    instrument_id: int
    qty: int
    cost: float
    entry_price: float
    upnl: float
    bankruptcy_price: float | None
    adl_rank: int
    adl_indicator: int


@dataclass(frozen=True)
class AccountView:
    account_id: int
    equity: float
    balances: tuple[tuple[int, float], ...]  # (currency_id, amount), ascending, non-zero
    positions: tuple[PositionView, ...] = field(default=())


@dataclass(frozen=True)
class FundView:
    account: AccountView
    floor: float
    deficit: float


@dataclass(frozen=True)
class BankruptcyBand:
    mark_price: float
    lower_price: float | None
    lower_account_ids: tuple[int, ...]
    upper_price: float | None
    upper_account_ids: tuple[int, ...]


@dataclass(frozen=True)
class AdlQueueEntry:
    account_id: int
    qty: int
    score: float
    rank: int
    indicator: int


@dataclass(frozen=True)
class Status:
    applied_seq: int
    account_count: int
    position_count: int
    instrument_count: int
    currency_count: int
    insurance_fund_account_id: int
    state_hash: str
