"""CSV of fills and transfers for `markcap load`: parsing, checking, batching."""
from __future__ import annotations

import pytest

from markcap.client.deltas_csv import (CsvError, FillRow, IdLookup, TransferRow, pack_batches,
                                       read_deltas)

INSTRUMENTS = IdLookup("instrument", {"BTC-PERP": 7, "ETH-PERP": 8, "BTC-USD-INV": 9})
CURRENCIES = IdLookup("currency", {"USD": 1, "BTC": 2})
HEADER = "type,account_id,instrument,currency,qty,price,amount"


def parse(text: str):
    return read_deltas(text.splitlines(), "book.csv", INSTRUMENTS, CURRENCIES)


def test_fills_and_transfers_by_symbol_code_or_id():
    rows = parse(f"""# a comment before the header

{HEADER}
fill,1,BTC-PERP,,-10,100,
  # an indented comment
fill,2,8,,+3,2999.5,
transfer,1,,USD,,,250
transfer,3,,2,,,-0.5
""")
    assert rows == [FillRow(1, 7, -10, 100.0), FillRow(2, 8, 3, 2999.5),
                    TransferRow(1, 1, 250.0), TransferRow(3, 2, -0.5)]


def test_columns_in_any_order_and_spaces_around_cells():
    rows = parse("price, qty ,type,amount,currency,instrument,account_id\n"
                 " 101 , 2 , FILL ,,,BTC-PERP, 18446744073709551615\n")
    assert rows == [FillRow(2**64 - 1, 7, 2, 101.0)]


def test_header_only_gives_no_rows():
    assert parse(HEADER + "\n") == []


@pytest.mark.parametrize("row, line, problem", [
    ("fill,1,BTC-PERP,,0,100,", 3, "qty is 0"),
    ("fill,1,BTC-PERP,,1.5,100,", 3, "qty '1.5' is not a whole number"),
    ("fill,1,BTC-PERP,,1,0,", 3, "price '0' is not > 0"),
    ("fill,1,BTC-PERP,,1,-5,", 3, "price '-5' is not > 0"),
    ("fill,1,BTC-PERP,,1,nan,", 3, "price 'nan' is not finite"),
    ("fill,1,BTC-PERP,,1,abc,", 3, "price 'abc' is not a number"),
    ("fill,1,DOGE-PERP,,1,100,", 3, "unknown instrument 'DOGE-PERP'"),
    ("fill,1,70,,1,100,", 3, "unknown instrument '70'"),
    ("fill,1,,,1,100,", 3, "instrument is empty"),
    ("fill,1,BTC-PERP,,1,100,5", 3, "a fill takes no amount"),
    ("fill,-1,BTC-PERP,,1,100,", 3, "account_id '-1' is out of range"),
    ("fill,18446744073709551616,BTC-PERP,,1,100,", 3, "out of range"),
    ("fill,1,BTC-PERP,,9223372036854775808,100,", 3, "qty '9223372036854775808' is out of range"),
    ("transfer,1,,EUR,,,5", 3, "unknown currency 'EUR'"),
    ("transfer,1,,USD,,,inf", 3, "amount 'inf' is not finite"),
    ("transfer,1,,USD,,,", 3, "amount is empty"),
    ("transfer,1,BTC-PERP,USD,,,5", 3, "a transfer takes no instrument"),
    ("trade,1,BTC-PERP,,1,100,", 3, "type 'trade' is neither 'fill' nor 'transfer'"),
    ("fill,1,BTC-PERP,,1,100", 3, "expected 7 fields, got 6"),
])
def test_a_bad_row_names_file_line_and_problem(row, line, problem):
    with pytest.raises(CsvError) as raised:
        parse(f"{HEADER}\nfill,1,BTC-PERP,,1,100,\n{row}\nfill,2,BTC-PERP,,1,100,\n")
    assert raised.value.line == line
    assert problem in raised.value.problem
    assert str(raised.value).startswith(f"book.csv:{line}: ")


@pytest.mark.parametrize("header, problem", [
    ("type,account_id,instrument,currency,qty,price", "lacks column(s) amount"),
    (HEADER + ",note", "unknown column 'note'"),
    ("type,type,account_id,instrument,currency,qty,price,amount", "'type' appears twice"),
    ("fill,1,BTC-PERP,,1,100,", "unknown column 'fill'"),
])
def test_a_bad_header_is_reported(header, problem):
    with pytest.raises(CsvError) as raised:
        parse(f"# header next\n{header}\n")
    assert str(raised.value).startswith("book.csv:2: ")
    assert problem in raised.value.problem


def test_an_empty_file_asks_for_a_header():
    with pytest.raises(CsvError, match="book.csv:1: header row required"):
        parse("# only a comment\n\n")


def _rows(count: int) -> list:
    return [FillRow(index, 7, 1, 100.0) if index % 3 else TransferRow(index, 1, 5.0)
            for index in range(count)]


def test_batches_keep_row_order_and_size():
    batches = pack_batches(_rows(10), batch_size=4)
    assert [len(b.fills or []) + len(b.transfers or []) for b in batches] == [4, 4, 2]
    assert [b.seq for b in batches] == [0, 0, 0]
    first = batches[0]
    assert first.fills.account_id == [1, 2] and first.transfers.account_id == [0, 3]
    assert first.fills.instrument_id == [7, 7] and first.fills.qty == [1, 1]
    assert first.transfers.currency_id == [1, 1] and first.transfers.amount == [5.0, 5.0]
    assert batches[2].fills.account_id == [8] and batches[2].transfers.account_id == [9]


def test_batches_number_their_seqs_from_first_seq():
    assert [b.seq for b in pack_batches(_rows(5), batch_size=2, first_seq=11)] == [11, 12, 13]


def test_a_batch_with_only_fills_has_no_transfers():
    [batch] = pack_batches([FillRow(1, 7, 1, 100.0)], batch_size=4096)
    assert batch.transfers is None and batch.fills.price == [100.0]


def test_no_rows_no_batches_and_batch_size_must_be_positive():
    assert pack_batches([], 10) == []
    with pytest.raises(ValueError):
        pack_batches(_rows(1), 0)
