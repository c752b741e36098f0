"""What the reference reports for a mark update: plain dataclasses, SPEC §3 step 8."""
from __future__ import annotations

from dataclasses import dataclass, field

from markcap.engine.types import CapPolicy, LiquidationReason


@dataclass
class RefLiquidation:
    """One takeover (SPEC §4): positions as (instrument_id, qty, price), balances as {currency_id: amount}."""

    account_id: int
    reason: LiquidationReason
    price: float
    equity_before: float
    positions: list[tuple[int, int, float]] = field(default_factory=list)
    balances: dict[int, float] = field(default_factory=dict)


@dataclass
class RefAdlFill:
    """One ADL fill (SPEC §5): qty is the counterparty's signed change."""

    account_id: int
    instrument_id: int
    qty: int
    price: float
    rank: int
    score: float


@dataclass
class RefMarkOutcome:
    instrument_id: int
    cap_policy: CapPolicy
    previous_price: float
    requested_price: float
    applied_price: float
    capped: bool
    first_bankruptcy_price: float | None
    liquidations: list[RefLiquidation]
    adl_fills: list[RefAdlFill]
    negative_equity_accounts: list[tuple[int, float]]
    fund_equity_before: float
    fund_equity_after: float
    deficit: float
    next_price: float | None = None  # when capped: the grid price beyond p* that bounds step 6's band
