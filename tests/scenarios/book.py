"""A zero-sum order book built from readable rows, sent to a server over gRPC.

    Book(instrument_id=1)
        .short(account=1, qty=10, price=100).deposit(account=1, usd=250)
        .long(account=2, qty=6, price=80).deposit(account=2, usd=100)

Every row is one fill, and its opposite fill, at the same price, goes to a
dealer account. The rows balance (longs = shorts per instrument), so the dealer
ends flat; it keeps only cash (its realised PnL plus a cushion deposit that
keeps it clear of negative equity) and so plays no part in any scenario.
Row accounts only open or extend positions, so their balances are exactly
their deposits and their cost is the sum of qty*multiplier*price (LINEAR) or
qty*multiplier/price (INVERSE).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pytest

from markcap.v1 import risk_engine_pb2 as pb

DEALER_ACCOUNT_ID = 999_999
DEALER_CUSHION_VALUATION = 1e9


@dataclass(frozen=True)
class Row:
    account_id: int
    instrument_id: int
    qty: int
    price: float


class Book:
    """Readable givens of a scenario: positions and deposits per account."""

    def __init__(self, instrument_id: int, multiplier: float = 1.0, inverse: bool = False,
                 settlement: str = "usd", currencies: dict[str, tuple[int, float]] | None = None,
                 fund_account_id: int = 0):
        """`currencies` maps a code used in deposit() to (currency_id, price in valuation
        currency); the first one is the valuation currency (the dealer's cushion)."""
        self.instrument_id = instrument_id
        self.multiplier = multiplier
        self.inverse = inverse
        self.currencies = currencies or {"usd": (1, 1.0)}
        self.settlement_price = self.currencies[settlement][1]
        self.fund_account_id = fund_account_id
        self.rows: list[Row] = []
        self.transfers: list[tuple[int, int, float]] = []

    # ---- givens -------------------------------------------------------------

    def short(self, account: int, qty: int, price: float) -> "Book":
        return self._row(account, -qty, price)

    def long(self, account: int, qty: int, price: float) -> "Book":
        return self._row(account, qty, price)

    def deposit(self, account: int, **amount_by_code: float) -> "Book":
        """deposit(account=1, usd=250, btc=2); a negative amount is a withdrawal or fee."""
        for code, amount in amount_by_code.items():
            self.transfers.append((account, self.currencies[code][0], float(amount)))
        return self

    def withdraw(self, account: int, **amount_by_code: float) -> "Book":
        return self.deposit(account, **{code: -amount for code, amount in amount_by_code.items()})

    def _row(self, account: int, qty: int, price: float) -> "Book":
        assert qty != 0 and account != DEALER_ACCOUNT_ID
        held = self.quantity(account)
        # Mixed signs would realise PnL and make the givens harder to read.
        assert held * qty >= 0, f"account {account}: rows must not reduce a position"
        self.rows.append(Row(account, self.instrument_id, qty, float(price)))
        return self

    # ---- what the givens imply ---------------------------------------------

    def accounts(self) -> list[int]:
        """Every account of the book, the fund and the dealer included, ascending."""
        ids = {row.account_id for row in self.rows} | {t[0] for t in self.transfers}
        return sorted(ids | {self.fund_account_id, DEALER_ACCOUNT_ID})

    def quantity(self, account: int) -> int:
        return sum(row.qty for row in self.rows if row.account_id == account)

    def cost(self, account: int) -> float:
        """K per SPEC 1: sum of qty*m*price (LINEAR) or qty*m/price (INVERSE)."""
        rows = [row for row in self.rows if row.account_id == account]
        if self.inverse:
            return sum(row.qty * self.multiplier / row.price for row in rows)
        return sum(row.qty * self.multiplier * row.price for row in rows)

    def balances(self, account: int) -> dict[int, float]:
        totals: dict[int, float] = defaultdict(float)
        for account_id, currency_id, amount in self.transfers:
            if account_id == account:
                totals[currency_id] += amount
        return {currency: amount for currency, amount in totals.items() if amount != 0.0}

    def equity_at(self, account: int, mark: float) -> float:
        """SPEC 1 equity of the givens with the mark at `mark`, in valuation currency."""
        price_by_id = dict(self.currencies.values())
        cash = sum(amount * price_by_id[currency] for currency, amount in self.balances(account).items())
        qty, cost = self.quantity(account), self.cost(account)
        if qty == 0:
            return cash
        upnl = cost - qty * self.multiplier / mark if self.inverse else qty * self.multiplier * mark - cost
        return cash + self.settlement_price * upnl

    def total_equity_at(self, mark: float) -> float:
        """Sum of equity_at over every account but the dealer (flat, so mark-independent)."""
        return sum(self.equity_at(account, mark) for account in self.accounts()
                   if account != DEALER_ACCOUNT_ID)

    # ---- sending and checking ----------------------------------------------

    def request(self, seq: int) -> pb.StreamDeltasRequest:
        """One batch: each row and its opposite dealer fill, then the deposits."""
        assert sum(row.qty for row in self.rows) == 0, "the book is not zero-sum"
        fills = [(row.account_id, row.qty, row.price) for row in self.rows]
        fills += [(DEALER_ACCOUNT_ID, -row.qty, row.price) for row in self.rows]
        valuation_id = next(iter(self.currencies.values()))[0]
        cushion = (DEALER_ACCOUNT_ID, valuation_id, DEALER_CUSHION_VALUATION)
        transfers = self.transfers + [cushion]
        return pb.StreamDeltasRequest(
            seq=seq,
            fills=pb.FillColumns(
                account_id=[f[0] for f in fills], instrument_id=[self.instrument_id] * len(fills),
                qty=[f[1] for f in fills], price=[f[2] for f in fills]),
            transfers=pb.TransferColumns(
                account_id=[t[0] for t in transfers], currency_id=[t[1] for t in transfers],
                amount=[t[2] for t in transfers]))

    def send(self, stub) -> None:
        """Sends the book as one StreamDeltas batch and checks it was acknowledged."""
        seq = stub.GetStatus(pb.GetStatusRequest()).applied_seq + 1
        acks = list(stub.StreamDeltas(iter([self.request(seq)]), timeout=10))
        assert [ack.seq for ack in acks] == [seq]
        assert acks[0].fill_count == 2 * len(self.rows)

    def verify(self, stub) -> None:
        """Checks via GetAccount that the server holds exactly the givens."""
        for account_id in self.accounts():
            account = stub.GetAccount(pb.GetAccountRequest(account_id=account_id)).account
            if account_id == DEALER_ACCOUNT_ID:
                assert list(account.positions) == [], "the dealer must end flat"
                continue
            self._verify_positions(account)
            balances = {b.currency_id: b.amount for b in account.balances}
            assert balances == pytest.approx(self.balances(account_id), abs=1e-9)
        assert net_quantity(stub, self.accounts(), self.instrument_id) == 0

    def _verify_positions(self, account: pb.Account) -> None:
        qty = self.quantity(account.account_id)
        positions = [p for p in account.positions if p.instrument_id == self.instrument_id]
        if qty == 0:
            assert positions == []
            return
        assert len(positions) == 1
        position = positions[0]
        cost = self.cost(account.account_id)
        assert position.qty == qty
        assert position.cost == pytest.approx(cost, rel=1e-12)
        entry = qty * self.multiplier / cost if self.inverse else cost / (qty * self.multiplier)
        assert position.entry_price == pytest.approx(entry, rel=1e-12)


def net_quantity(stub, account_ids: list[int], instrument_id: int) -> int:
    """Sum of qty in one instrument over the given accounts (0 for a zero-sum book)."""
    total = 0
    for account_id in account_ids:
        account = stub.GetAccount(pb.GetAccountRequest(account_id=account_id)).account
        total += sum(p.qty for p in account.positions if p.instrument_id == instrument_id)
    return total
