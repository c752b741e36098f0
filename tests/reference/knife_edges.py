"""Notes on decisions the reference took within float64 rounding of their threshold.

SPEC compares floats exactly (equity <= 0, equity <= F, b == FBP, FBP within
[P0, P1], scores ordered), so where the exact value sits on the threshold, two
correct float implementations that sum in different orders may decide apart.
These notes let a test tell such a case from a real disagreement.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .exchange import ReferenceExchange

ROUNDING = 1e-9


def near(a: float, b: float, scale: float) -> bool:
    return a != b and abs(a - b) <= ROUNDING * max(1.0, scale)


class KnifeEdges:
    def __init__(self, exchange: "ReferenceExchange", notes: list[str]):
        self.exchange = exchange
        self.notes = notes

    def equity_near(self, account_id: int, threshold: float, what: str) -> None:
        equity = self.exchange.equity(account_id)
        scale = self.exchange.equity_scale(account_id)
        if equity == threshold or near(equity, threshold, scale):
            self.notes.append(f"{what} account {account_id} equity {equity!r} vs {threshold!r}")

    def prices_near(self, bankruptcy: dict[int, float], fbp: float | None,
                    previous: float, requested: float, grid: tuple[float, float] | None) -> None:
        """b's a few ulps from the FBP, from P0 (clamped?) or from the next grid price beyond p*
        (in the band?); the FBP from P1 (capped?) or from p* or the next grid price (which tick
        does it round to?). `grid` is (p*, next grid price) when capped."""
        if fbp is None:
            return
        applied, next_price = grid or (None, None)
        for account_id, b in bankruptcy.items():
            if near(b, fbp, fbp) or near(b, previous, previous) or (
                    next_price is not None and (b == next_price or near(b, next_price, next_price))):
                self.notes.append(f"b of account {account_id} {b!r}: FBP {fbp!r}, P0 {previous!r}, "
                                  f"next grid price {next_price!r}")
        if near(fbp, requested, requested):
            self.notes.append(f"FBP {fbp!r} vs requested {requested!r}")
        for price in (applied, next_price):
            if price is not None and (fbp == price or near(fbp, price, price)):
                self.notes.append(f"FBP {fbp!r} a few ulps from the grid price {price!r}")

    def upnl_near_zero(self, account_id: int, instrument_id: int) -> None:
        """The sign of r decides r*L or r/L: with E <= 0 that is +inf or 0."""
        position = self.exchange.accounts[account_id].positions[instrument_id]
        upnl = self.exchange.upnl(instrument_id, position, self.exchange.mark(instrument_id))
        if upnl == 0 or near(upnl, 0.0, abs(position.cost)):
            self.notes.append(f"ADL ratio sign? account {account_id} upnl {upnl!r}")

    def scores_near(self, ranking: list[tuple[int, float]]) -> None:
        """Neighbouring ADL scores a few ulps apart: the order may flip."""
        for (first, high), (second, low) in zip(ranking, ranking[1:]):
            if abs(high) != float("inf") and near(high, low, max(abs(high), abs(low))):
                self.notes.append(f"ADL scores of {first} {high!r} and {second} {low!r}")
