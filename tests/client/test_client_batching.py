"""split_batches: long fill and transfer columns (numpy or lists) as
StreamDeltas batches of bounded size, in the order one batch would apply."""
from __future__ import annotations

import numpy as np
import pytest

from markcap.client import DeltaBatch, Fills, MarkcapClient, Transfers, split_batches


def _rows(batches: list[DeltaBatch]) -> list[tuple]:
    """Every row of every batch, in application order (fills, then transfers)."""
    rows = []
    for batch in batches:
        if batch.fills is not None:
            rows += [("fill", *row) for row in zip(*(list(c) for c in vars(batch.fills).values()))]
        if batch.transfers is not None:
            rows += [("transfer", *row)
                     for row in zip(*(list(c) for c in vars(batch.transfers).values()))]
    return rows


def test_ten_fills_and_six_transfers_in_batches_of_four():
    fills = Fills(list(range(10)), [7] * 10, [1, -1] * 5, [100.0 + i for i in range(10)])
    transfers = Transfers([20, 21, 22, 23, 24, 25], [1] * 6, [1.5 * i for i in range(6)])

    batches = list(split_batches(fills, transfers, batch_size=4, first_seq=41))

    # 16 rows -> 4 batches: fills 0-3 | fills 4-7 | fills 8-9 + transfers 0-1 | transfers 2-5.
    assert [batch.seq for batch in batches] == [41, 42, 43, 44]
    assert [(len(b.fills) if b.fills else 0, len(b.transfers) if b.transfers else 0)
            for b in batches] == [(4, 0), (4, 0), (2, 2), (0, 4)]
    expected = ([("fill", a, 7, q, p) for a, q, p in zip(fills.account_id, fills.qty, fills.price)]
                + [("transfer", a, 1, x) for a, x in zip(transfers.account_id, transfers.amount)])
    assert _rows(batches) == expected


def test_numpy_columns_are_sliced_as_views_and_seq_0_stays_0():
    count = 10
    fills = Fills(np.arange(count, dtype=np.uint64), np.full(count, 7, dtype=np.uint32),
                  np.ones(count, dtype=np.int64), np.full(count, 100.0))

    batches = list(split_batches(fills, batch_size=3))

    assert [batch.seq for batch in batches] == [0, 0, 0, 0]
    assert [len(batch.fills) for batch in batches] == [3, 3, 3, 1]
    assert all(batch.transfers is None for batch in batches)
    assert all(np.shares_memory(batch.fills.account_id, fills.account_id) for batch in batches)
    assert np.concatenate([batch.fills.account_id for batch in batches]).tolist() == list(range(10))


def test_only_transfers_and_nothing_at_all():
    transfers = Transfers([1, 2], [1, 1], [5.0, -5.0])
    [batch] = split_batches(transfers=transfers, batch_size=100, first_seq=7)
    assert (batch.seq, batch.fills, list(batch.transfers.amount)) == (7, None, [5.0, -5.0])
    assert list(split_batches(batch_size=5)) == []


def test_a_batch_size_below_1_is_refused():
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        next(split_batches(Fills([1], [7], [1], [100.0]), batch_size=0))


def test_split_batches_stream_the_seed_2_book(in_process_server):
    """The seed-2 book (examples/seed2.csv) in batches of 4 builds the same
    positions and balances as one batch: account 5 ends short 5 with 10000 USD
    (sells 10 at 80/90, buys 12 at 100 realising -160, sells 7; deposit 10160)."""
    fills = Fills(np.array([2, 5, 3, 5, 1, 5, 0, 5, 4, 5], dtype=np.uint64),
                  np.full(10, 7, dtype=np.uint32),
                  np.array([6, -6, 4, -4, -10, 10, -2, 2, 7, -7], dtype=np.int64),
                  np.array([80, 80, 90, 90, 100, 100, 100, 100, 100, 100], dtype=np.float64))
    transfers = Transfers([1, 0, 5, 2, 3, 4], [1] * 6, [250.0, 50.0, 10160.0, 100.0, 100.0, 1000.0])

    with MarkcapClient(in_process_server.address) as client:
        acks = list(client.stream_deltas(split_batches(fills, transfers, batch_size=4,
                                                       first_seq=1)))
        assert [(ack.seq, ack.fill_count, ack.transfer_count) for ack in acks] == [
            (1, 4, 0), (2, 4, 0), (3, 2, 2), (4, 0, 4)]
        book = {}
        for account_id in range(6):
            account = client.get_account(account_id).account
            book[account_id] = ([(p.qty, p.cost) for p in account.positions],
                                [b.amount for b in account.balances])
    assert book == {
        0: ([(-2, -200.0)], [50.0]), 1: ([(-10, -1000.0)], [250.0]),
        2: ([(6, 480.0)], [100.0]), 3: ([(4, 360.0)], [100.0]),
        4: ([(7, 700.0)], [1000.0]), 5: ([(-5, -500.0)], [10000.0])}
