"""ReferenceExchange: SPEC.md §1-§5 written straight from the text, one account at a time.

Deliberately slow and literal: exact fractions (fractions.Fraction) in plain dicts and
loops, no numpy and no engine code; every amount is a Fraction of its currency, every
price a Fraction on its instrument's grid, so every decision is exact. Outputs are
the doubles nearest to the exact values, as SPEC §1 asks of the engine. Where SPEC.md
is silent it mirrors the engine's documented choices (docs/semantics.md):
- rounding (SPEC §1): a fill's cost change and realised PnL are rounded to the settlement
  currency's minor unit against the account: LINEAR costs up, INVERSE costs down, cost
  shares the same way, realised PnL down; what the account loses to rounding (the exact
  change of balance - K, or balance + K for INVERSE, minus the booked one) accrues to the
  fund per currency and is paid to its balance in whole minor units at once;
- `capped` iff the FBP lies in [P0, P1] inclusive; then applied = p*, the grid price at or
  before the FBP seen from P0 (SPEC 3.5), and the accounts taken over are those with b
  before the next grid price beyond p* (SPEC 3.6); a move with P1 == P0 does nothing under
  CAP (no FBP, not capped);
- a harmed account at or below zero equity (the fund at or below F) has b = P0;
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

import math
from dataclasses import dataclass, field, replace
from fractions import Fraction

from markcap.engine.types import (
    CapPolicy, ContractKind, Currency, ExchangeConfig, Instrument, LiquidationReason,
)

from .adl import deleverage
from .grid import exact
from .outcome import RefLiquidation, RefMarkOutcome

INFINITY = float("inf")


@dataclass
class RefPosition:
    """Signed whole contracts and cost K in the settlement currency (SPEC §1), exact."""

    qty: int = 0
    cost: Fraction = Fraction(0)


@dataclass
class RefAccount:
    balances: dict[int, Fraction] = field(default_factory=dict)
    positions: dict[int, RefPosition] = field(default_factory=dict)

    def position(self, instrument_id: int) -> RefPosition:
        return self.positions.setdefault(instrument_id, RefPosition())


def sign(value) -> int:
    return (value > 0) - (value < 0)


def _round_down(value: Fraction, unit: Fraction) -> Fraction:
    return math.floor(value / unit) * unit


def _round_up(value: Fraction, unit: Fraction) -> Fraction:
    return math.ceil(value / unit) * unit


class ReferenceExchange:
    """Currencies, instruments, accounts and the insurance fund (an ordinary account)."""

    def __init__(self, currencies: list[Currency], instruments: list[Instrument],
                 fund_id: int = 0, floor: float = 0.0):
        self.currency_price = {c.currency_id: (Fraction(1) if c.valuation else exact(c.price))
                               for c in currencies}
        self.unit = {c.currency_id: Fraction(1, 10**c.decimals) for c in currencies}
        self.valuation_id = next(c.currency_id for c in currencies if c.valuation)
        self.instruments: dict[int, Instrument] = {i.instrument_id: i for i in instruments}
        self.fund_id = fund_id
        self.floor = exact(floor)
        self.accounts: dict[int, RefAccount] = {fund_id: RefAccount()}
        self.residue: dict[int, Fraction] = {}  # currency -> rounding owed to the fund, below one unit

    @staticmethod
    def from_config(config: ExchangeConfig) -> "ReferenceExchange":
        return ReferenceExchange(list(config.currencies), list(config.instruments),
                                 config.insurance_fund_account_id, config.insurance_fund_floor)

    # ---- reference data -----------------------------------------------------

    def mark(self, instrument_id: int) -> float:
        return self.instruments[instrument_id].mark_price

    def exact_mark(self, instrument_id: int) -> Fraction:
        return exact(self.instruments[instrument_id].mark_price)

    def set_mark(self, instrument_id: int, price) -> None:
        self.instruments[instrument_id] = replace(self.instruments[instrument_id], mark_price=float(price))

    def set_instrument_policies(self, instrument_id: int, **policies) -> None:
        """Changes cap_policy / adl_ranking / adl_allocation (None keeps the current one)."""
        kept = {name: value for name, value in policies.items() if value is not None}
        self.instruments[instrument_id] = replace(self.instruments[instrument_id], **kept)

    def set_currency_price(self, currency_id: int, price: float) -> list[tuple[int, float]]:
        """Applies a price as given (no cap); returns the negative-equity accounts."""
        self.currency_price[currency_id] = exact(price)
        return self.negative_equity_accounts()

    def settlement_price(self, instrument_id: int) -> Fraction:
        """sigma = px(s(x)): value of one settlement-currency unit in valuation currency."""
        return self.currency_price[self.instruments[instrument_id].settlement_currency_id]

    # ---- deltas (SPEC §2) ---------------------------------------------------

    def account(self, account_id: int) -> RefAccount:
        """The account, created on first reference."""
        return self.accounts.setdefault(account_id, RefAccount())

    def apply_transfer(self, account_id: int, currency_id: int, amount) -> None:
        amount = exact(amount) if isinstance(amount, float) else Fraction(amount)
        balances = self.account(account_id).balances
        balances[currency_id] = balances.get(currency_id, Fraction(0)) + amount

    def apply_fill(self, account_id: int, instrument_id: int, qty_delta: int, price) -> None:
        """Average-cost accounting: grow adds to K; reducing realises c*(...) and shrinks K pro rata;
        a flip closes all, then opens the rest. Each piece rounds against the account (module doc)."""
        price = exact(price) if isinstance(price, float) else price
        instrument = self.instruments[instrument_id]
        currency = instrument.settlement_currency_id
        position = self.account(account_id).position(instrument_id)
        value_before = self._booked_value(account_id, instrument, position)
        exact_change = -self._cost_of(instrument, qty_delta, price) if instrument.kind == ContractKind.LINEAR \
            else self._cost_of(instrument, qty_delta, price)
        if position.qty != 0 and sign(qty_delta) != sign(position.qty):
            closed = position.qty if abs(qty_delta) >= abs(position.qty) else -qty_delta
            self._close(account_id, instrument, position, closed, price)
            qty_delta += closed
        if qty_delta != 0:
            rounded = _round_up if instrument.kind == ContractKind.LINEAR else _round_down
            position.cost += rounded(self._cost_of(instrument, qty_delta, price), self.unit[currency])
            position.qty += qty_delta
        booked = self._booked_value(account_id, instrument, position) - value_before
        self._owe_fund(currency, exact_change - booked)

    def _booked_value(self, account_id: int, instrument: Instrument, position: RefPosition) -> Fraction:
        """balance - K (LINEAR) or balance + K (INVERSE) in the settlement currency: what a fill at
        the fill price must leave unchanged, exactly."""
        balance = self.accounts[account_id].balances.get(instrument.settlement_currency_id, Fraction(0))
        return balance - position.cost if instrument.kind == ContractKind.LINEAR else balance + position.cost

    def _owe_fund(self, currency_id: int, amount: Fraction) -> None:
        assert amount >= 0, f"rounding favoured an account by {amount}"
        owed = self.residue.get(currency_id, Fraction(0)) + amount
        whole = _round_down(owed, self.unit[currency_id])
        self.residue[currency_id] = owed - whole
        if whole:
            self.apply_transfer(self.fund_id, currency_id, whole)

    def _close(self, account_id: int, instrument: Instrument, position: RefPosition,
               closed: int, price: Fraction) -> None:
        """realised = c*m*price - K_c LINEAR, K_c - c*m/price INVERSE, rounded down; K -= K_c, with
        K_c = K*c/q rounded up (LINEAR) or down (INVERSE)."""
        unit = self.unit[instrument.settlement_currency_id]
        m, q, cost = exact(instrument.multiplier), position.qty, position.cost
        if closed == q:
            closed_cost = cost
        elif instrument.kind == ContractKind.LINEAR:
            closed_cost = _round_up(cost * closed / q, unit)
        else:
            closed_cost = _round_down(cost * closed / q, unit)
        if instrument.kind == ContractKind.LINEAR:
            realised = _round_down(closed * m * price - closed_cost, unit)
        else:
            realised = _round_down(closed_cost - closed * m / price, unit)
        self.apply_transfer(account_id, instrument.settlement_currency_id, realised)
        position.qty = q - closed
        position.cost = Fraction(0) if position.qty == 0 else cost - closed_cost

    @staticmethod
    def _cost_of(instrument: Instrument, qty: int, price: Fraction) -> Fraction:
        """q*m*price (LINEAR) or q*m/price (INVERSE): the exact value of opening q at price."""
        if instrument.kind == ContractKind.LINEAR:
            return qty * exact(instrument.multiplier) * price
        return qty * exact(instrument.multiplier) / price

    # ---- valuation (SPEC §1) ------------------------------------------------

    def upnl(self, instrument_id: int, position: RefPosition, price: Fraction) -> Fraction:
        """q*m*p - K (LINEAR) or K - q*m/p (INVERSE), in the settlement currency."""
        instrument = self.instruments[instrument_id]
        if position.qty == 0:
            return Fraction(0)
        m = exact(instrument.multiplier)
        if instrument.kind == ContractKind.LINEAR:
            return position.qty * m * price - position.cost
        return position.cost - position.qty * m / price

    def equity(self, account_id: int, marks: dict[int, Fraction] | None = None,
               without_instrument: int | None = None) -> Fraction:
        """E = sum_c balance_c*px(c) + sum_x px(s(x))*upnl_x(mark_x), in valuation currency.

        `marks` overrides some instruments' marks; `without_instrument` leaves
        that instrument's upnl out (E' of SPEC §3 step 3).
        """
        marks = marks or {}
        account = self.accounts[account_id]
        total = Fraction(0)
        for currency_id in sorted(account.balances):
            total += account.balances[currency_id] * self.currency_price[currency_id]
        for instrument_id in sorted(account.positions):
            if instrument_id == without_instrument:
                continue
            price = marks.get(instrument_id, self.exact_mark(instrument_id))
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
                result.append((account_id, float(equity)))
        return result

    # ---- bankruptcy price (SPEC §3 step 3) -----------------------------------

    def bankruptcy_price(self, account_id: int, instrument_id: int, direction: int) -> Fraction | None:
        """The price of x at which the account's equity is 0 (the fund's: F), all else fixed.

        LINEAR b = (K*sigma - E')/(q*m*sigma); INVERSE b = q*m/(K + E'/sigma);
        None when the account is not harmed by a move in `direction` or b is
        not a positive price. An account at or below 0 (a fund at or below F) has b = P0.
        """
        instrument = self.instruments[instrument_id]
        position = self.accounts[account_id].positions.get(instrument_id)
        if position is None or position.qty * direction >= 0:
            return None
        mark = self.exact_mark(instrument_id)
        is_fund = account_id == self.fund_id
        if self.equity(account_id) <= (self.floor if is_fund else 0):
            return mark
        rest = self.equity(account_id, without_instrument=instrument_id)
        if is_fund:
            rest -= self.floor
        price = self._solve_bankruptcy(instrument, position, rest)
        if price is None:
            return None
        return mark if (price - mark) * direction < 0 else price

    def _solve_bankruptcy(self, instrument: Instrument, position: RefPosition,
                          rest: Fraction) -> Fraction | None:
        sigma = self.currency_price[instrument.settlement_currency_id]
        q, m, cost = position.qty, exact(instrument.multiplier), position.cost
        if instrument.kind == ContractKind.LINEAR:
            price = (cost * sigma - rest) / (q * m * sigma)
        else:
            denominator = cost + rest / sigma
            if denominator == 0:
                return None
            price = q * m / denominator
        return price if price > 0 else None

    # ---- liquidation (SPEC §4) ----------------------------------------------

    def liquidate(self, account_id: int, reason: LiquidationReason, price: float) -> RefLiquidation:
        """Moves every position (ascending instrument) at its mark, then every non-zero balance."""
        account = self.accounts[account_id]
        record = RefLiquidation(account_id, reason, price, float(self.equity(account_id)))
        for instrument_id in sorted(account.positions):
            qty = account.positions[instrument_id].qty
            if qty == 0:
                continue
            mark = self.exact_mark(instrument_id)
            self.apply_fill(account_id, instrument_id, -qty, mark)
            self.apply_fill(self.fund_id, instrument_id, qty, mark)
            record.positions.append((instrument_id, qty, float(mark)))
        for currency_id in sorted(account.balances):
            amount = account.balances[currency_id]
            if amount == 0:
                continue
            self.apply_transfer(account_id, currency_id, -amount)
            self.apply_transfer(self.fund_id, currency_id, amount)
            record.balances[currency_id] = float(amount)
        return record

    # ---- mark update (SPEC §3) ----------------------------------------------

    def harmed_accounts(self, instrument_id: int, direction: int) -> list[int]:
        """Accounts (fund included) with q_x*d < 0, ascending account_id."""
        return [a for a in sorted(self.accounts) if self.qty(a, instrument_id) * direction < 0]

    def apply_mark(self, instrument_id: int, price: float,
                   cap_policy: CapPolicy | None = None) -> RefMarkOutcome:
        """SPEC §3 in exact fractions; the outcome holds the doubles nearest to the exact values."""
        policy = cap_policy or self.instruments[instrument_id].cap_policy
        previous = self.mark(instrument_id)
        fund_before = self.equity(self.fund_id)
        outcome = RefMarkOutcome(instrument_id, policy, previous, price, previous, False, None,
                                 [], [], [], float(fund_before), 0.0, 0.0)
        direction = sign(price - previous)
        if policy == CapPolicy.NO_CAP:
            self.set_mark(instrument_id, price)
            outcome.applied_price = price
        elif direction != 0:
            self._apply_capped(instrument_id, exact(price), direction, outcome)
        outcome.negative_equity_accounts = self.negative_equity_accounts()
        fund_after = self.equity(self.fund_id)
        outcome.fund_equity_after = float(fund_after)
        outcome.deficit = float(max(Fraction(0), self.floor - fund_after))
        return outcome

    def _apply_capped(self, instrument_id: int, requested: Fraction, direction: int,
                      outcome: RefMarkOutcome) -> None:
        """Steps 1-7: takeovers at P0, b's, FBP, cap, takeovers at FBP, fund check, ADL."""
        previous = self.exact_mark(instrument_id)
        self._take_over_already_bankrupt(instrument_id, direction, outcome)
        bankruptcy = self._bankruptcy_prices(instrument_id, direction)
        fbp = None
        if bankruptcy:
            fbp = (min if direction > 0 else max)(bankruptcy.values())
            outcome.first_bankruptcy_price = float(fbp)
        outcome.capped = fbp is not None and min(previous, requested) <= fbp <= max(previous, requested)
        applied, band_end = requested, None
        if outcome.capped:
            tick = exact(self.instruments[instrument_id].tick_size)
            steps = math.floor(fbp / tick) if direction > 0 else math.ceil(fbp / tick)
            applied = max(steps * tick, previous) if direction > 0 else min(steps * tick, previous)
            band_end = applied + direction * tick
            outcome.next_price = float(band_end)
        outcome.applied_price = float(applied)
        self.set_mark(instrument_id, applied)
        in_band = {a for a, b in bankruptcy.items() if band_end is not None and (b - band_end) * direction < 0}
        for account_id in sorted(in_band - {self.fund_id}):  # step 6, ascending account_id
            outcome.liquidations.append(self.liquidate(
                account_id, LiquidationReason.FIRST_BANKRUPTCY_PRICE, float(applied)))
        # step 7: the fund's own b in the band, or its equity at p* <= F
        if self.fund_id in in_band or self.equity(self.fund_id) <= self.floor:
            outcome.adl_fills = deleverage(self, instrument_id, direction, applied)

    def _take_over_already_bankrupt(self, instrument_id: int, direction: int,
                                    outcome: RefMarkOutcome) -> None:
        """Step 2: harmed non-fund accounts with equity <= 0 at P0, ascending account_id."""
        for account_id in self.harmed_accounts(instrument_id, direction):
            if account_id != self.fund_id and self.equity(account_id) <= 0:
                outcome.liquidations.append(self.liquidate(
                    account_id, LiquidationReason.ALREADY_BANKRUPT, outcome.previous_price))

    def _bankruptcy_prices(self, instrument_id: int, direction: int) -> dict[int, Fraction]:
        """b_i of every harmed account that has one, by account_id."""
        bankruptcy = {}
        for account_id in self.harmed_accounts(instrument_id, direction):
            b = self.bankruptcy_price(account_id, instrument_id, direction)
            if b is not None:
                bankruptcy[account_id] = b
        return bankruptcy

    # ---- rounding scale ------------------------------------------------------

    def total(self, currency_id: int) -> Fraction:
        """Balances plus costs of the currency (K subtracted for LINEAR, added for INVERSE) plus
        the residue owed to the fund: constant under zero-sum fills (SPEC §1 "Numbers")."""
        total = self.residue.get(currency_id, Fraction(0))
        for account in self.accounts.values():
            total += account.balances.get(currency_id, Fraction(0))
            for instrument_id, position in account.positions.items():
                instrument = self.instruments[instrument_id]
                if instrument.settlement_currency_id == currency_id:
                    total += -position.cost if instrument.kind == ContractKind.LINEAR else position.cost
        return total
