"""A fall to 60 swept in one call (SPEC 3 "Sweep"): the falling-mark book's cascade, step by step.

Linear instrument 1, multiplier 1, mark 100, fund floor 0. Longs 1 (b = 80) and 2 (b = 10) and
the short 3; the fund holds 1000 USD. One step stops at 80 and takes account 1 over; a sweep
goes on to 60 in the same call, one seq, the steps listed in order.
"""
from markcap.v1 import risk_engine_pb2 as pb

from .exchange import account, apply_mark, fpm_config
from .test_falling_mark import falling_book

CONFIG = fpm_config()
FPM = 1


def test_a_sweep_to_60_takes_account_1_over_at_80_and_goes_on_to_60(open_exchange):
    stub = open_exchange(CONFIG)
    falling_book().send(stub)
    seq_before = stub.GetStatus(pb.GetStatusRequest()).applied_seq
    # When
    response = apply_mark(stub, FPM, 60, sweep=True)
    # Then: two steps, the first capped at 80 with the takeover, the second reaching 60
    assert [(s.applied_price, s.capped, s.liquidation_count) for s in response.steps] == [
        (80, True, 1), (60, False, 0)]
    assert response.sweep_stop_reason == pb.SWEEP_STOP_REASON_REACHED_REQUESTED_PRICE
    assert (response.previous_price, response.applied_price, response.first_bankruptcy_price) == (100, 60, 80)
    assert [l.account_id for l in response.liquidations] == [1]
    assert response.seq == seq_before + 1  # one seq for the whole sweep
    # The fund now holds account 1's long 10 from 80 and lost 200 of it on the way to 60
    assert response.insurance_fund_equity_after == 1000 - 10 * 20
    assert response.steps[-1].insurance_fund_equity_after == response.insurance_fund_equity_after
    assert account(stub, 1).positions == []


def test_a_dry_run_sweep_previews_the_crash_and_changes_nothing(open_exchange):
    stub = open_exchange(CONFIG)
    falling_book().send(stub)
    status = stub.GetStatus(pb.GetStatusRequest())
    preview = apply_mark(stub, FPM, 60, sweep=True, dry_run=True)
    assert (preview.dry_run, preview.seq, len(preview.steps)) == (True, 0, 2)
    assert stub.GetStatus(pb.GetStatusRequest()).state_hash == status.state_hash
    real = apply_mark(stub, FPM, 60, sweep=True)
    assert list(real.liquidations) == list(preview.liquidations) and list(real.steps) == list(preview.steps)


def test_max_steps_stops_the_sweep_after_that_many_steps(open_exchange):
    stub = open_exchange(CONFIG)
    falling_book().send(stub)
    response = apply_mark(stub, FPM, 60, sweep=True, max_steps=1)
    assert len(response.steps) == 1 and response.applied_price == 80
    assert response.sweep_stop_reason == pb.SWEEP_STOP_REASON_MAX_STEPS


def test_without_sweep_the_response_has_no_steps(open_exchange):
    stub = open_exchange(CONFIG)
    falling_book().send(stub)
    response = apply_mark(stub, FPM, 60)
    assert response.applied_price == 80 and not response.steps
    assert response.sweep_stop_reason == pb.SWEEP_STOP_REASON_UNSPECIFIED
