"""ReferenceExchange: SPEC.md §1-§5 written straight from the text, one account at a time.

Deliberately slow and literal: dicts of floats, plain loops, no numpy. Where
SPEC.md is silent it mirrors the engine's documented choices:
- `capped` iff the FBP lies in [P0, P1] inclusive; then applied = p*, the grid price at or
  before the FBP seen from P0 (the double's exact value rounded, SPEC 3.5), and the accounts
  taken over are those with b before the next grid price beyond p* (SPEC 3.6);
  a move with P1 == P0 does nothing under CAP (no FBP, not capped);
- a harmed account's b that rounding puts on the wrong side of P0 is clamped to P0;
- already bankrupt = harmed non-fund account with equity <= 0 at P0, taken over in
  ascending account_id before any b is computed; harmed set and b's come after;
- a takeover moves positions in ascending instrument_id as fill pairs at each mark
  (average cost, so the fund may realise PnL), then every non-zero balance,
  ascending currency_id;
- the fund is insolvent iff (capped and its b is in that band) or its equity at p*, after
  the takeovers, is <= F;
- ADL scores at p*; PNL_RATIO_TIMES_LEVERAGE with E <= 0 takes L = +inf;
- negative_equity_accounts: every account (fund included) with equity < 0 after.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from markcap.engine.types import (
    CapPolicy, ContractKind, Currency, ExchangeConfig, Instrument, LiquidationReason,
)

from .adl import deleverage
from .grid import toward_start
from .knife_edges import KnifeEdges
from .outcome import RefLiquidation, RefMarkOutcome


@dataclass
class RefPosition:
    """Signed whole contracts and cost K in the settlement currency (SPEC §1)."""

    qty: int = 0
    cost: float = 0.0


@dataclass
class RefAccount:
    balances: dict[int, float] = field(default_factory=dict)
    positions: dict[int, RefPosition] = field(default_factory=dict)

    def position(self, instrument_id: int) -> RefPosition:
        return self.positions.setdefault(instrument_id, RefPosition())


def sign(value: float) -> int:
    return (value > 0) - (value < 0)


class ReferenceExchange:
    """Currencies, instruments, accounts and the insurance fund (an ordinary account)."""

    def __init__(self, currencies: list[Currency], instruments: list[Instrument],
                 fund_id: int = 0, floor: float = 0.0):
        self.currency_price = {c.currency_id: (1.0 if c.valuation else c.price) for c in currencies}
        self.valuation_id = next(c.currency_id for c in currencies if c.valuation)
        self.instruments: dict[int, Instrument] = {i.instrument_id: i for i in instruments}
        self.fund_id = fund_id
        self.floor = floor
        self.accounts: dict[int, RefAccount] = {fund_id: RefAccount()}

    @staticmethod
    def from_config(config: ExchangeConfig) -> "ReferenceExchange":
        return ReferenceExchange(list(config.currencies), list(config.instruments),
                                 config.insurance_fund_account_id, config.insurance_fund_floor)

    # ---- reference data -----------------------------------------------------

    def mark(self, instrument_id: int) -> float:
        return self.instruments[instrument_id].mark_price

    def set_mark(self, instrument_id: int, price: float) -> None:
        self.instruments[instrument_id] = replace(self.instruments[instrument_id], mark_price=price)

    def set_instrument_policies(self, instrument_id: int, **policies) -> None:
        """Changes cap_policy / adl_ranking / adl_allocation (None keeps the current one)."""
        kept = {name: value for name, value in policies.items() if value is not None}
        self.instruments[instrument_id] = replace(self.instruments[instrument_id], **kept)

    def set_currency_price(self, currency_id: int, price: float) -> list[tuple[int, float]]:
        """Applies a price as given (no cap); returns the negative-equity accounts."""
        self.currency_price[currency_id] = price
        return self.negative_equity_accounts()

    def settlement_price(self, instrument_id: int) -> float:
        """sigma = px(s(x)): value of one settlement-currency unit in valuation currency."""
        return self.currency_price[self.instruments[instrument_id].settlement_currency_id]

    # ---- deltas (SPEC §2) ---------------------------------------------------

    def account(self, account_id: int) -> RefAccount:
        """The account, created on first reference."""
        return self.accounts.setdefault(account_id, RefAccount())

    def apply_transfer(self, account_id: int, currency_id: int, amount: float) -> None:
        balances = self.account(account_id).balances
        balances[currency_id] = balances.get(currency_id, 0.0) + amount

    def apply_fill(self, account_id: int, instrument_id: int, qty_delta: int, price: float) -> None:
        """Average-cost accounting: grow adds to K; reducing realises c*(...) and shrinks K pro rata."""
        instrument = self.instruments[instrument_id]
        position = self.account(account_id).position(instrument_id)
        if position.qty != 0 and sign(qty_delta) != sign(position.qty):
            closed = position.qty if abs(qty_delta) >= abs(position.qty) else -qty_delta
            self._close(account_id, instrument, position, closed, price)
            qty_delta += closed
        if qty_delta != 0:
            position.cost += self._cost_of(instrument, qty_delta, price)
            position.qty += qty_delta

    def _close(self, account_id: int, instrument: Instrument, position: RefPosition,
               closed: int, price: float) -> None:
        """realised = c*(m*price - K/q) LINEAR, c*(K/q - m/price) INVERSE; K -= K*c/q."""
        m, q, cost = instrument.multiplier, position.qty, position.cost
        if instrument.kind == ContractKind.LINEAR:
            realised = closed * (m * price - cost / q)
        else:
            realised = closed * (cost / q - m / price)
        self.apply_transfer(account_id, instrument.settlement_currency_id, realised)
        position.qty = q - closed
        position.cost = 0.0 if position.qty == 0 else cost - cost * closed / q

    @staticmethod
    def _cost_of(instrument: Instrument, qty: int, price: float) -> float:
        """q*m*price (LINEAR) or q*m/price (INVERSE): what opening q at price adds to K.

        Evaluated left to right like upnl's q*m*p, so a position opened at the
        mark has upnl exactly 0.
        """
        if instrument.kind == ContractKind.LINEAR:
            return qty * instrument.multiplier * price
        return qty * instrument.multiplier / price

    # ---- valuation (SPEC §1) ------------------------------------------------

    def upnl(self, instrument_id: int, position: RefPosition, price: float) -> float:
        """q*m*p - K (LINEAR) or K - q*m/p (INVERSE), in the settlement currency."""
        instrument = self.instruments[instrument_id]
        if position.qty == 0:
            return 0.0
        if instrument.kind == ContractKind.LINEAR:
            return position.qty * instrument.multiplier * price - position.cost
        return position.cost - position.qty * instrument.multiplier / price

    def equity(self, account_id: int, marks: dict[int, float] | None = None,
               without_instrument: int | None = None) -> float:
        """E = sum_c balance_c*px(c) + sum_x px(s(x))*upnl_x(mark_x), in valuation currency.

        `marks` overrides some instruments' marks; `without_instrument` leaves
        that instrument's upnl out (E' of SPEC §3 step 3).
        """
        marks = marks or {}
        account = self.accounts[account_id]
        total = 0.0
        for currency_id in sorted(account.balances):
            total += account.balances[currency_id] * self.currency_price[currency_id]
        for instrument_id in sorted(account.positions):
            if instrument_id == without_instrument:
                continue
            price = marks.get(instrument_id, self.mark(instrument_id))
            upnl = self.upnl(instrument_id, account.positions[instrument_id], price)
            total += self.settlement_price(instrument_id) * upnl
        return total

    def qty(self, account_id: int, instrument_id: int) -> int:
        position = self.accounts[account_id].positions.get(instrument_id)
        return position.qty if position else 0

    def negative_equity_accounts(self) -> list[tuple[int, float]]:
        """Every account (fund included) with equity < 0, ascending account_id."""
        result = []
        for account_id in sorted(self.accounts):
            equity = self.equity(account_id)
            if equity < 0:
                result.append((account_id, equity))
        return result

    # ---- bankruptcy price (SPEC §3 step 3) -----------------------------------

    def bankruptcy_price(self, account_id: int, instrument_id: int, direction: int) -> float | None:
        """The price of x at which the account's equity is 0 (the fund's: F), all else fixed.

        LINEAR b = (K*sigma - E')/(q*m*sigma); INVERSE b = q*m/(K + E'/sigma);
        None when the account is not harmed by a move in `direction` or b is
        not a positive price. A fund at or below F has b = P0; a b that
        rounding puts on the wrong side of P0 is clamped to P0.
        """
        instrument = self.instruments[instrument_id]
        position = self.accounts[account_id].positions.get(instrument_id)
        if position is None or position.qty * direction >= 0:
            return None
        mark = instrument.mark_price
        is_fund = account_id == self.fund_id
        if is_fund and self.equity(account_id) <= self.floor:
            return mark
        rest = self.equity(account_id, without_instrument=instrument_id)
        if is_fund:
            rest -= self.floor
        price = self._solve_bankruptcy(instrument, position, rest)
        if price is None:
            return None
        return mark if (price - mark) * direction < 0 else price

    def _solve_bankruptcy(self, instrument: Instrument, position: RefPosition,
                          rest: float) -> float | None:
        sigma = self.currency_price[instrument.settlement_currency_id]
        q, m, cost = position.qty, instrument.multiplier, position.cost
        if instrument.kind == ContractKind.LINEAR:
            price = (cost * sigma - rest) / (q * m * sigma)
        else:
            denominator = cost + rest / sigma
            if denominator == 0:
                return None
            price = q * m / denominator
        return price if 0 < price < float("inf") else None

    # ---- liquidation (SPEC §4) ----------------------------------------------

    def liquidate(self, account_id: int, reason: LiquidationReason, price: float) -> RefLiquidation:
        """Moves every position (ascending instrument) at its mark, then every non-zero balance."""
        account = self.accounts[account_id]
        record = RefLiquidation(account_id, reason, price, self.equity(account_id))
        for instrument_id in sorted(account.positions):
            qty = account.positions[instrument_id].qty
            if qty == 0:
                continue
            mark = self.mark(instrument_id)
            self.apply_fill(account_id, instrument_id, -qty, mark)
            self.apply_fill(self.fund_id, instrument_id, qty, mark)
            record.positions.append((instrument_id, qty, mark))
        for currency_id in sorted(account.balances):
            amount = account.balances[currency_id]
            if amount == 0:
                continue
            self.apply_transfer(account_id, currency_id, -amount)
            self.apply_transfer(self.fund_id, currency_id, amount)
            record.balances[currency_id] = amount
        return record

    # ---- mark update (SPEC §3) ----------------------------------------------

    def harmed_accounts(self, instrument_id: int, direction: int) -> list[int]:
        """Accounts (fund included) with q_x*d < 0, ascending account_id."""
        return [a for a in sorted(self.accounts) if self.qty(a, instrument_id) * direction < 0]

    def apply_mark(self, instrument_id: int, price: float,
                   cap_policy: CapPolicy | None = None) -> RefMarkOutcome:
        policy = cap_policy or self.instruments[instrument_id].cap_policy
        previous = self.mark(instrument_id)
        outcome = RefMarkOutcome(instrument_id, policy, previous, price, previous, False, None,
                                 [], [], [], self.equity(self.fund_id), 0.0, 0.0)
        direction = sign(price - previous)
        if policy == CapPolicy.NO_CAP:
            self.set_mark(instrument_id, price)
            outcome.applied_price = price
        elif direction != 0:
            self._apply_capped(instrument_id, direction, outcome)
        outcome.negative_equity_accounts = self.negative_equity_accounts()
        outcome.fund_equity_after = self.equity(self.fund_id)
        outcome.deficit = max(0.0, self.floor - outcome.fund_equity_after)
        return outcome

    def _apply_capped(self, instrument_id: int, direction: int, outcome: RefMarkOutcome) -> None:
        """Steps 1-7: takeovers at P0, b's, FBP, cap, takeovers at FBP, fund check, ADL."""
        edges = KnifeEdges(self, outcome.knife_edges)
        self._take_over_already_bankrupt(instrument_id, direction, outcome, edges)
        bankruptcy = self._bankruptcy_prices(instrument_id, direction, edges)
        self._cap(bankruptcy, direction, outcome, edges)
        applied = outcome.applied_price
        self.set_mark(instrument_id, applied)
        if outcome.capped:
            self._take_over_at_first_bankruptcy(bankruptcy, outcome, direction)
        if self._fund_insolvent(bankruptcy, outcome, direction, edges):
            outcome.adl_fills = deleverage(self, instrument_id, direction, applied, edges)

    def _take_over_already_bankrupt(self, instrument_id: int, direction: int,
                                    outcome: RefMarkOutcome, edges: KnifeEdges) -> None:
        """Step 2: harmed non-fund accounts with equity <= 0 at P0, ascending account_id."""
        for account_id in self.harmed_accounts(instrument_id, direction):
            if account_id == self.fund_id:
                continue
            edges.equity_near(account_id, 0.0, "already bankrupt?")
            if self.equity(account_id) <= 0:
                outcome.liquidations.append(self.liquidate(
                    account_id, LiquidationReason.ALREADY_BANKRUPT, outcome.previous_price))

    def _in_band(self, b: float | None, outcome: RefMarkOutcome, direction: int) -> bool:
        """Step 6's band: b before the next grid price beyond p* (b < p* + tick on a rise)."""
        return b is not None and (b - outcome.next_price) * direction < 0

    def _take_over_at_first_bankruptcy(self, bankruptcy: dict[int, float],
                                       outcome: RefMarkOutcome, direction: int) -> None:
        """Step 6: every harmed non-fund account whose b is in the band, at p*."""
        for account_id in sorted(bankruptcy):
            if account_id != self.fund_id and self._in_band(bankruptcy[account_id], outcome, direction):
                outcome.liquidations.append(self.liquidate(
                    account_id, LiquidationReason.FIRST_BANKRUPTCY_PRICE, outcome.applied_price))

    def _cap(self, bankruptcy: dict[int, float], direction: int, outcome: RefMarkOutcome,
             edges: KnifeEdges) -> None:
        """Steps 4-5: FBP = the b nearest P0 in direction d; if it is within [P0, P1] inclusive,
        p* is the grid price at or before it seen from P0."""
        previous, requested = outcome.previous_price, outcome.requested_price
        if bankruptcy:
            nearest = min if direction > 0 else max
            outcome.first_bankruptcy_price = nearest(bankruptcy.values())
        fbp = outcome.first_bankruptcy_price
        outcome.capped = fbp is not None and min(previous, requested) <= fbp <= max(previous, requested)
        outcome.applied_price = requested
        if outcome.capped:
            tick = self.instruments[outcome.instrument_id].tick_size
            outcome.applied_price, outcome.next_price = toward_start(fbp, tick, direction,
                                                                          previous)
        edges.prices_near(bankruptcy, fbp, previous, requested,
                          (outcome.applied_price, outcome.next_price) if outcome.capped else None)

    def _fund_insolvent(self, bankruptcy: dict[int, float], outcome: RefMarkOutcome,
                        direction: int, edges: KnifeEdges) -> bool:
        """Step 7: the fund's own b is in the band, or its equity at p* is <= F."""
        if outcome.capped and self._in_band(bankruptcy.get(self.fund_id), outcome, direction):
            return True
        edges.equity_near(self.fund_id, self.floor, "fund insolvent at p*?")
        return self.equity(self.fund_id) <= self.floor

    def _bankruptcy_prices(self, instrument_id: int, direction: int,
                           edges: KnifeEdges) -> dict[int, float]:
        """b_i of every harmed account that has one, by account_id."""
        bankruptcy = {}
        for account_id in self.harmed_accounts(instrument_id, direction):
            if account_id == self.fund_id:
                edges.equity_near(account_id, self.floor, "fund already at its floor?")
            b = self.bankruptcy_price(account_id, instrument_id, direction)
            if b is not None:
                bankruptcy[account_id] = b
        return bankruptcy

    # ---- rounding scale ------------------------------------------------------

    def equity_scale(self, account_id: int) -> float:
        """Gross size of the terms of the account's equity: what its rounding error scales with."""
        account = self.accounts[account_id]
        gross = sum(abs(amount * self.currency_price[c]) for c, amount in account.balances.items())
        for instrument_id, position in account.positions.items():
            notional = abs(self._cost_of(self.instruments[instrument_id], position.qty,
                                         self.mark(instrument_id)))
            gross += self.settlement_price(instrument_id) * (notional + abs(position.cost))
        return gross
