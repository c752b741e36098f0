"""A dry run answers exactly what the real call will do, and changes nothing (SPEC 6).

Linear instrument 1, multiplier 1, mark 100, USD valuation, fund floor 0.
"""
import pytest

from markcap.v1 import risk_engine_pb2 as pb

from .book import Book
from .exchange import fpm_config, account, apply_mark

CONFIG = fpm_config()
FPM = 1
FUND = 0


def liquidation_and_adl_book() -> Book:
    """A rise to 150 stops at 120 (b of account 1 and of the fund), then ADL of 5."""
    return (Book(instrument_id=FPM)
            .short(account=1, qty=3, price=100).deposit(account=1, usd=60)        # b = -360/-3 = 120
            .short(account=FUND, qty=2, price=100).deposit(account=FUND, usd=40)  # b = -240/-2 = 120
            .short(account=4, qty=5, price=100).deposit(account=4, usd=10000)
            .long(account=2, qty=4, price=80).deposit(account=2, usd=100)
            .long(account=3, qty=6, price=100).deposit(account=3, usd=100))


def snapshot(stub, account_ids: list[int]) -> tuple:
    status = stub.GetStatus(pb.GetStatusRequest())
    accounts = [account(stub, account_id) for account_id in account_ids]
    fund = stub.GetInsuranceFund(pb.GetInsuranceFundRequest())
    return status.applied_seq, status.state_hash, accounts, fund


def test_dry_run_of_a_capped_rise_matches_the_real_call_and_leaves_state_unchanged(open_exchange):
    stub = open_exchange(CONFIG)
    book = liquidation_and_adl_book()
    book.send(stub)
    book.verify(stub)
    state_before = snapshot(stub, book.accounts())

    dry = apply_mark(stub, FPM, 150, dry_run=True)

    assert dry.dry_run and dry.seq == 0
    # Not a vacuous comparison: the outcome has a cap, a takeover and ADL fills.
    assert dry.capped and dry.applied_price == pytest.approx(120)
    assert len(dry.liquidations) == 1 and len(dry.adl_fills) == 2
    assert snapshot(stub, book.accounts()) == state_before
    assert account(stub, 1).positions[0].qty == -3

    real = apply_mark(stub, FPM, 150)

    applied_seq_before = state_before[0]
    assert not real.dry_run and real.seq == applied_seq_before + 1
    for response in (dry, real):
        response.ClearField("seq")
        response.ClearField("dry_run")
    assert dry == real
    assert stub.GetStatus(pb.GetStatusRequest()).applied_seq == applied_seq_before + 1
    assert list(account(stub, 1).positions) == []
